/**
 * A rolling upgrade on real Kafka: today's orchestrator (OrderPlaced v2, replies v1) keeps working
 * while the order service is one version behind (OrderPlaced v1) and a participant one version
 * ahead (its replies at v2, with a field v1 does not know). Each message takes the same path as its
 * current twin, through the real MessageConsumer, and nothing is dead-lettered.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessage, Topics, type Message } from '@shopfront/contracts';
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
  it('given OrderPlaced v1 (a producer behind) and a reply at v2 (a participant ahead), when consumed, then each has the effect of its current twin and none is dead-lettered', async () => {
    const current = randomUUID();
    const behind = randomUUID();
    const today = writtenAt('OrderPlaced', 2, current);
    await tap.publish(Topics.orderEvents, today, writtenAt('OrderPlaced', 1, behind));

    const [reserveToday, reserveBehind] = await Promise.all([commandFor(current, 'ReserveStock'), commandFor(behind, 'ReserveStock')]);
    assert.deepEqual(withoutOrder(reserveBehind), withoutOrder(reserveToday));

    const reserved = (orderId: string, command: Message) => createMessage('StockReserved', { orderId }, { correlationId: orderId, causationId: command.messageId });
    await tap.publish(Topics.sagaReplies, reserved(current, reserveToday), writtenAhead(reserved(behind, reserveBehind), { reservedAt: new Date().toISOString() }));

    const [authorizeToday, authorizeBehind] = await Promise.all([commandFor(current, 'AuthorizePayment'), commandFor(behind, 'AuthorizePayment')]);
    assert.deepEqual(withoutOrder(authorizeBehind), withoutOrder(authorizeToday));
    assert.equal(await deadLetterCount(service!.kafka, [Topics.orderEvents, Topics.sagaReplies]), 0);
  });
});
