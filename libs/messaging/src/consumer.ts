import { setTimeout as sleep } from 'node:timers/promises';
import { parseMessage, type Message, type Topic } from '@shopfront/contracts';
import type pg from 'pg';
import { Counter } from 'prom-client';
import { applyBatch, applyOne, type BatchHooks, type Parsed } from './apply.js';

export type { BatchHooks } from './apply.js';
import type { Broker } from './broker.js';
import { deadLetter } from './dead-letter.js';
import { ConsumerCrash, isInfrastructureFailure, isTransient as defaultIsTransient } from './errors.js';
import { GroupReader, type PartitionBatch } from './group-reader.js';
import { ensureTopics, prefixed } from './kafka.js';
import { OffsetCommits } from './offset-commits.js';
import { openProducer } from './producer.js';
import type { RawRecord } from './reader.js';
import { RenewingProducer } from './renewing-producer.js';

export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  attempt: number;
}

/** Applies one message's effect inside `tx`; whatever it enqueues in the outbox commits with it. */
export type MessageHandler = (message: Message, tx: pg.PoolClient, delivery: Delivery) => Promise<void>;

export interface ConsumerOptions {
  kafka: Broker;
  pool: pg.Pool;
  /** Kafka group id and inbox consumer name: one per logical consumer. */
  name: string;
  topics: Topic[];
  topicPrefix?: string;
  handle: MessageHandler;
  /**
   * The message types the handler acts on. Any other type on its topics is passed over without a
   * transaction or an inbox row (it has no effect to guard), and the offset moves past it: on a topic
   * several services read, most deliveries are for someone else. Absent: every type is handled.
   */
  handles?: readonly string[] | undefined;
  /** Once-per-transaction work of the handler (locks taken up front, announcements coalesced). */
  batch?: BatchHooks | undefined;
  /**
   * Most messages applied in one transaction. A fetch can bring thousands after a backlog: applied in
   * chunks, with an offset commit after each, a long batch never outlives the session
   * nor holds its locks for seconds.
   */
  maxBatchMessages?: number;
  /**
   * For readers that may lag: fetches at least this far apart while messages flow (spaceFetches), so
   * messages that arrive meanwhile share one fetch, one transaction and one offset commit instead of
   * one each. The first message after a quiet spell is not delayed; later ones wait up to this long.
   * Never for a step of a saga, where every hop's delay adds to the order's.
   */
  lingerMs?: number;
  /**
   * How often offsets are committed to Kafka (OffsetCommits): at most once per this many ms,
   * instead of after every batch. Default 1000; 0 commits after every batch.
   */
  commitIntervalMs?: number;
  /** Attempts for a message that fails by itself (a bug, a handler's TransientError) before its dead letter. */
  maxAttempts?: number;
  retryBaseMs?: number;
  /** Longest pause between attempts while the database or broker is down. */
  retryCapMs?: number;
  isTransient?: (error: unknown) => boolean;
  partitionsConsumedConcurrently?: number;
  /** How long infrastructure may fail before the consumer reports itself not ready. */
  unhealthyAfterMs?: number;
  onError?: (error: unknown, message: Message | undefined, attempt: number) => void;
  /**
   * Runs before each batch; what it throws crashes the consumer as a bug in the loop would (it leaves its
   * group and starts again). For chaos drills: the runtime wires it to the `consumer` fault target.
   */
  beforeBatch?: () => Promise<void>;
}

export interface ConsumerHealth {
  ok: boolean;
  detail?: string;
}

export const consumed = new Counter({
  name: 'messaging_consumed_total',
  help: 'Messages consumed, by consumer, type and outcome',
  labelNames: ['consumer', 'type', 'outcome'],
});

const batches = new Counter({
  name: 'messaging_batches_total',
  help: 'Batches applied in one transaction, by consumer and outcome',
  labelNames: ['consumer', 'outcome'],
});

/**
 * An idempotent Kafka consumer, one transaction per batch of a partition.
 *
 * Each batch: every message is checked against its contract (a message that
 * fails that is bad in itself: dead-lettered at once); the rest are claimed in
 * the inbox with one multi-row insert and applied in one transaction, so a batch
 * of fifty costs one commit, not fifty. Duplicates find their claim and are skipped.
 * If a handler throws, the batch is rolled back and applied again one message at
 * a time, so only the failing message pays: bounded attempts, then its dead letter.
 * A failing database or broker is never the message's fault: the partition stays
 * where it is, the consumer backs off and retries without limit, and reports not
 * ready until it succeeds. Offsets move only past committed or dead-lettered work.
 */
export class MessageConsumer {
  private group: GroupReader | undefined;
  private producer: RenewingProducer | undefined;
  private failingSince: number | undefined;
  private lastFailure: string | undefined;
  private crashed: string | undefined;
  private stopping = false;
  private commits: OffsetCommits | undefined;

  constructor(private readonly options: ConsumerOptions) {}

  async start(): Promise<void> {
    this.stopping = false;
    const { name, topics, topicPrefix, kafka } = this.options;
    // Dead letters go out through a producer renewed after a failed send, as the relay's does.
    this.producer = new RenewingProducer(() => openProducer(kafka));
    await this.producer.connect();
    const group = new GroupReader({
      broker: kafka,
      groupId: prefixed(topicPrefix, name),
      topics: topics.map((topic) => prefixed(topicPrefix, topic)),
      from: 'beginning',
      partitionsConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      fetchesAs: name,
      spacingMs: this.options.lingerMs,
      onBatch: (batch, live) => this.consumeBatch(batch, () => live() && !this.stopping),
    });
    this.group = group;
    // Offsets go to Kafka through OffsetCommits, once per interval, not after every batch.
    this.commits = new OffsetCommits((offsets) => group.commit(offsets), this.options.commitIntervalMs ?? 1_000, (error) => this.options.onError?.(error, undefined, 0));
    await group.join();
    this.crashed = undefined;
    void group.read().catch((error: unknown) => this.afterCrash(group, error));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // While still a member of the group: after it leaves, Kafka takes no commit from it.
    await this.commits?.flush();
    await this.group?.stop();
    await this.producer?.disconnect();
  }

  /** Not ready while crashed or while infrastructure has failed for longer than the grace. */
  health(): ConsumerHealth {
    if (this.crashed) return { ok: false, detail: `crashed: ${this.crashed}` };
    const grace = this.options.unhealthyAfterMs ?? 5_000;
    if (this.failingSince !== undefined && Date.now() - this.failingSince > grace) {
      return { ok: false, detail: `retrying since ${new Date(this.failingSince).toISOString()}: ${this.lastFailure}` };
    }
    return { ok: true };
  }

  /** The group's reading failed (the broker went away, a bug in the loop): leave, and start again until it holds. */
  private async afterCrash(group: GroupReader, error: unknown): Promise<void> {
    if (this.stopping || group !== this.group) return;
    // Its partitions are read again from the last commit that landed; the inbox drops what was done since.
    this.commits?.discard();
    this.crashed = String((error as Error)?.message ?? error);
    this.options.onError?.(error, undefined, 0);
    for (let attempt = 1; !this.stopping; attempt++) {
      await this.group?.stop();
      await this.producer?.disconnect();
      await sleep(Math.min(250 * 2 ** attempt, this.options.retryCapMs ?? 5_000));
      if (this.stopping) return;
      try {
        // A broker that lost its data (replaced, wiped) comes back without the platform's topics.
        await ensureTopics(this.options.kafka, this.options.topicPrefix);
        await this.start();
        return;
      } catch (failure) {
        this.crashed = String((failure as Error)?.message ?? failure);
      }
    }
  }

  /** A partition's batch, in chunks of at most `maxBatchMessages`, each committed before the next. */
  private async consumeBatch(batch: PartitionBatch, live: () => boolean): Promise<void> {
    await this.options.beforeBatch?.().catch((error: unknown) => {
      throw new ConsumerCrash(`consumer ${this.options.name} crashed before a batch: ${(error as Error).message}`, { cause: error });
    });
    const size = this.options.maxBatchMessages ?? 200;
    for (let from = 0; from < batch.records.length; from += size) {
      const done = await this.consumeChunk(batch, batch.records.slice(from, from + size), live);
      if (done === undefined) return;
      await this.commits!.done(batch.topic, batch.partition, done);
    }
  }

  /** Returns the offset of the chunk's last message once dealt with, or undefined if it must be delivered again. */
  private async consumeChunk(batch: PartitionBatch, messages: RawRecord[], live: () => boolean): Promise<string | undefined> {
    if (messages.length === 0) return undefined;
    const parsed: Parsed[] = [];
    const invalid: { raw: RawRecord; error: unknown }[] = [];
    for (const raw of messages) {
      try {
        parsed.push({ raw, message: parseMessage(raw.value?.toString() ?? '') });
      } catch (error) {
        invalid.push({ raw, error });
      }
    }
    const { handles } = this.options;
    const wanted: Parsed[] = [];
    for (const entry of parsed) {
      if (!handles || handles.includes(entry.message.type)) wanted.push(entry);
      else consumed.inc({ consumer: this.options.name, type: entry.message.type, outcome: 'passed-over' });
    }
    const context = { ...this.options, topic: batch.topic, partition: batch.partition };
    const fastPath = await this.untilInfrastructureAnswers(() => applyBatch(context, wanted), live);
    if (fastPath === 'stale') return undefined;
    if (fastPath.outcome === 'failed') {
      batches.inc({ consumer: this.options.name, outcome: 'split' });
      for (const entry of wanted) {
        if (!live()) return undefined;
        const result = await this.untilInfrastructureAnswers(() => this.applyWithAttempts(context, entry), live);
        if (result === 'stale') return undefined;
      }
    } else {
      batches.inc({ consumer: this.options.name, outcome: 'applied' });
      wanted.forEach((entry, i) => consumed.inc({ consumer: this.options.name, type: entry.message.type, outcome: fastPath.processed[i] ? 'processed' : 'duplicate' }));
    }
    for (const { raw, error } of invalid) {
      const sent = await this.untilInfrastructureAnswers(() => this.sendDeadLetter(batch.topic, batch.partition, raw, error, 1, undefined), live);
      if (sent === 'stale') return undefined;
    }
    return messages[messages.length - 1]!.offset;
  }

  /** One message in its own transaction: bounded attempts for its own failures, then its dead letter. */
  private async applyWithAttempts(context: Parameters<typeof applyOne>[0], entry: Parsed): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const transient = this.options.isTransient ?? defaultIsTransient;
    for (let attempt = 1; ; attempt++) {
      try {
        const fresh = await applyOne(context, entry, attempt);
        consumed.inc({ consumer: this.options.name, type: entry.message.type, outcome: fresh ? 'processed' : 'duplicate' });
        return;
      } catch (error) {
        if (isInfrastructureFailure(error)) throw error;
        this.options.onError?.(error, entry.message, attempt);
        if (!transient(error) || attempt >= maxAttempts) {
          await this.sendDeadLetter(context.topic, context.partition, entry.raw, error, attempt, entry.message);
          return;
        }
        const base = (this.options.retryBaseMs ?? 200) * 2 ** (attempt - 1);
        await sleep(base / 2 + Math.random() * base);
      }
    }
  }

  private async sendDeadLetter(topic: string, partition: number, raw: RawRecord, error: unknown, attempts: number, message: Message | undefined) {
    await deadLetter(this.producer!, { consumer: this.options.name, topicPrefix: this.options.topicPrefix, topic, partition, raw, error, attempts });
    consumed.inc({ consumer: this.options.name, type: message?.type ?? 'invalid', outcome: 'dead_lettered' });
  }

  /**
   * Runs `work` until it gets past any infrastructure failure, backing off up to
   * the cap (the client heartbeats meanwhile on its own timer); 'stale' when the
   * partition was taken away meanwhile.
   */
  private async untilInfrastructureAnswers<T>(work: () => Promise<T>, live: () => boolean): Promise<T | 'stale'> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        this.failingSince = undefined;
        return result;
      } catch (error) {
        if (!isInfrastructureFailure(error)) throw error;
        this.failingSince ??= Date.now();
        this.lastFailure = String((error as Error)?.message ?? error);
        this.options.onError?.(error, undefined, attempt);
        const cap = this.options.retryCapMs ?? 5_000;
        const base = Math.min((this.options.retryBaseMs ?? 200) * 2 ** Math.min(attempt - 1, 10), cap);
        await sleep(base / 2 + Math.random() * (base / 2));
        if (!live()) return 'stale';
      }
    }
  }
}
