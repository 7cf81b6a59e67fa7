/**
 * A rolling upgrade on real Kafka, from the participant's side: today's shipping service (commands
 * at v1) reads the orchestrator's commands written one version ahead (v2, with a field v1 does not
 * know) through the real MessageConsumer, with the effect of their current twins and no dead letter.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Topics, type Message } from '@shopfront/contracts';
import { callService, deadLetterCount, eventually, MessageTap, startServiceUnderTest, writtenAhead, writtenAt, type ServiceUnderTest } from '@shopfront/testing';
import { loadShippingConfig } from './config.js';
import { ShippingModule } from './shipping.module.js';

let tap: MessageTap;
let service: ServiceUnderTest | undefined;

before(async () => {
  service = await startServiceUnderTest({
    name: 'shipping-upgrade',
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    module: (env, logger) => ShippingModule.register(loadShippingConfig(env), logger),
    beforeStart: async (resources) => {
      tap = await MessageTap.open(resources.kafka, [Topics.sagaReplies]);
    },
  });
});

after(async () => {
  await tap?.close();
  await service?.stop();
});

const repliesOf = (orderId: string, count: number) =>
  eventually(() => {
    const found = tap.messages({ key: orderId }).map((entry) => entry.message.type);
    return found.length >= count && found;
  }, { timeoutMs: 30_000, intervalMs: 100, what: `${count} replies for ${orderId}` });

const shipmentsOf = async (orderId: string) =>
  // Signed as the gateway signs (ADR 0017): a service port answers 401 to anyone else.
  ((await (await callService(service!.url, `/admin/shipments?orderId=${orderId}`)).json()) as { items: { status: string }[] }).items.map((item) => item.status);

describe('shipping during a rolling upgrade', () => {
  it('given ScheduleShipment and CancelShipment at v2 (an orchestrator ahead), when consumed, then the shipment is made and cancelled as for v1 and nothing is dead-lettered', async () => {
    const current = randomUUID();
    const ahead = randomUUID();
    const commands = (orderId: string): Message[] => [writtenAt('ScheduleShipment', 1, orderId), writtenAt('CancelShipment', 1, orderId)];
    const [schedule, cancel] = commands(ahead);
    await tap.publish(Topics.shippingCommands, ...commands(current), writtenAhead(schedule!, { carrierHint: 'cheapest' }), writtenAhead(cancel!, { reasonCode: 'TIMEOUT' }));

    assert.deepEqual(await repliesOf(ahead, 2), await repliesOf(current, 2));
    assert.deepEqual(await repliesOf(ahead, 2), ['ShipmentScheduled', 'ShipmentCancelled']);
    assert.deepEqual(await shipmentsOf(ahead), await shipmentsOf(current));
    assert.equal(await deadLetterCount(service!.kafka, [Topics.shippingCommands]), 0);
  });
});
