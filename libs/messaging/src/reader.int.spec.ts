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
import { prefixed } from './kafka.js';
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
    // kafkajs reads where 'latest' is at its first fetch, just after the join: published until one is heard.
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
});
