export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read: one past the last message dealt with. */
  offset: string;
}

/**
 * Tells Kafka how far a consumer got, at most once per interval instead of
 * after every batch. A batch's effects are committed in Postgres before its
 * offset is handed here, so what an offset covers is never lost, only possibly
 * delivered again after a crash or a rebalance, where the inbox drops it. An
 * offset commit is a request the broker writes to its own log: per batch, it
 * was a third of the platform's Kafka requests (docs/performance.md, "Fifth pass").
 *
 * Commits go one at a time and in order, so an older one never lands after a newer one.
 * A commit Kafka refuses (the partition moved to another member meanwhile) is dropped:
 * the new owner starts from the last commit that landed and its inbox skips the repeats.
 */
export class OffsetCommits {
  private readonly pending = new Map<string, PartitionOffset>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly commit: (offsets: PartitionOffset[]) => Promise<void>,
    /** 0: every batch's offset is committed at once, as kafkajs's auto-commit does. */
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** The message at `offset` and everything before it on this partition is dealt with. */
  done(topic: string, partition: number, offset: string): Promise<void> {
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    if (this.intervalMs === 0) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
    return Promise.resolve();
  }

  /** Sends what is pending now (on stop, before the consumer leaves its group); resolves once it landed or was dropped. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.chain;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.chain = this.chain.then(() => this.commit(offsets).catch(this.onError));
    return this.chain;
  }

  /** Forgets what is pending without sending it (the consumer crashed: its partitions are re-read from the last commit). */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
