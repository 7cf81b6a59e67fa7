import { setTimeout as sleep } from 'node:timers/promises';
import { deleteGroup } from './admin.js';
import type { Broker } from './broker.js';
import { GroupReader } from './group-reader.js';

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
  /** Fetches at least this far apart while records flow: for a reader that can take that lag. */
  spacingMs?: number;
  /** A durable group (offsets that record what was done) is kept on stop; a private one is deleted. */
  keepGroup?: boolean;
  /** Each batch of a partition, in offset order; the partition's next batch waits for it. */
  onBatch: (records: RawRecord[]) => void | Promise<void>;
  /** Told when reading failed and is about to start again. */
  onError?: (error: unknown) => void;
}

/**
 * Reads topics in a consumer group of its own, with no inbox and no transaction: for readers that
 * keep what they read in memory (the gateway's live feed and dead-letter index, tools and tests).
 * A failed reading (the broker went away) joins the group again, backing off, until `stop`.
 * A reader that has nothing to resume leaves nothing behind: `stop` deletes its group.
 */
export class TopicReader {
  private group: GroupReader | undefined;
  private reading = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private markJoined: () => void = () => undefined;
  /** Resolves once the reader first joined its group and was given its partitions. */
  readonly joined = new Promise<void>((resolve) => (this.markJoined = resolve));

  constructor(private readonly options: TopicReaderOptions) {}

  /** True while it is a member of its group and reading. */
  get live(): boolean {
    return this.reading;
  }

  /** Resolves once it has joined its group; reading goes on in the background until `stop`. */
  async start(): Promise<void> {
    this.stopping = false;
    const group = await this.join();
    this.loop = this.readOn(group);
  }

  /** Leaves the group and, unless it is kept, deletes it (best effort). */
  async stop(): Promise<void> {
    if (this.stopping || !this.group) return;
    this.stopping = true;
    this.reading = false;
    await this.group.stop();
    await this.loop;
    this.group = undefined;
    if (!this.options.keepGroup) await deleteGroup(this.options.broker, this.options.groupId);
  }

  private async join(): Promise<GroupReader> {
    const { broker, groupId, topics, from, fetchesAs, spacingMs, onBatch } = this.options;
    const group = new GroupReader({
      broker,
      groupId,
      topics,
      from,
      fetchesAs,
      spacingMs,
      partitionsConcurrently: 1,
      onBatch: async (batch) => {
        if (batch.records.length > 0) await onBatch(batch.records);
        // A reader keeps no offsets of its own beyond this process; a kept group records how far it got.
        if (this.options.keepGroup) await group.commit([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(batch.records.at(-1)!.offset) + 1n) }]);
      },
    });
    this.group = group;
    try {
      await group.join();
    } catch (error) {
      await group.stop();
      throw error;
    }
    // A stop that came while it was joining has stopped this group too: not live then.
    this.reading = !this.stopping;
    this.markJoined();
    return group;
  }

  /** Reads until stopped; after a failure, joins again with a growing pause. */
  private async readOn(joined: GroupReader): Promise<void> {
    let group: GroupReader | undefined = joined;
    for (let attempt = 0; !this.stopping; attempt = group ? 0 : attempt + 1) {
      if (group) {
        try {
          return await group.read(); // resolves only once stopped
        } catch (error) {
          this.reading = false;
          if (this.stopping) return;
          this.options.onError?.(error);
          await group.stop();
        }
      }
      await sleep(Math.min(200 * 2 ** attempt, 5_000));
      if (this.stopping) return;
      group = await this.join().catch((error: unknown) => (this.options.onError?.(error), undefined));
    }
  }
}
