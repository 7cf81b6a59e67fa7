import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { Counter, Gauge } from 'prom-client';
import { PollPause, withTransaction } from '@shopfront/postgres';
import { prefixed, reliableProducer } from './kafka.js';
import { contextFromHeaders, messagingTracer, orderIdOf, traceHeaders } from './trace-context.js';

interface OutboxRow {
  id: number;
  topic: string;
  message_key: string;
  message_id: string;
  message_type: string;
  payload: unknown;
  headers: Record<string, string>;
}

export interface RelayOptions {
  pool: pg.Pool;
  kafka: Kafka;
  service: string;
  topicPrefix?: string;
  batchSize?: number;
  /** Safety net when a NOTIFY is missed (for example across a reconnect). */
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

const published = new Counter({ name: 'outbox_published_total', help: 'Messages the outbox relay published', labelNames: ['service'] });

/** Relays of this process; the backlog gauges are read from their databases when Prometheus scrapes. */
const active = new Set<{ service: string; pool: pg.Pool }>();
const backlogOf = async (pool: pg.Pool) =>
  (await pool.query<{ n: number; age: number | null }>('SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float AS age FROM outbox')).rows[0];
new Gauge({
  name: 'outbox_backlog',
  help: 'Outbox rows not yet published',
  labelNames: ['service'],
  async collect() {
    for (const relay of active) this.set({ service: relay.service }, (await backlogOf(relay.pool).catch(() => undefined))?.n ?? 0);
  },
});
new Gauge({
  name: 'outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox row',
  labelNames: ['service'],
  async collect() {
    for (const relay of active) this.set({ service: relay.service }, (await backlogOf(relay.pool).catch(() => undefined))?.age ?? 0);
  },
});

/**
 * Publishes committed outbox rows to Kafka in id order. One transaction per
 * batch: the rows are deleted, sent with acks=all, and the delete commits only
 * once the broker has them; a failed send rolls it back, and a crash in between
 * re-publishes (consumers' inboxes make that harmless). Only one relay per
 * database runs at a time (an advisory lock on the connection that LISTENs),
 * which keeps each key's messages in order; if that connection fails, the relay
 * gives up leadership at once and competes for it again.
 */
/** The application_name of each relay's lock connection. */
export const relayConnectionName = 'shopfront outbox relay';

export class OutboxRelay {
  private producer: Producer | undefined;
  private listener: pg.PoolClient | undefined;
  private running = false;
  private readonly pause: PollPause;
  /** Set by NOTIFY; a commit that lands while a batch is in flight must not wait for the poll. */
  private notified = false;
  private checkedAt = 0;
  /** Set when the leader's connection failed: its lock (and LISTEN) may be gone. */
  private leadershipLost = false;
  private loop: Promise<void> | undefined;
  private readonly registration: { service: string; pool: pg.Pool };

  constructor(private readonly options: RelayOptions) {
    // NOTIFY wakes the relay on every commit; the poll is only the safety net.
    this.pause = new PollPause(options.pollIntervalMs ?? 5_000);
    this.registration = { service: options.service, pool: options.pool };
  }

  async start(): Promise<void> {
    this.running = true;
    this.producer = this.options.kafka.producer(reliableProducer);
    await this.producer.connect();
    active.add(this.registration);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    active.delete(this.registration);
    this.pause.cut();
    // A send retrying against a dead broker must not hold shutdown: its rows stay in the outbox.
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await this.producer?.disconnect().catch(() => undefined);
  }

  /** True while this relay holds the database's outbox lock. */
  get leading(): boolean {
    return this.listener !== undefined && !this.leadershipLost;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.leadershipLost) await this.releaseLeadership();
        if (!this.listener) await this.lead();
        this.checkLeadership();
        this.notified = false;
        const sent = await this.publishBatch();
        if (sent < (this.options.batchSize ?? 500) && !this.notified) await this.pause.wait();
      } catch (error) {
        this.options.onError?.(error);
        await this.releaseLeadership();
        await this.pause.wait();
      }
    }
    await this.releaseLeadership();
  }

  /** Becomes the relay for this database, or waits until it can. */
  private async lead(): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      client.on('error', () => {
        this.leadershipLost = true;
        this.pause.cut();
      });
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', ['shopfront.outbox-relay']);
      // Named for operators (and drills) in pg_stat_activity: the connection that holds the relay's lock.
      await client.query("SELECT set_config('application_name', $1, false)", [relayConnectionName]);
      if (!rows[0]?.ok) throw new Error('another relay holds the outbox lock');
      client.on('notification', () => {
        this.notified = true;
        this.pause.cut();
      });
      await client.query('LISTEN outbox');
    } catch (error) {
      // Never keep a connection (or a lock) that did not become a listening leader.
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      client.release(true);
      throw error;
    }
    this.leadershipLost = false;
    this.listener = client;
  }

  /**
   * A lock connection whose server vanished without closing it (a container or
   * pod gone with its network) raises no error: ask it something now and then,
   * without waiting, and treat no answer within the pool's query timeout as lost.
   */
  private checkLeadership(): void {
    const client = this.listener;
    if (!client || Date.now() - this.checkedAt < 10_000) return;
    this.checkedAt = Date.now();
    client.query('SELECT 1').catch(() => {
      if (this.listener !== client) return;
      this.leadershipLost = true;
      this.pause.cut();
    });
  }

  private async releaseLeadership(): Promise<void> {
    const client = this.listener;
    const lost = this.leadershipLost;
    this.listener = undefined;
    this.leadershipLost = false;
    if (!client) return;
    // A lost connection is destroyed, which frees its lock on the server; a live one unlocks first.
    if (!lost) await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    client.release(true);
  }

  private async publishBatch(): Promise<number> {
    const { pool, service, topicPrefix } = this.options;
    return withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<OutboxRow>({
        name: 'outbox-take',
        text: `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1)
               RETURNING id, topic, message_key, message_id, message_type, payload, headers`,
        values: [this.options.batchSize ?? 500],
      });
      if (rows.length === 0) return 0;
      rows.sort((a, b) => a.id - b.id);
      // Leadership may have been lost while the rows were taken: a second relay may be publishing.
      if (this.leadershipLost) throw new Error('the outbox lock connection failed; not publishing without it');
      const byTopic = new Map<string, OutboxRow[]>();
      for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      const spans = new Map(rows.map((row) => [row.id, publishSpan(row, prefixed(topicPrefix, row.topic))]));
      try {
        await this.producer!.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({
            topic: prefixed(topicPrefix, topic),
            messages: list.map((row) => ({ key: row.message_key, value: JSON.stringify(row.payload), headers: spans.get(row.id)!.headers })),
          })),
        });
      } catch (error) {
        for (const { span } of spans.values()) endFailed(span, error);
        throw error;
      }
      for (const { span } of spans.values()) span.end();
      published.inc({ service }, rows.length);
      return rows.length;
    });
  }
}

/**
 * One PRODUCER span per row, child of the span that enqueued it (its context
 * is in the row's headers); the message carries this span's context on (ADR 0014).
 */
function publishSpan(row: OutboxRow, topic: string): { span: Span; headers: Record<string, string> } {
  const parent = contextFromHeaders(row.headers);
  const orderId = orderIdOf(row.payload as { data?: unknown });
  const span = messagingTracer().startSpan(
    `${row.topic} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': topic,
        'messaging.message.id': row.message_id,
        'messaging.kafka.message.key': row.message_key,
        'shopfront.message.type': row.message_type,
        ...(orderId ? { 'order.id': orderId, 'saga.id': orderId } : {}),
      },
    },
    parent,
  );
  return { span, headers: { ...row.headers, ...traceHeaders(trace.setSpan(parent, span)) } };
}

function endFailed(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
  span.end();
}
