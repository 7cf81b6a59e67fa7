import { allTopics, deadLetterTopic } from '@shopfront/contracts';
import { prefixed, RecordPublisher, TopicReader, type Broker, type RawRecord } from '@shopfront/messaging';
import type { Logger } from '@shopfront/observability';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { describeMessage, type DeadLetter } from '../../domain/dead-letters.js';

interface Parked {
  letter: Omit<DeadLetter, 'redrivenAt'>;
  record: RawRecord;
}

export interface RedriveOutcome {
  id: string;
  outcome: 'redriven' | 'already_redriven' | 'failed';
  error?: string;
}

/**
 * Every dead letter of every `<topic>.dlq`, read from the beginning by a
 * consumer group of this replica's own and kept in memory (dead letters are
 * few: they are messages bad in themselves). Which were redriven is kept in
 * Postgres, shared by the replicas: a dead letter goes back at most once.
 */
export class DeadLetterIndex {
  private readonly parked = new Map<string, Parked>();
  private readonly reader: TopicReader;
  private readonly publisher: RecordPublisher;

  constructor(
    kafka: Broker,
    private readonly topicPrefix: string,
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {
    this.publisher = new RecordPublisher(kafka);
    this.reader = new TopicReader({
      broker: kafka,
      groupId: `gateway-dlq-${randomUUID()}`,
      topics: allTopics.map((topic) => prefixed(topicPrefix, deadLetterTopic(topic))),
      from: 'beginning',
      fetchesAs: 'gateway.dead-letters',
      onBatch: (records) => records.forEach((record) => this.park(record)),
      onError: (error) => this.logger.warn({ err: error }, 'dead-letter index lost its broker; reading again'),
    });
  }

  async start(): Promise<void> {
    await this.publisher.connect();
    await this.reader.start();
  }

  /** Every dead letter, each marked with when it was redriven (one query, whatever the count). */
  async all(): Promise<DeadLetter[]> {
    const ids = [...this.parked.keys()];
    const { rows } = await this.pool.query<{ dead_letter_id: string; redriven_at: Date }>(
      'SELECT dead_letter_id, redriven_at FROM dead_letter_redrives WHERE dead_letter_id = ANY($1::text[])',
      [ids],
    );
    const redriven = new Map(rows.map((row) => [row.dead_letter_id, row.redriven_at.toISOString()]));
    return [...this.parked.values()].map(({ letter }) => ({ ...letter, redrivenAt: redriven.get(letter.id) ?? null }));
  }

  /**
   * Sends each back to its source topic, at most `ratePerS` a second. The
   * claim row is written first: of two replicas or two clicks, one sends.
   * The message keeps its id, so a consumer that already applied it skips it.
   */
  async redrive(letters: DeadLetter[], actor: string, ratePerS: number): Promise<RedriveOutcome[]> {
    const outcomes: RedriveOutcome[] = [];
    for (const [index, letter] of letters.entries()) {
      if (index > 0) await sleep(1000 / ratePerS);
      const parked = this.parked.get(letter.id);
      const claim = await this.pool.query('INSERT INTO dead_letter_redrives (dead_letter_id, actor) VALUES ($1, $2) ON CONFLICT DO NOTHING', [letter.id, actor]);
      if (claim.rowCount === 0 || !parked) {
        outcomes.push({ id: letter.id, outcome: 'already_redriven' });
        continue;
      }
      try {
        // The original headers go back with it (trace context included), so the redrive joins the order's trace.
        const headers = Object.fromEntries(Object.entries(parked.record.headers).filter(([name]) => !name.startsWith('x-dlq-')));
        await this.publisher.publish(prefixed(this.topicPrefix, letter.sourceTopic), [
          { key: parked.record.key, value: parked.record.value, headers: { ...headers, 'x-replayed-from': letter.id } },
        ]);
        outcomes.push({ id: letter.id, outcome: 'redriven' });
      } catch (error) {
        await this.pool.query('DELETE FROM dead_letter_redrives WHERE dead_letter_id = $1', [letter.id]);
        this.logger.warn({ err: error, deadLetter: letter.id }, 'redrive failed; the dead letter stays');
        outcomes.push({ id: letter.id, outcome: 'failed', error: (error as Error).message });
      }
    }
    return outcomes;
  }

  /** Leaves its group and deletes it: the next start reads every dead letter again anyway. */
  async stop(): Promise<void> {
    await Promise.all([this.reader.stop(), this.publisher.disconnect().catch(() => undefined)]);
  }

  /** Keeps a dead letter in memory, as the operations console lists it, with its record for a redrive. */
  private park(record: RawRecord): void {
    const { topic, partition, offset, headers } = record;
    const header = (name: string) => headers[name] ?? '';
    const id = `${topic}/${partition}/${offset}`;
    const value = record.value?.toString() ?? '';
    const source = header('x-dlq-source');
    this.parked.set(id, {
      letter: {
        id,
        topic: this.unprefixed(topic),
        sourceTopic: this.unprefixed(source.split('/')[0] || topic.replace(/\.dlq$/, '')),
        consumer: header('x-dlq-consumer'),
        attempts: Number(header('x-dlq-attempts')) || 0,
        error: header('x-dlq-error'),
        at: header('x-dlq-at') || new Date(record.timestamp).toISOString(),
        ...describeMessage(value),
        message: value,
      },
      record,
    });
  }

  private unprefixed(topic: string): string {
    return this.topicPrefix && topic.startsWith(this.topicPrefix) ? topic.slice(this.topicPrefix.length) : topic;
  }
}
