/**
 * The port's reader and publisher on the real broker: a record published with headers comes back
 * as it was, a reader from the latest offset hears only what follows its join, offsets count
 * what a topic holds, and a stopped reader leaves no group behind (ADR 0024).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Topics } from '@shopfront/contracts';
import { eventually, kafkaTopics, type TestKafka } from '@shopfront/testing';
import { randomUUID } from 'node:crypto';
import { consumerGroupMembers, topicOffsets } from './admin.js';
import { register } from 'prom-client';
import { deleteTopicsWithPrefix, ensureTopics, prefixed } from './kafka.js';
import { RecordPublisher } from './publisher.js';
import { TopicReader, type RawRecord } from './reader.js';

let kafka: TestKafka;
let publisher: RecordPublisher;
const readers: TopicReader[] = [];
const topic = () => prefixed(kafka.topicPrefix, Topics.sagaEvents);

before(async () => {
  kafka = await kafkaTopics('reader');
  publisher = new RecordPublisher(kafka.kafka);
  await publisher.connect();
});

after(async () => {
  for (const reader of readers) await reader.stop();
  await publisher?.disconnect();
  await kafka?.drop();
});

/** A started reader of the test's saga.events and what it has read so far. */
async function reading(from: 'beginning' | 'latest', groupId = `${kafka.topicPrefix}reader-${randomUUID()}`) {
  const records: RawRecord[] = [];
  const reader = new TopicReader({ broker: kafka.kafka, groupId, topics: [topic()], from, onBatch: (batch) => void records.push(...batch) });
  readers.push(reader);
  await reader.start();
  return { reader, records, groupId };
}

describe('reading and publishing records through the port', () => {
  it('given a record published with headers, when read from the beginning, then key, value and headers are as sent', async () => {
    await publisher.publish(topic(), [{ key: 'order-1', value: '{"n":1}', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } }]);
    const { records } = await reading('beginning');
    const [record] = await eventually(() => records.length > 0 && records, { what: 'the record read', timeoutMs: 30_000 });
    assert.equal(record!.topic, topic());
    assert.equal(record!.key?.toString(), 'order-1');
    assert.equal(record!.value?.toString(), '{"n":1}');
    assert.equal(record!.headers.traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    assert.ok(Math.abs(record!.timestamp - Date.now()) < 60_000, `timestamp ${record!.timestamp}`);
  });

  it('given a reader from the latest offset, then it hears what is published after it joined, and nothing before', async () => {
    const { reader, records } = await reading('latest');
    await reader.joined;
    assert.equal(reader.live, true);
    // The client reads where 'latest' is once it joined: published until one is heard.
    await eventually(
      async () => {
        await publisher.publish(topic(), [{ key: 'order-2', value: '{"n":2}' }]);
        return records.some((record) => record.key?.toString() === 'order-2');
      },
      { what: 'a record published after the join', timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.ok(records.every((record) => record.key?.toString() !== 'order-1'));
  });

  it('counts the records a topic holds, on each of its partitions', async () => {
    const held = async () => {
      const partitions = (await topicOffsets(kafka.kafka, [topic()])).get(topic())!;
      assert.equal(partitions.length, 3);
      return partitions.reduce((sum, { low, high }) => sum + high - low, 0);
    };
    const before = await held();
    await publisher.publish(topic(), [{ key: 'order-3', value: '{}' }, { key: 'order-4', value: '{}' }]);
    assert.equal((await held()) - before, 2);
  });

  it('given a reader stops, then its group is gone from the broker', async () => {
    const { reader, groupId } = await reading('latest');
    await reader.joined;
    assert.deepEqual(await consumerGroupMembers(kafka.kafka, groupId), { [groupId]: 1 });
    await reader.stop();
    assert.equal(reader.live, false);
    await eventually(async () => !(groupId in (await consumerGroupMembers(kafka.kafka, groupId))), { what: 'the group deleted', timeoutMs: 15_000 });
  });

  it('given a spacing, then records published one at a time come in fewer fetches and batches, all of them in order', async () => {
    const fetchesOf = async (name: string) => (await register.getSingleMetric('messaging_fetches_total')!.get()).values.find((value) => value.labels.consumer === name)?.value ?? 0;
    const key = `order-${randomUUID()}`;
    const read = async (spacingMs: number | undefined, name: string) => {
      const batches: RawRecord[][] = [];
      const reader = new TopicReader({
        broker: kafka.kafka,
        groupId: `${kafka.topicPrefix}${name}-${randomUUID()}`,
        topics: [topic()],
        from: 'latest',
        fetchesAs: name,
        spacingMs,
        onBatch: (batch) => void batches.push(batch.filter((record) => record.key?.toString() === key)),
      });
      readers.push(reader);
      await reader.start();
      return batches;
    };
    const plain = await read(undefined, 'plain-reader');
    const spaced = await read(300, 'spaced-reader');
    // Both hear a first record before the measured ones, so neither is still settling on 'latest'.
    await eventually(
      async () => {
        await publisher.publish(topic(), [{ key: 'warm-up', value: '{}' }]);
        return (await fetchesOf('plain-reader')) > 0 && (await fetchesOf('spaced-reader')) > 0 && plain.length > 0 && spaced.length > 0;
      },
      { what: 'both readers reading', timeoutMs: 30_000, intervalMs: 500 },
    );
    const fetchesBefore = { plain: await fetchesOf('plain-reader'), spaced: await fetchesOf('spaced-reader') };
    for (let n = 0; n < 20; n++) {
      await publisher.publish(topic(), [{ key, value: String(n) }]);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const values = (batches: RawRecord[][]) => batches.flat().map((record) => Number(record.value));
    await eventually(() => values(plain).length === 20 && values(spaced).length === 20, { what: 'all twenty read by both', timeoutMs: 30_000 });
    assert.deepEqual(values(spaced), [...Array(20).keys()], 'in the order published');
    const fetched = { plain: (await fetchesOf('plain-reader')) - fetchesBefore.plain, spaced: (await fetchesOf('spaced-reader')) - fetchesBefore.spaced };
    const batches = { plain: plain.filter((batch) => batch.length > 0).length, spaced: spaced.filter((batch) => batch.length > 0).length };
    // 20 records over ~700 ms: about one fetch each unspaced, about one per 300 ms spaced.
    assert.ok(fetched.spaced * 2 < fetched.plain, `fetches: ${JSON.stringify(fetched)}`);
    assert.ok(batches.spaced <= 6 && batches.plain >= 10, `batches: ${JSON.stringify(batches)}`);
  });

  it('given services creating the same topics at once, then each of them succeeds and every topic is served', async () => {
    const prefix = `${kafka.topicPrefix}race.`;
    try {
      await Promise.all([ensureTopics(kafka.kafka, prefix), ensureTopics(kafka.kafka, prefix), ensureTopics(kafka.kafka, prefix)]);
      const offsets = await topicOffsets(kafka.kafka, [prefixed(prefix, Topics.orderEvents), prefixed(prefix, `${Topics.orderEvents}.dlq`)]);
      assert.deepEqual([...offsets.values()].map((partitions) => partitions.length), [3, 3]);
    } finally {
      await deleteTopicsWithPrefix(kafka.kafka, prefix);
    }
  });
});
