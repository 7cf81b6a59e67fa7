import type { Consumer, KafkaMessage } from 'kafkajs';
import { deleteGroup } from './admin.js';
import { clientOf, type Broker } from './broker.js';
import { countFetches, spaceFetches } from './fetches.js';
import { consumerTimings } from './kafka.js';

/** A record as it is on the broker, before any contract is applied to it. */
export interface RawRecord {
  /** As the broker names it, prefix included. */
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as the producer stamped it. */
  timestamp: number;
}

export interface TopicReaderOptions {
  broker: Broker;
  /** Unique to this process (a random suffix) unless `keepGroup`: the group is deleted on stop. */
  groupId: string;
  /** As the broker names them, prefix included. */
  topics: readonly string[];
  /** Where a group with no offsets starts: 'latest' hears only what arrives after it joined. */
  from: 'beginning' | 'latest';
  /** Its fetches are counted under this name in `messaging_fetches_total`; uncounted without one. */
  fetchesAs?: string;
  /** Fetches at least this far apart while records flow (spaceFetches): for a reader that can take that lag. */
  spacingMs?: number;
  /** A durable group (offsets that record what was done) is kept on stop; a private one is deleted. */
  keepGroup?: boolean;
  /** Each batch of a partition, in offset order; the partition's next batch waits for it. */
  onBatch: (records: RawRecord[]) => void | Promise<void>;
}

/**
 * Reads topics in a consumer group of its own, with no inbox and no transaction: for readers that
 * keep what they read in memory (the gateway's live feed and dead-letter index, tools and tests).
 * A reader that has nothing to resume leaves nothing behind: `stop` deletes its group.
 */
export class TopicReader {
  private consumer: Consumer | undefined;
  private reading = false;
  private markJoined: () => void = () => undefined;
  /** Resolves once the reader first joined its group and was given its partitions. */
  readonly joined = new Promise<void>((resolve) => (this.markJoined = resolve));

  constructor(private readonly options: TopicReaderOptions) {}

  /** True while it is a member of its group and reading. */
  get live(): boolean {
    return this.reading;
  }

  /** Resolves once it is connected and subscribed; it joins its group right after. */
  async start(): Promise<void> {
    const { broker, groupId, topics, from, fetchesAs, spacingMs, onBatch } = this.options;
    const consumer = clientOf(broker).consumer({ groupId, ...consumerTimings });
    this.consumer = consumer;
    if (fetchesAs) countFetches(consumer, fetchesAs);
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.reading = true;
      this.markJoined();
    });
    // Not live while it is not reading, until it joins again (kafkajs restarts it after a retriable crash).
    consumer.on(consumer.events.CRASH, () => (this.reading = false));
    consumer.on(consumer.events.STOP, () => (this.reading = false));
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: from === 'beginning' });
    const spaced = spacingMs ? spaceFetches(consumer, spacingMs) : undefined;
    await consumer.run({
      eachBatch: async ({ batch }) => {
        if (batch.messages.length > 0) await onBatch(batch.messages.map((message) => rawRecord(batch.topic, batch.partition, message)));
        await spaced?.();
      },
    });
  }

  /** Leaves the group and, unless it is kept, deletes it (best effort). */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.consumer = undefined;
    await consumer.disconnect().catch(() => undefined);
    if (!this.options.keepGroup) await deleteGroup(this.options.broker, this.options.groupId);
  }
}

function rawRecord(topic: string, partition: number, message: KafkaMessage): RawRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = value == null ? '' : String(value);
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers, timestamp: Number(message.timestamp) };
}
