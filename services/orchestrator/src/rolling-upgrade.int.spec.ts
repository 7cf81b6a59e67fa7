/**
 * A rolling upgrade on real Kafka: today's orchestrator (OrderPlaced v3, replies v1) keeps working
 * while the order service is behind (OrderPlaced v2, and v1 from further back) and a participant one
 * version ahead (its replies at v2, with a field v1 does not know). Each message takes the same path
 * as its current twin, through the real MessageConsumer, and nothing is dead-lettered. An order
 * placed before v3 carries a card number: it reaches AuthorizePayment only as the retired token
 * (ADR 0017), so payment declines it rather than charge a number read back from a message.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessage, retiredCard, Topics, type Message } from '@shopfront/contracts';
import { deadLetterCount, eventually, MessageTap, startServiceUnderTest, writtenAhead, writtenAt, type ServiceUnderTest } from '@shopfront/testing';
import { loadOrchestratorConfig } from './config.js';
import { OrchestratorModule } from './orchestrator.module.js';

let tap: MessageTap;
let service: ServiceUnderTest | undefined;

before(async () => {
  service = await startServiceUnderTest({
    name: 'orchestrator-upgrade',
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    // Long step deadlines: this test answers by hand, and a retried command would blur "the same effect".
    env: { STEP_TIMEOUT_MS: '60000', DEADLINE_POLL_MS: '200' },
    module: (env, logger) => OrchestratorModule.register(loadOrchestratorConfig(env), logger),
    beforeStart: async (resources) => {
      tap = await MessageTap.open(resources.kafka, [Topics.inventoryCommands, Topics.paymentCommands]);
    },
  });
});

after(async () => {
  await tap?.close();
  await service?.stop();
});

const slow = { timeoutMs: 30_000, intervalMs: 100 };
const commandFor = (orderId: string, type: Message['type']) =>
  eventually(() => tap.messages({ key: orderId }).find((entry) => entry.message.type === type)?.message, { ...slow, what: `${type} for ${orderId}` });
const withoutOrder = (message: Message) => {
  const { orderId: _, ...rest } = message.data as { orderId: string };
  return rest;
};

describe('the orchestrator during a rolling upgrade', () => {
  it('given OrderPlaced v2 and v1 (producers behind) and a reply at v2 (a participant ahead), when consumed, then each has the effect of its current twin and none is dead-lettered', async () => {
    const current = randomUUID();
    const behind = [randomUUID(), randomUUID()];
    const today = writtenAt('OrderPlaced', 3, current);
    await tap.publish(Topics.orderEvents, today, writtenAt('OrderPlaced', 2, behind[0]!), writtenAt('OrderPlaced', 1, behind[1]!));

    const reserveToday = await commandFor(current, 'ReserveStock');
    const reserveBehind = await Promise.all(behind.map((orderId) => commandFor(orderId, 'ReserveStock')));
    for (const command of reserveBehind) assert.deepEqual(withoutOrder(command), withoutOrder(reserveToday));

    const reserved = (orderId: string, command: Message) => createMessage('StockReserved', { orderId }, { correlationId: orderId, causationId: command.messageId });
    await tap.publish(
      Topics.sagaReplies,
      reserved(current, reserveToday),
      ...behind.map((orderId, index) => writtenAhead(reserved(orderId, reserveBehind[index]!), { reservedAt: new Date().toISOString() })),
    );

    const authorizeToday = await commandFor(current, 'AuthorizePayment');
    const authorizeBehind = await Promise.all(behind.map((orderId) => commandFor(orderId, 'AuthorizePayment')));
    const { card: todayCard, ...todayRest } = withoutOrder(authorizeToday) as { card: unknown };
    assert.deepEqual(todayCard, (today.data as { payment: unknown }).payment);
    for (const command of authorizeBehind) {
      const { card, ...rest } = withoutOrder(command) as { card: unknown };
      assert.deepEqual(rest, todayRest);
      assert.deepEqual(card, retiredCard('4242424242424242'), 'the number never reaches the payment command');
    }
    assert.equal(await deadLetterCount(service!.kafka, [Topics.orderEvents, Topics.sagaReplies]), 0);
  });
});
