import { parseMessage, type Message, type MessageType, type Topic } from '@shopfront/contracts';
import { prefixed, RecordPublisher, TopicReader, type RawRecord } from '@shopfront/messaging';
import { randomUUID } from 'node:crypto';
import type { TestKafka } from './kafka.js';

/** A platform topic or its dead-letter twin. */
export type TappedTopic = Topic | `${Topic}.dlq`;

/** A message as a test saw it on the broker: where it came from, under which key, with which headers. */
export interface RecordedMessage<T extends MessageType = MessageType> {
  topic: TappedTopic;
  key: string | null;
  headers: Record<string, string>;
  message: Message<T>;
}

/**
 * Drives a service under test from the outside, the way its peers do: publishes
 * messages on the platform's topics, and records everything that appears on
 * some of them (from the beginning, under the test's prefix) for assertions.
 */
export class MessageTap {
  private readonly seen: RecordedMessage[] = [];
  private readonly reader: TopicReader;
  private readonly publisher: RecordPublisher;

  private constructor(
    private readonly test: TestKafka,
    topics: TappedTopic[],
  ) {
    this.publisher = new RecordPublisher(test.kafka);
    this.reader = new TopicReader({
      broker: test.kafka,
      groupId: `${test.topicPrefix}tap-${randomUUID()}`,
      topics: topics.map((topic) => prefixed(test.topicPrefix, topic)),
      from: 'beginning',
      onBatch: (records) => void this.seen.push(...records.map((record) => this.recorded(record))),
    });
  }

  static async open(test: TestKafka, topics: TappedTopic[]): Promise<MessageTap> {
    const tap = new MessageTap(test, topics);
    await tap.publisher.connect();
    await tap.reader.start();
    return tap;
  }

  /** Publishes as is (a test may publish one envelope twice), keyed by the order it concerns. */
  async publish(topic: Topic, ...messages: Message[]): Promise<void> {
    await this.publisher.publish(
      prefixed(this.test.topicPrefix, topic),
      messages.map((message) => ({ key: keyOf(message), value: JSON.stringify(message) })),
    );
  }

  /** Recorded so far, optionally of some types and for one key (an orderId, or a SKU). */
  messages<T extends MessageType = MessageType>(filter: { types?: readonly T[]; key?: string; topic?: TappedTopic } = {}): RecordedMessage<T>[] {
    return this.seen.filter(
      (entry) =>
        (!filter.types || (filter.types as readonly string[]).includes(entry.message.type)) &&
        (filter.key === undefined || entry.key === filter.key) &&
        (!filter.topic || entry.topic === filter.topic),
    ) as RecordedMessage<T>[];
  }

  /** Types recorded for one key, in arrival order. */
  typesOf(key: string, topic?: TappedTopic): string[] {
    return this.messages({ key, topic }).map((entry) => entry.message.type);
  }

  async close(): Promise<void> {
    await this.reader.stop();
    await this.publisher.disconnect();
  }

  private recorded(record: RawRecord): RecordedMessage {
    return {
      topic: record.topic.slice(this.test.topicPrefix.length) as TappedTopic,
      key: record.key?.toString() ?? null,
      headers: record.headers,
      message: parseMessage(record.value ?? ''),
    };
  }
}

const keyOf = (message: Message): string => {
  const data = message.data as { orderId?: string; sku?: string };
  return data.orderId ?? data.sku ?? message.correlationId;
};
