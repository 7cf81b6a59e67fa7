import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import { clientOf, type Broker } from './broker.js';
import { fetches } from './fetches.js';
import { consumerTimings } from './kafka.js';
import type { PartitionOffset } from './offset-commits.js';
import type { RawRecord } from './reader.js';

/** One partition's records from one read, in offset order. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  records: RawRecord[];
}

export interface GroupReaderOptions {
  broker: Broker;
  groupId: string;
  /** As the broker names them, prefix included. */
  topics: readonly string[];
  /** Where a group with no committed offsets starts. */
  from: 'beginning' | 'latest';
  /** Partitions whose batches are handled at the same time; one partition's batches never overlap. */
  partitionsConcurrently: number;
  /** Counted under this name in `messaging_fetches_total`; uncounted without one. */
  fetchesAs?: string | undefined;
  /**
   * Reads at least this far apart while records flow, for a reader that can take that lag: what
   * arrives meanwhile comes in one fetch and one batch instead of one each. The stream is paused
   * for the rest of the interval, so no fetch is sent meanwhile. The first record after a quiet
   * spell is not delayed.
   */
  spacingMs?: number | undefined;
  /**
   * Each batch of a partition. `live()` turns false once the partition was taken away or the reader
   * stops: work still to do for it can be left, the partition's new owner reads it again.
   * What it throws ends this reading (`read` rejects with it).
   */
  onBatch: (batch: PartitionBatch, live: () => boolean) => Promise<void>;
}

/**
 * A member of a consumer group reading its partitions as batches, for MessageConsumer and
 * TopicReader. The client heartbeats on a timer of its own, so a batch that waits out a database
 * outage keeps its partitions. One reading lasts until `stop` or until the client fails; the
 * caller decides whether to read again (ADR 0019).
 */
export class GroupReader {
  private readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private stopping = false;
  private failure!: (error: unknown) => void;
  /** Rejects at the first failure of the client; every wait in `read` races it. */
  private readonly failed = new Promise<never>((_, reject) => (this.failure = reject));
  private wake: (() => void) | undefined;
  private fetchedAt = 0;

  constructor(private readonly options: GroupReaderOptions) {
    this.consumer = new Consumer({
      ...clientOf(options.broker),
      groupId: options.groupId,
      sessionTimeout: consumerTimings.sessionTimeout,
      heartbeatInterval: consumerTimings.heartbeatInterval,
      // How long the group waits for every member to rejoin; the client's default is 102 s.
      rebalanceTimeout: 20_000,
    });
    this.failed.catch(() => undefined);
    // The client reports a group it could not rejoin here; unheard, an 'error' event would end the process.
    this.consumer.on('error', (error: unknown) => this.failure(error));
  }

  /** Joins the group; resolves once it holds its partitions and the stream is open. */
  async join(): Promise<void> {
    const { topics, from, fetchesAs } = this.options;
    const stream = await this.consumer.consume({
      topics: [...topics],
      mode: 'committed',
      fallbackMode: from === 'beginning' ? 'earliest' : 'latest',
      autocommit: false,
      minBytes: 1,
      maxWaitTime: consumerTimings.maxWaitTime,
      highWaterMark: 1_000,
    });
    this.stream = stream;
    stream.on('fetch', () => {
      this.fetchedAt = Date.now();
      if (fetchesAs) fetches.inc({ consumer: fetchesAs });
    });
    stream.on('readable', () => {
      // Paused here, before the client sends its next fetch (it does so right after this event),
      // so that what arrives while these records are handled waits for one later fetch.
      if (this.options.spacingMs) stream.pause();
      this.wake?.();
    });
    stream.on('error', (error: unknown) => this.failure(error));
    // Closed by `stop`: the wait for records ends. Closed otherwise: the reading has failed.
    stream.on('close', () => (this.stopping ? this.wake?.() : this.failure(new Error(`the stream of group ${this.options.groupId} closed`))));
  }

  /** Reads until `stop` (resolves) or a failure of the client or of `onBatch` (rejects). */
  async read(): Promise<void> {
    const stream = this.stream!;
    while (!this.stopping) {
      const records = await Promise.race([this.take(stream), this.failed]);
      if (this.stopping) return;
      // Not raced with a failure: a batch in hand runs to its end, so no two readers ever apply it at once.
      await this.handle(records);
      await this.space(stream);
    }
  }

  /** True while `partition` of `topic` is this member's. */
  owns(topic: string, partition: number): boolean {
    return !this.stopping && (this.consumer.assignments ?? []).some((assigned) => assigned.topic === topic && assigned.partitions.includes(partition));
  }

  /** Records in Kafka how far the group got (offsets one past the last record dealt with). */
  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    const leaderEpoch = -1;
    await this.consumer.commit({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: BigInt(offset), leaderEpoch })) });
  }

  /** Leaves the group (its partitions go to the other members at once) and closes every connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await new Promise<void>((resolve) => (this.stream ? this.stream.close(() => resolve()) : resolve()));
    await this.consumer.close(true).catch(() => undefined);
  }

  /** Waits for records, then takes every one the stream holds: what one fetch brought comes as one read. */
  private async take(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<Message<Buffer, Buffer, Buffer, Buffer>[]> {
    for (;;) {
      const records: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
      for (let record = stream.read(); record !== null; record = stream.read()) records.push(record);
      if (records.length > 0 || this.stopping) return records;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Each partition's records as one batch; up to `partitionsConcurrently` partitions at a time. */
  private async handle(records: Message<Buffer, Buffer, Buffer, Buffer>[]): Promise<void> {
    const batches = new Map<string, PartitionBatch>();
    for (const record of records) {
      const key = `${record.topic}\u0000${record.partition}`;
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = { topic: record.topic, partition: record.partition, records: [] }));
      batch.records.push(rawRecord(record));
    }
    const queue = [...batches.values()];
    const worker = async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        const { topic, partition } = batch;
        await this.options.onBatch(batch, () => this.owns(topic, partition));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.partitionsConcurrently, queue.length) }, worker));
  }

  /** Holds the next fetch until `spacingMs` after the last one, in short slices so a stop is not held up. */
  private async space(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    const { spacingMs } = this.options;
    if (!spacingMs) return;
    for (let wait = this.fetchedAt + spacingMs - Date.now(); wait > 0 && !this.stopping; wait = this.fetchedAt + spacingMs - Date.now()) {
      await sleep(Math.min(wait, 50));
    }
    stream.resume();
  }
}

function rawRecord(record: Message<Buffer, Buffer, Buffer, Buffer>): RawRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of record.headers) headers[name.toString()] = value == null ? '' : value.toString();
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset.toString(),
    key: record.key ?? null,
    value: record.value ?? null,
    headers,
    timestamp: Number(record.timestamp),
  };
}
