import { allTopics, deadLetterTopic } from '@shopfront/contracts';
import { consumerTimings, countFetches, prefixed, reliableProducer } from '@shopfront/messaging';
import type { Logger } from '@shopfront/observability';
import type { Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { deletePrivateGroup } from '../kafka/private-group.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { describeMessage, type DeadLetter } from '../../domain/dead-letters.js';

interface Parked {
  letter: Omit<DeadLetter, 'redrivenAt'>;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
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
  private readonly groupId = `gateway-dlq-${randomUUID()}`;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.producer = this.kafka.producer(reliableProducer);
    await this.producer.connect();
    const consumer = this.kafka.consumer({ groupId: this.groupId, ...consumerTimings });
    this.consumer = consumer;
    countFetches(consumer, 'gateway.dead-letters');
    await consumer.connect();
    await consumer.subscribe({ topics: allTopics.map((topic) => prefixed(this.topicPrefix, deadLetterTopic(topic))), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const header = (name: string) => (message.headers?.[name] === undefined ? '' : String(message.headers[name]));
        const id = `${topic}/${partition}/${message.offset}`;
        const value = message.value?.toString() ?? '';
        const source = header('x-dlq-source');
        this.parked.set(id, {
          letter: {
            id,
            topic: this.unprefixed(topic),
            sourceTopic: this.unprefixed(source.split('/')[0] || topic.replace(/\.dlq$/, '')),
            consumer: header('x-dlq-consumer'),
            attempts: Number(header('x-dlq-attempts')) || 0,
            error: header('x-dlq-error'),
            at: header('x-dlq-at') || new Date(Number(message.timestamp)).toISOString(),
            ...describeMessage(value),
            message: value,
          },
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
      },
    });
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
        const headers = Object.fromEntries(Object.entries(parked.headers).filter(([name]) => !name.startsWith('x-dlq-')));
        await this.producer!.send({
          topic: prefixed(this.topicPrefix, letter.sourceTopic),
          acks: -1,
          messages: [{ key: parked.key, value: parked.value, headers: { ...headers, 'x-replayed-from': letter.id } }],
        });
        outcomes.push({ id: letter.id, outcome: 'redriven' });
      } catch (error) {
        await this.pool.query('DELETE FROM dead_letter_redrives WHERE dead_letter_id = $1', [letter.id]);
        this.logger.warn({ err: error, deadLetter: letter.id }, 'redrive failed; the dead letter stays');
        outcomes.push({ id: letter.id, outcome: 'failed', error: (error as Error).message });
      }
    }
    return outcomes;
  }

  async stop(): Promise<void> {
    await Promise.all([this.consumer?.disconnect(), this.producer?.disconnect()].map((done) => done?.catch(() => undefined)));
    if (!this.consumer) return;
    await deletePrivateGroup(this.kafka, this.groupId);
  }

  private unprefixed(topic: string): string {
    return this.topicPrefix && topic.startsWith(this.topicPrefix) ? topic.slice(this.topicPrefix.length) : topic;
  }
}
