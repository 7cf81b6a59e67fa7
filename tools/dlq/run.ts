/**
 * `npm run dlq -- list [topic]` shows dead letters with the consumer, attempts and error;
 * `npm run dlq -- replay <topic>` sends each dead letter of `<topic>.dlq` back to its
 * source topic, once (the replayer's consumer group remembers what it replayed).
 * A replayed message keeps its id: consumers that already applied it skip it (inbox).
 */
import { allTopics, deadLetterTopic } from '@shopfront/contracts';
import { createKafka, prefixed, RecordPublisher, topicOffsets, TopicReader, type PartitionOffsets } from '@shopfront/messaging';
import { randomUUID } from 'node:crypto';

const [command = 'list', topicArg] = process.argv.slice(2);
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const kafka = createKafka({ clientId: 'dlq-tool', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), topicPrefix: prefix });

if (!['list', 'replay'].includes(command) || (command === 'replay' && !topicArg)) {
  console.log('usage: npm run dlq -- list [topic] | replay <topic>\ntopics: ' + allTopics.join(', '));
  process.exit(2);
}
const topics = (topicArg ? [topicArg] : allTopics).map((topic) => prefixed(prefix, deadLetterTopic(topic)));

const pending = new Map<string, number>();
for (const topic of topics) {
  const offsets = await topicOffsets(kafka, [topic]).then((found) => found.get(topic) ?? [], (): PartitionOffsets[] => []);
  const total = offsets.reduce((sum, partition) => sum + partition.high - partition.low, 0);
  if (total > 0) pending.set(topic, total);
}
if (pending.size === 0) {
  console.log('no dead letters');
  process.exit(0);
}

// Listing reads everything with a throwaway group; replaying uses a durable one so nothing is replayed twice.
const groupId = command === 'list' ? `dlq-list-${randomUUID()}` : prefixed(prefix, 'dlq-replayer');
const publisher = new RecordPublisher(kafka);
let seen = 0;
let idle: NodeJS.Timeout | undefined;
let resolveFinished: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
const armIdle = () => {
  clearTimeout(idle);
  idle = setTimeout(resolveFinished, 3_000);
};
const reader = new TopicReader({
  broker: kafka,
  groupId,
  topics: [...pending.keys()],
  from: 'beginning',
  // The replayer's group is what remembers what was replayed; a listing's is thrown away.
  keepGroup: command === 'replay',
  onBatch: async (records) => {
    for (const { topic, key, value: bytes, headers } of records) {
      armIdle();
      seen++;
      const header = (name: string) => headers[name] ?? '';
      const source = header('x-dlq-source');
      const value = String(bytes);
      const type = /"type":"([^"]+)"/.exec(value)?.[1] ?? '?';
      console.log(`${topic}  ${type.padEnd(22)} consumer=${header('x-dlq-consumer')} attempts=${header('x-dlq-attempts')} at=${header('x-dlq-at')}\n    source=${source} error=${header('x-dlq-error')}`);
      if (command === 'replay') {
        const sourceTopic = source.split('/')[0] || topic.replace(/\.dlq$/, '');
        // The original headers go back with it (trace context included), so the replay joins the order's trace.
        const original = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('x-dlq-')));
        await publisher.publish(sourceTopic, [{ key, value: bytes, headers: { ...original, 'x-replayed-from': topic } }]);
        console.log(`    replayed to ${sourceTopic}`);
      }
    }
  },
});
await publisher.connect();
armIdle();
await reader.start();
await finished;
await Promise.all([reader.stop(), publisher.disconnect()]);
console.log(`${seen} dead letter(s) ${command === 'replay' ? 'replayed' : 'listed'}`);
