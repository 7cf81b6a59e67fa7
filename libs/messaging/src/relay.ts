import type pg from 'pg';
import { PollPause, withTransaction } from '@shopfront/postgres';
import type { Broker } from './broker.js';
import { databaseOf, onCommittedRows, type OutboxRow } from './committed.js';
import { prefixed } from './kafka.js';
import { openProducer } from './producer.js';
import { activeRelays as active, published, renewals } from './relay-metrics.js';
import { endFailed, publishSpan } from './relay-spans.js';
import { RenewingProducer } from './renewing-producer.js';

export interface RelayOptions {
  pool: pg.Pool;
  kafka: Broker;
  service: string;
  topicPrefix?: string;
  batchSize?: number;
  /** Safety net when a NOTIFY is missed (for example across a reconnect). */
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Publishes committed outbox rows to Kafka. Only one relay per database runs at
 * a time (an advisory lock on the connection that LISTENs), which keeps each
 * key's messages in order; if that connection fails, the relay gives up
 * leadership at once and competes for it again.
 *
 * Two ways in, one publisher. Rows committed by this process are handed to the
 * leader in memory as their transaction commits: it sends them with acks=all and
 * then deletes them by id, without a notice, a transaction or a read (per hop, that
 * saved the NOTIFY and three of the relay's four round trips). Rows committed by any
 * other process, and everything after a failure, take the table path: a NOTIFY (the
 * writer's, sent after its commit) or the poll wakes the relay, which deletes a batch
 * in id order, sends it, and commits the delete only once the broker has it. Either
 * way a crash between the send and the delete publishes again, which consumers'
 * inboxes make harmless. A new leader, and one whose send failed, drains the
 * table before it sends rows from memory again, so nothing handed over overtakes
 * an older row it left behind.
 */
/**
 * How long sent rows may wait for their delete. Each delete is a transaction of its own: at low load,
 * one per hop; gathered over this long, one a second per service while messages flow (at 200 ms,
 * five services' deletes were about one transaction per order at 20 orders/s). A crash before it
 * only sends them again, and the inboxes drop the copies.
 */
const deleteDelayMs = 1_000;

/** The application_name of each relay's lock connection. */
export const relayConnectionName = 'shopfront outbox relay';

export class OutboxRelay {
  private producer: RenewingProducer | undefined;
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
  /** Rows this process committed, handed over in memory, not yet sent. */
  private handed: OutboxRow[] = [];
  /** Until the table is drained (after winning leadership or a failure), handed rows wait: nothing may overtake an older row there. */
  private draining = true;
  /** Ids the last read of the table sent. */
  private lastRead = new Set<number>();
  private stopTaking: (() => void) | undefined;
  /** Ids of handed-over rows already sent, deleted together (see deleteDelayMs), and when the first was sent. */
  private sent: number[] = [];
  private sentAt = 0;
  /** The table is read on a notice, while draining, and at least this often (the safety net). */
  private readonly pollIntervalMs: number;
  /** Most rows per send, and per read of the table. */
  private readonly batchSize: number;
  private tableReadAt = 0;

  constructor(private readonly options: RelayOptions) {
    // A hand-over (this process's commit) or a NOTIFY (another's) wakes the relay; the poll is only the safety net.
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.batchSize = options.batchSize ?? 500;
    this.pause = new PollPause(this.pollIntervalMs);
    this.registration = { service: options.service, pool: options.pool };
  }

  async start(): Promise<void> {
    this.running = true;
    this.producer = new RenewingProducer(() => openProducer(this.options.kafka), () => renewals.inc({ service: this.options.service }));
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
    await this.producer?.disconnect();
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
        if (this.handed.length > 0 && !this.draining) {
          await this.publishHanded();
          continue;
        }
        if (this.draining || this.notified || Date.now() - this.tableReadAt >= this.pollIntervalMs) {
          // Sent rows leave the table first, or the read would send them again.
          await this.deleteSent();
          this.notified = false;
          this.tableReadAt = Date.now();
          const read = await this.publishBatch();
          if (read >= this.batchSize) continue;
          // The table holds nothing older than the rows still handed over: they committed after this
          // read began (the ones it saw were taken out of them), so they may go out now, in memory.
          this.draining = false;
        }
        const deleteIn = this.sentAt + deleteDelayMs - Date.now();
        if (this.sent.length > 0 && deleteIn <= 0) await this.deleteSent();
        else if (!this.notified && this.handed.length === 0) await this.pause.wait(this.sent.length > 0 ? deleteIn : undefined);
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
      this.draining = true;
      this.stopTaking = onCommittedRows(databaseOf(client), (rows) => this.take(rows));
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

  /** Rows this process just committed: held until sent in memory, or left to the table path when this relay does not lead. */
  private take(rows: OutboxRow[]): void {
    if (!this.leading) {
      this.notified = true;
    } else {
      // Held while draining, and sent only once the table has nothing older; a row the last read of the
      // table already sent (its commit landed just before that read) is not sent again.
      this.handed.push(...rows.filter((row) => !this.lastRead.has(row.id)));
    }
    this.pause.cut();
  }

  private async releaseLeadership(): Promise<void> {
    // Best effort: rows sent and not deleted are sent again by whoever leads next, and dropped by the inboxes.
    await this.deleteSent().catch(() => undefined);
    this.stopTaking?.();
    this.stopTaking = undefined;
    // Whatever was handed over and not sent is still in the table: the next leader reads it from there.
    this.handed = [];
    this.draining = true;
    const client = this.listener;
    const lost = this.leadershipLost;
    this.listener = undefined;
    this.leadershipLost = false;
    if (!client) return;
    // A lost connection is destroyed, which frees its lock on the server; a live one unlocks first.
    if (!lost) await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    client.release(true);
  }

  /** Sends the rows handed over since the last send (a batch at most), then queues their ids for deleteSent. */
  private async publishHanded(): Promise<void> {
    // At most a batch per send: while the broker is slow, commits keep arriving.
    const rows = this.handed.splice(0, this.batchSize).sort((a, b) => a.id - b.id);
    if (this.leadershipLost) throw new Error('the outbox lock connection failed; not publishing without it');
    await this.send(rows, 'committed');
    if (this.sent.length === 0) this.sentAt = Date.now();
    this.sent.push(...rows.map((row) => row.id));
    if (this.sent.length >= this.batchSize) await this.deleteSent();
  }

  /** One statement, outside any transaction, for every handed-over row sent since the last. */
  private async deleteSent(): Promise<void> {
    if (this.sent.length === 0) return;
    const ids = this.sent;
    this.sent = [];
    await this.options.pool.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  private async publishBatch(): Promise<number> {
    return withTransaction(this.options.pool, async (tx) => {
      const { rows } = await tx.query<OutboxRow>({
        name: 'outbox-take',
        text: `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1)
               RETURNING id, topic, message_key, message_id, message_type, payload, headers`,
        values: [this.batchSize],
      });
      if (rows.length === 0) return 0;
      rows.sort((a, b) => a.id - b.id);
      // Leadership may have been lost while the rows were taken: a second relay may be publishing.
      if (this.leadershipLost) throw new Error('the outbox lock connection failed; not publishing without it');
      // Rows handed over meanwhile may be among these: sent here, they need not go out again.
      const taken = new Set(rows.map((row) => row.id));
      this.handed = this.handed.filter((row) => !taken.has(row.id));
      this.lastRead = taken;
      await this.send(rows, 'table');
      return rows.length;
    });
  }

  /** One send with acks=all for all the rows, in id order, each under its PRODUCER span. */
  private async send(rows: OutboxRow[], path: 'committed' | 'table'): Promise<void> {
    const { service, topicPrefix } = this.options;
    const spans = new Map(rows.map((row) => [row.id, publishSpan(row, prefixed(topicPrefix, row.topic))]));
    try {
      // Rows are in id order, and the producer keeps that order per topic and key.
      await this.producer!.send(
        rows.map((row) => ({ topic: prefixed(topicPrefix, row.topic), key: row.message_key, value: JSON.stringify(row.payload), headers: spans.get(row.id)!.headers })),
      );
    } catch (error) {
      for (const { span } of spans.values()) endFailed(span, error);
      throw error;
    }
    for (const { span } of spans.values()) span.end();
    published.inc({ service, path }, rows.length);
  }
}
