/**
 * The payment handler and the simulated provider on real Postgres, where a
 * test can stop the world at the worst moments: a crash after the provider
 * charged, and an answer lost on its way back from the provider. Each delivery
 * is what the consumer does: the handler's effect in one transaction.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { developmentCardPrivateKey } from '@shopfront/config';
import { cardPrivateKey, createMessage, type Message, type TokenizedCard } from '@shopfront/contracts';
import { FaultInjector } from '@shopfront/http';
import { isTransient, messagingMigrations, type Delivery } from '@shopfront/messaging';
import { createLogger } from '@shopfront/observability';
import { readMigrations, withTransaction } from '@shopfront/postgres';
import { aTokenizedCard, freshDatabase, type TestDatabase } from '@shopfront/testing';
import { CardVault } from '../infra/card-vault.js';
import { postgresPaymentStore } from '../infra/payments.repository.js';
import { providerFaultTarget, SimulatedCardProvider } from '../infra/simulated-card-provider.js';
import { PaymentCommandsConsumer } from './payment-commands.consumer.js';

/** What the consumer would pass: the handlers here do not read it. */
const delivery: Delivery = { topic: 'test', partition: 0, offset: '0', headers: {}, attempt: 1 };

let db: TestDatabase;
let provider: SimulatedCardProvider;
let commands: PaymentCommandsConsumer;
const faults = new FaultInjector();
const tokens = new Map<string, TokenizedCard>();
const tokenOf = (card: string) => tokens.get(card)!;

before(async () => {
  db = await freshDatabase('payment_handler', [...messagingMigrations, ...(await readMigrations(fileURLToPath(new URL('../../migrations', import.meta.url))))]);
  const vault = new CardVault(cardPrivateKey(developmentCardPrivateKey));
  for (const card of ['4242424242424242', '4000000000009995']) tokens.set(card, aTokenizedCard(card));
  provider = new SimulatedCardProvider(db.pool, faults, vault);
  commands = new PaymentCommandsConsumer(postgresPaymentStore, provider, createLogger('payment', 'silent'));
});
after(async () => {
  await db?.drop();
});

/** Handles one message in a transaction; `crash` throws after the handler, before the commit. */
const deliver = (message: Message, crash = false) =>
  withTransaction(db.pool, async (tx) => {
    await commands.on.handle(message, tx, delivery);
    if (crash) throw new Error('crashed before commit');
  });
const authorize = (orderId: string, card = '4242424242424242') => createMessage('AuthorizePayment', { orderId, amount: { amount: 3998, currency: 'EUR' }, card: tokenOf(card) }, { correlationId: orderId });
const payment = async (orderId: string) => (await db.pool.query('SELECT status, captured_amount FROM payments WHERE order_id = $1', [orderId])).rows[0];
const ledger = async (key: string) => (await db.pool.query<{ outcome: string }>('SELECT outcome FROM provider_ledger WHERE idempotency_key = $1', [key])).rows.map((row) => row.outcome);

describe('payment handler and provider on real Postgres', () => {
  it('given a crash after the provider captured, when the command is redelivered, then the provider is not charged again', async () => {
    const orderId = randomUUID();
    await deliver(authorize(orderId));
    const capture = createMessage('CapturePayment', { orderId }, { correlationId: orderId });
    await assert.rejects(deliver(capture, true), /crashed/);
    assert.equal((await payment(orderId)).status, 'AUTHORIZED', 'the crash rolled our record back');
    assert.deepEqual(await ledger(`${orderId}:capture`), ['CAPTURED'], 'but not the provider’s');
    await deliver(capture);
    assert.deepEqual(await payment(orderId), { status: 'CAPTURED', captured_amount: 3998 });
    assert.deepEqual(await ledger(`${orderId}:capture`), ['CAPTURED']);
  });

  it('given a failing provider, when an answer is lost after it charged, then the failure is transient and the retry gets the first answer without a second charge', async () => {
    faults.set(providerFaultTarget, { latencyMs: 0, errorRate: 1 });
    let lost: string | undefined;
    try {
      // Half of the failures strike after the provider recorded the charge: try orders until one does.
      for (let i = 0; i < 40 && !lost; i++) {
        const key = `${randomUUID()}:authorize`;
        const failure = await provider.authorize(key, tokenOf('4000000000009995').token, 3998).catch((error: unknown) => error);
        assert.equal(isTransient(failure), true);
        if ((await ledger(key)).length === 1) lost = key;
      }
    } finally {
      faults.set(providerFaultTarget, { latencyMs: 0, errorRate: 0 });
    }
    assert.ok(lost, 'no failure struck after the charge');
    assert.deepEqual(await provider.authorize(lost, tokenOf('4242424242424242').token, 3998), { approved: false, reason: 'INSUFFICIENT_FUNDS' }, 'the first answer, whatever the retry carries');
    assert.deepEqual(await ledger(lost), ['INSUFFICIENT_FUNDS']);
  });

  it('given a provider failure during authorization, when the command is retried after it heals, then it is authorized with one charge', async () => {
    const orderId = randomUUID();
    faults.set(providerFaultTarget, { latencyMs: 0, errorRate: 1 });
    const failure = await deliver(authorize(orderId)).catch((error: unknown) => error);
    faults.set(providerFaultTarget, { latencyMs: 0, errorRate: 0 });
    assert.equal(isTransient(failure), true);
    assert.equal(await payment(orderId), undefined, 'nothing recorded by the failed attempt');
    await deliver(authorize(orderId));
    assert.equal((await payment(orderId)).status, 'AUTHORIZED');
    assert.deepEqual(await ledger(`${orderId}:authorize`), ['APPROVED']);
  });
});
