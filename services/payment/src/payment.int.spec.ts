/**
 * The payment service's Nest application on real Postgres and Kafka, driven the
 * way the orchestrator drives it: commands on payment.commands, answers read
 * back from saga.replies, records through the admin route, the simulated
 * provider's ledger straight from its table, faults through the chaos route.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessage, Topics, type Message, type MessageType, type TokenizedCard } from '@shopfront/contracts';
import { createLogger } from '@shopfront/observability';
import { aTokenizedCard, callService, eventually, MessageTap, startServiceUnderTest, type ServiceUnderTest, type TestDatabase } from '@shopfront/testing';
import { loadPaymentConfig } from './config.js';
import { PaymentModule } from './payment.module.js';

let db: TestDatabase;
let tap: MessageTap;
let service: ServiceUnderTest | undefined;
let url: string;
/** The service's warnings, where a failed attempt at a message shows up. */
const warnings: { msg: string; messageId?: string; attempt?: number }[] = [];

before(async () => {
  service = await startServiceUnderTest({
    name: 'payment',
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    module: (env, logger) => PaymentModule.register(loadPaymentConfig(env), logger),
    chaosEnabled: true,
    logger: createLogger('payment', 'warn', { write: (line: string) => void warnings.push(JSON.parse(line) as (typeof warnings)[number]) }),
    beforeStart: async (resources) => {
      tap = await MessageTap.open(resources.kafka, [Topics.sagaReplies, `${Topics.paymentCommands}.dlq`]);
    },
  });
  ({ db, url } = service);
  // Sealed as the gateway seals them: every command carries only the token.
  for (const card of testCards) tokens.set(card, aTokenizedCard(card));
});

after(async () => {
  await tap?.close();
  await service?.stop();
});

const slow = { timeoutMs: 20_000, intervalMs: 100 };
const total = { amount: 3998, currency: 'EUR' };
const testCards = ['4242424242424242', '4000000000000002', '4000000000009995', '5555555555554444'];
const tokens = new Map<string, TokenizedCard>();
const authorize = (orderId: string, card = '4242424242424242') => createMessage('AuthorizePayment', { orderId, amount: total, card: tokens.get(card)! }, { correlationId: orderId });
const byOrder = (type: 'CapturePayment' | 'VoidPayment' | 'RefundPayment', orderId: string) => createMessage(type, { orderId }, { correlationId: orderId });
const command = (...messages: Message[]) => tap.publish(Topics.paymentCommands, ...messages);

/** Answers on saga.replies for one order, waiting until there are at least `count`. */
const replies = (orderId: string, count = 1) =>
  eventually(() => {
    const found = tap.messages({ key: orderId, topic: Topics.sagaReplies }).map((entry) => entry.message);
    return found.length >= count && found;
  }, { ...slow, what: `${count} replies for ${orderId}` });

async function http(method: string, path: string, body?: unknown) {
  const response = await callService(url, path, { method, body });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as { items?: Record<string, unknown>[] } & Record<string, unknown> };
}

/** The payment service's own record, as operators and the invariant checks see it. */
const record = async (orderId: string) => (await http('GET', `/admin/payments?orderId=${orderId}`)).body.items?.[0];

/** What the provider did for an order: one row per operation it carried out. */
const ledger = async (orderId: string) =>
  (await db.pool.query<{ operation: string; amount: number }>('SELECT operation, amount FROM provider_ledger WHERE idempotency_key LIKE $1 ORDER BY created_at', [`${orderId}:%`])).rows.map(
    (row) => `${row.operation} ${row.amount}`,
  );

const setProviderFault = async (errorRate: number) => assert.equal((await http('PUT', '/admin/faults/payment-provider', { latencyMs: 0, errorRate })).status, 200);
const failedAttempts = (message: Message) => warnings.filter((line) => line.msg === 'message failed' && line.messageId === message.messageId).length;

async function consumed(type: MessageType, outcome: 'processed' | 'duplicate'): Promise<number> {
  const labels = ['consumer="payment.commands"', `type="${type}"`, `outcome="${outcome}"`];
  const line = (await (await fetch(`${url}/metrics`)).text()).split('\n').find((entry) => entry.startsWith('messaging_consumed_total{') && labels.every((label) => entry.includes(label)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('payment on real Postgres and Kafka', () => {
  it("given the contract's test cards, when authorized, then approved, PAYMENT_DECLINED, INSUFFICIENT_FUNDS and approved again are answered and recorded", async () => {
    const cards = testCards;
    const orders = cards.map(() => randomUUID());
    await command(...cards.map((card, i) => authorize(orders[i]!, card)));
    const answers = await Promise.all(orders.map(async (orderId) => (await replies(orderId))[0]!));
    assert.deepEqual(
      answers.map((answer) => (answer.type === 'PaymentDeclined' ? answer.data.reason : answer.type === 'PaymentAuthorized' ? answer.data.amount : answer.type)),
      [total, 'PAYMENT_DECLINED', 'INSUFFICIENT_FUNDS', total],
    );
    assert.deepEqual(await record(orders[0]!), { orderId: orders[0], status: 'AUTHORIZED', currency: 'EUR', authorizedAmount: 3998, capturedAmount: 0, refundedAmount: 0 });
    assert.deepEqual(await record(orders[2]!), { orderId: orders[2], status: 'DECLINED', currency: 'EUR', authorizedAmount: 0, capturedAmount: 0, refundedAmount: 0 });
  });

  it('given an authorization, when captured and then refunded twice, then captured equals authorized, everything comes back once, and each command is answered', async () => {
    const orderId = randomUUID();
    await command(authorize(orderId), byOrder('CapturePayment', orderId));
    const [, capturedAnswer] = await replies(orderId, 2);
    assert.deepEqual(capturedAnswer!.type === 'PaymentCaptured' && capturedAnswer!.data.amount, total);
    assert.deepEqual(await record(orderId), { orderId, status: 'CAPTURED', currency: 'EUR', authorizedAmount: 3998, capturedAmount: 3998, refundedAmount: 0 });

    await command(byOrder('RefundPayment', orderId), byOrder('RefundPayment', orderId));
    const answers = await replies(orderId, 4);
    assert.deepEqual(answers.map((answer) => answer.type), ['PaymentAuthorized', 'PaymentCaptured', 'PaymentRefunded', 'PaymentRefunded']);
    assert.deepEqual(answers.slice(2).map((answer) => answer.type === 'PaymentRefunded' && answer.data.amount), [total, total]);
    const { capturedAmount, refundedAmount, status } = (await record(orderId))!;
    assert.deepEqual([status, Number(capturedAmount) - Number(refundedAmount)], ['REFUNDED', 0]);
    assert.deepEqual(await ledger(orderId), ['authorize 3998', 'capture 3998', 'refund 3998']);
  });

  it('given one AuthorizePayment envelope delivered twice, when consumed, then the card is charged once and answered once', async () => {
    const orderId = randomUUID();
    const message = authorize(orderId);
    const duplicatesBefore = await consumed('AuthorizePayment', 'duplicate');
    await command(message, message);
    await replies(orderId);
    await eventually(async () => (await consumed('AuthorizePayment', 'duplicate')) > duplicatesBefore, { ...slow, what: 'the duplicate skipped' });
    assert.deepEqual(tap.typesOf(orderId, Topics.sagaReplies), ['PaymentAuthorized']);
    assert.deepEqual(await ledger(orderId), ['authorize 3998']);
  });

  it('given a void that overtakes its authorization, when the authorization arrives late, then the void is answered, a tombstone stays and nothing is charged', async () => {
    const orderId = randomUUID();
    await command(byOrder('VoidPayment', orderId));
    await replies(orderId);
    // Same key, same partition: the second void is handled after the late authorization.
    await command(authorize(orderId), byOrder('VoidPayment', orderId));
    await replies(orderId, 2);
    assert.deepEqual(tap.typesOf(orderId, Topics.sagaReplies), ['PaymentVoided', 'PaymentVoided']);
    assert.deepEqual(await record(orderId), { orderId, status: 'VOIDED', currency: 'EUR', authorizedAmount: 0, capturedAmount: 0, refundedAmount: 0 });
    assert.deepEqual(await ledger(orderId), []);
  });

  it('given an authorization voided before its capture, when the capture arrives late, then nothing is taken; a captured payment survives a void untouched', async () => {
    const voided = randomUUID();
    await command(authorize(voided), byOrder('VoidPayment', voided), byOrder('CapturePayment', voided), byOrder('VoidPayment', voided));
    await replies(voided, 3);
    assert.deepEqual(tap.typesOf(voided, Topics.sagaReplies), ['PaymentAuthorized', 'PaymentVoided', 'PaymentVoided']);
    assert.deepEqual(await ledger(voided), ['authorize 3998', 'void 0']);

    const kept = randomUUID();
    await command(authorize(kept), byOrder('CapturePayment', kept), byOrder('VoidPayment', kept));
    await replies(kept, 3);
    assert.deepEqual(tap.typesOf(kept, Topics.sagaReplies), ['PaymentAuthorized', 'PaymentCaptured', 'PaymentVoided']);
    assert.equal((await record(kept))?.status, 'CAPTURED');
  });

  it('given a failing provider, when authorizing and capturing, then the attempts are retried until it heals and the card is charged once for each', async () => {
    const orderId = randomUUID();
    const steps = [authorize(orderId), byOrder('CapturePayment', orderId)];
    for (const [i, step] of steps.entries()) {
      await setProviderFault(1);
      try {
        await command(step);
        await eventually(() => failedAttempts(step) >= 2, { ...slow, what: `${step.type} failing at the provider` });
      } finally {
        await setProviderFault(0);
      }
      await replies(orderId, i + 1);
    }
    assert.deepEqual(tap.typesOf(orderId, Topics.sagaReplies), ['PaymentAuthorized', 'PaymentCaptured']);
    assert.deepEqual(await ledger(orderId), ['authorize 3998', 'capture 3998']);
    assert.deepEqual(await record(orderId), { orderId, status: 'CAPTURED', currency: 'EUR', authorizedAmount: 3998, capturedAmount: 3998, refundedAmount: 0 });
  });

  it('given a capture for a payment never authorized, when consumed, then it is dead-lettered with the reason and not answered', async () => {
    const orderId = randomUUID();
    await command(byOrder('CapturePayment', orderId));
    const [letter] = await eventually(() => {
      const found = tap.messages({ key: orderId, topic: `${Topics.paymentCommands}.dlq` });
      return found.length > 0 && found;
    }, { ...slow, what: 'a dead letter' });
    assert.match(letter!.headers['x-dlq-error'] ?? '', /never authorized/);
    assert.equal(letter!.headers['x-dlq-attempts'], '1');
    assert.deepEqual(tap.typesOf(orderId, Topics.sagaReplies), []);
  });

  it('given the admin route, when asked with a malformed order id, then it answers a 400 problem', async () => {
    const answer = await http('GET', '/admin/payments?orderId=not-a-uuid');
    assert.deepEqual([answer.status, answer.type.startsWith('application/problem+json')], [400, true]);
  });
});
