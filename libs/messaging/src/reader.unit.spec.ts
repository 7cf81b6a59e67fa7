import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { register } from 'prom-client';
import { brokerOver } from './broker.js';
import { TopicReader, type RawRecord, type TopicReaderOptions } from './reader.js';

const events = { GROUP_JOIN: 'consumer.group_join', FETCH: 'consumer.fetch', STOP: 'consumer.stop', CRASH: 'consumer.crash' };

/** A kafkajs client whose consumer and admin only record what the reader does with them, and let the test raise their events. */
function fakeKafka() {
  const emitter = new EventEmitter();
  const seen = { groupIds: [] as string[], subscribed: [] as { topics: string[]; fromBeginning: boolean }[], disconnected: 0, deletedGroups: [] as string[] };
  let run: ConsumerRunConfig | undefined;
  const consumer = {
    events,
    on: (event: string, listener: (...args: unknown[]) => void) => emitter.on(event, listener),
    connect: async () => undefined,
    subscribe: async (subscription: { topics: string[]; fromBeginning: boolean }) => void seen.subscribed.push(subscription),
    run: async (config: ConsumerRunConfig) => void (run = config),
    disconnect: async () => {
      seen.disconnected++;
      emitter.emit(events.STOP);
    },
  } as unknown as Consumer;
  const kafka = {
    consumer: ({ groupId }: { groupId: string }) => {
      seen.groupIds.push(groupId);
      return consumer;
    },
    admin: () => ({
      connect: async () => undefined,
      deleteGroups: async (ids: string[]) => void seen.deletedGroups.push(...ids),
      disconnect: async () => undefined,
    }),
  } as unknown as Kafka;
  const batch = (topic: string, partition: number, messages: Partial<KafkaMessage>[]) =>
    run!.eachBatch!({ batch: { topic, partition, messages } } as unknown as EachBatchPayload);
  return { broker: brokerOver(kafka), seen, batch, emit: (event: string) => emitter.emit(event) };
}

function reader(options: Partial<TopicReaderOptions> = {}) {
  const fake = fakeKafka();
  const batches: RawRecord[][] = [];
  const instance = new TopicReader({ broker: fake.broker, groupId: 'gateway-live-1', topics: ['p.order.events'], from: 'latest', onBatch: (records) => void batches.push(records), ...options });
  return { ...fake, instance, batches };
}

describe('TopicReader', () => {
  it('given a batch, then its records arrive together, raw: bytes as they were, headers as strings, the timestamp a number', async () => {
    const { instance, batch, batches } = reader();
    await instance.start();
    await batch('p.order.events', 2, [
      { offset: '7', key: Buffer.from('order-1'), value: Buffer.from('{"a":1}'), headers: { traceparent: Buffer.from('00-abc'), plain: 'text', absent: undefined }, timestamp: '1700000000000' },
      { offset: '8', key: null, value: null, headers: {}, timestamp: '1700000000001' },
    ]);
    assert.equal(batches.length, 1);
    const [first, second] = batches[0]!;
    assert.deepEqual({ ...first, key: first!.key?.toString(), value: first!.value?.toString() }, {
      topic: 'p.order.events',
      partition: 2,
      offset: '7',
      key: 'order-1',
      value: '{"a":1}',
      headers: { traceparent: '00-abc', plain: 'text', absent: '' },
      timestamp: 1_700_000_000_000,
    });
    assert.equal(second!.key, null);
    assert.equal(second!.value, null);
  });

  it('given an empty batch, then nothing is delivered', async () => {
    const { instance, batch, batches } = reader();
    await instance.start();
    await batch('p.order.events', 0, []);
    assert.equal(batches.length, 0);
  });

  it('subscribes from the latest offset or from the beginning, as asked, in the group it is given', async () => {
    const latest = reader();
    await latest.instance.start();
    const beginning = reader({ from: 'beginning', groupId: 'gateway-dlq-1' });
    await beginning.instance.start();
    assert.deepEqual(latest.seen.subscribed, [{ topics: ['p.order.events'], fromBeginning: false }]);
    assert.deepEqual(beginning.seen.subscribed, [{ topics: ['p.order.events'], fromBeginning: true }]);
    assert.deepEqual(beginning.seen.groupIds, ['gateway-dlq-1']);
  });

  it('is live from joining its group until it crashes or stops, and joined resolves on the first join', async () => {
    const { instance, emit } = reader();
    await instance.start();
    assert.equal(instance.live, false);
    emit(events.GROUP_JOIN);
    await instance.joined;
    assert.equal(instance.live, true);
    emit(events.CRASH);
    assert.equal(instance.live, false);
    emit(events.GROUP_JOIN);
    assert.equal(instance.live, true);
    await instance.stop();
    assert.equal(instance.live, false);
  });

  it('counts its fetches under the name it is given', async () => {
    const counted = async () => (await register.getSingleMetric('messaging_fetches_total')!.get()).values.find((value) => value.labels.consumer === 'test.reader')?.value ?? 0;
    const { instance, emit } = reader({ fetchesAs: 'test.reader' });
    const before = await counted();
    await instance.start();
    emit(events.FETCH);
    emit(events.FETCH);
    assert.equal((await counted()) - before, 2);
  });

  it('given it stops, then it leaves and deletes its private group, once', async () => {
    const { instance, seen } = reader();
    await instance.start();
    await instance.stop();
    await instance.stop();
    assert.equal(seen.disconnected, 1);
    assert.deepEqual(seen.deletedGroups, ['gateway-live-1']);
  });

  it('given a durable group, then stopping keeps it; given it never started, then stopping does nothing', async () => {
    const durable = reader({ keepGroup: true });
    await durable.instance.start();
    await durable.instance.stop();
    assert.equal(durable.seen.disconnected, 1);
    assert.deepEqual(durable.seen.deletedGroups, []);
    const idle = reader();
    await idle.instance.stop();
    assert.equal(idle.seen.disconnected, 0);
    assert.deepEqual(idle.seen.deletedGroups, []);
  });
});
