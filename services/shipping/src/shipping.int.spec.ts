/**
 * The shipping service's Nest application on real Postgres and Kafka, driven
 * the way the orchestrator drives it: commands on shipping.commands, answers
 * read back from saga.replies, records through the admin route.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessage, Topics, type Message, type ShippingAddress } from '@shopfront/contracts';
import { callService, eventually, MessageTap, startServiceUnderTest, type ServiceUnderTest } from '@shopfront/testing';
import { loadShippingConfig } from './config.js';
import { ShippingModule } from './shipping.module.js';

let tap: MessageTap;
let service: ServiceUnderTest | undefined;
let url: string;

before(async () => {
  service = await startServiceUnderTest({
    name: 'shipping',
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    module: (env, logger) => ShippingModule.register(loadShippingConfig(env), logger),
    beforeStart: async (resources) => {
      tap = await MessageTap.open(resources.kafka, [Topics.sagaReplies]);
    },
  });
  ({ url } = service);
});

after(async () => {
  await tap?.close();
  await service?.stop();
});

const slow = { timeoutMs: 20_000, intervalMs: 100 };
const address = (country: string): ShippingAddress => ({ name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country });
const schedule = (orderId: string, country = 'DE') =>
  createMessage('ScheduleShipment', { orderId, address: address(country), items: [{ sku: 'SKU-001', quantity: 2 }] }, { correlationId: orderId });
const cancel = (orderId: string) => createMessage('CancelShipment', { orderId }, { correlationId: orderId });
const command = (...messages: Message[]) => tap.publish(Topics.shippingCommands, ...messages);

/** Answers on saga.replies for one order, waiting until there are at least `count`. */
const replies = (orderId: string, count = 1) =>
  eventually(() => {
    const found = tap.messages({ key: orderId, topic: Topics.sagaReplies }).map((entry) => entry.message);
    return found.length >= count && found;
  }, { ...slow, what: `${count} replies for ${orderId}` });

async function shipments(query: string) {
  const response = await callService(url, `/admin/shipments${query}`);
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as { items?: { orderId: string; status: string; shipmentId: string }[] } };
}
const statusOf = async (orderId: string) => (await shipments(`?orderId=${orderId}`)).body.items?.map(({ orderId: id, status }) => ({ orderId: id, status }));

describe('shipping on real Postgres and Kafka', () => {
  it('given a served country, when scheduled (the envelope twice, then re-sent), then one shipment is made and every distinct command is answered with it', async () => {
    const orderId = randomUUID();
    const first = schedule(orderId);
    const resent = schedule(orderId);
    await command(first, first, resent);
    const answers = await replies(orderId, 2);
    assert.deepEqual(answers.map((answer) => answer.type), ['ShipmentScheduled', 'ShipmentScheduled']);
    const [shipmentId, again] = answers.map((answer) => (answer.type === 'ShipmentScheduled' ? answer.data.shipmentId : undefined));
    assert.match(shipmentId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(again, shipmentId, 'the re-sent command gets the first shipment');
    assert.deepEqual(answers.map((answer) => answer.causationId), [first.messageId, resent.messageId], 'the duplicate envelope is not answered');
    const listed = (await shipments(`?orderId=${orderId}`)).body.items;
    assert.deepEqual(listed?.map((item) => [item.orderId, item.status, item.shipmentId]), [[orderId, 'SCHEDULED', shipmentId]]);
  });

  it('given Antarctica (AQ), when scheduled, then ShipmentFailed SHIPPING_UNAVAILABLE and nothing is scheduled', async () => {
    const orderId = randomUUID();
    await command(schedule(orderId, 'AQ'));
    const [failed] = await replies(orderId);
    assert.deepEqual(failed!.type === 'ShipmentFailed' && failed!.data, { orderId, reason: 'SHIPPING_UNAVAILABLE' });
    assert.deepEqual(await statusOf(orderId), []);
  });

  it('given a scheduled shipment, when cancelled twice, then it is cancelled once and each cancellation is answered', async () => {
    const orderId = randomUUID();
    await command(schedule(orderId));
    await replies(orderId);
    await command(cancel(orderId), cancel(orderId));
    assert.deepEqual((await replies(orderId, 3)).map((answer) => answer.type), ['ShipmentScheduled', 'ShipmentCancelled', 'ShipmentCancelled']);
    assert.deepEqual(await statusOf(orderId), [{ orderId, status: 'CANCELLED' }]);
  });

  it('given a cancellation that overtakes its schedule, when the schedule arrives late, then the cancellation is answered, a tombstone stays and nothing is scheduled', async () => {
    const orderId = randomUUID();
    await command(cancel(orderId));
    await replies(orderId);
    // Same key, same partition: the second cancellation is handled after the late schedule.
    await command(schedule(orderId), cancel(orderId));
    await replies(orderId, 2);
    assert.deepEqual(tap.typesOf(orderId, Topics.sagaReplies), ['ShipmentCancelled', 'ShipmentCancelled']);
    assert.deepEqual(await statusOf(orderId), [{ orderId, status: 'CANCELLED' }]);
  });

  it('given the admin route, when asked with a malformed order id or limit, then it answers a 400 problem', async () => {
    for (const query of ['?orderId=not-a-uuid', '?limit=0', '?limit=many']) {
      const answer = await shipments(query);
      assert.deepEqual([answer.status, answer.type.startsWith('application/problem+json')], [400, true], query);
    }
  });
});
