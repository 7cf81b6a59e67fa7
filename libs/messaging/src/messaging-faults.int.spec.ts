/**
 * Messaging when the infrastructure fails, on the real broker and database: a
 * database that refuses connections is not the messages' fault (nothing is
 * dead-lettered, the consumer reports not-ready, then catches up), and a relay
 * whose lock connection is killed takes leadership again and keeps publishing.
 */
import assert from 'node:assert/strict';
import { relayConnectionName } from './relay.js';
import { after, before, describe, it } from 'node:test';
import { createMessage, Topics } from '@shopfront/contracts';
import { withTransaction } from '@shopfront/postgres';
import { eventually, freshDatabase, kafkaTopics, testPostgresUrl, type TestDatabase, type TestKafka } from '@shopfront/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { enqueue, messagingMigrations, MessageConsumer, OutboxRelay, prefixed, RecordPublisher, topicOffsets } from './index.js';

let db: TestDatabase;
let kafka: TestKafka;
let producer: RecordPublisher;
let admin: pg.Client;
const stops: (() => Promise<void>)[] = [];
const databaseName = () => new URL(db.url).pathname.slice(1);

before(async () => {
  db = await freshDatabase('messaging_faults', [...messagingMigrations, { id: '001_effects', sql: 'CREATE TABLE effects (order_id uuid, message_id uuid)' }]);
  kafka = await kafkaTopics('messaging-faults');
  producer = new RecordPublisher(kafka.kafka);
  await producer.connect();
  admin = new pg.Client({ connectionString: testPostgresUrl() });
  await admin.connect();
});
after(async () => {
  await admin?.query(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS true`).catch(() => undefined);
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await producer?.disconnect();
  await admin?.end();
  await db?.drop();
});

const effects = async (orderIds: string[]) =>
  (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects WHERE order_id = ANY($1::uuid[])', [orderIds])).rows[0]!.n;

async function deadLetterCount(topic: string): Promise<number> {
  const dlq = prefixed(kafka.topicPrefix, `${topic}.dlq`);
  return (await topicOffsets(kafka.kafka, [dlq])).get(dlq)!.reduce((sum, partition) => sum + partition.high, 0);
}

/** Cuts the database off: no new connection is accepted and every open one is terminated. */
async function refuseConnections(): Promise<void> {
  await admin.query(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS false`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseName()]);
}

describe('messaging when the infrastructure fails', () => {
  it('given the database refuses connections for longer than every retry budget, then nothing is dead-lettered, the consumer is not ready meanwhile, and every message is applied once after the heal', async () => {
    const consumer = new MessageConsumer({
      kafka: kafka.kafka,
      pool: db.pool,
      name: 'outage-test',
      topics: [Topics.sagaReplies],
      topicPrefix: kafka.topicPrefix,
      retryBaseMs: 20,
      retryCapMs: 500,
      maxAttempts: 3,
      unhealthyAfterMs: 1_000,
      handle: async (message, tx) => {
        await tx.query('INSERT INTO effects VALUES ($1, $2)', [message.correlationId, message.messageId]);
      },
    });
    await consumer.start();
    stops.push(() => consumer.stop());
    const warmup = randomUUID();
    await publish([warmup]);
    await eventually(async () => (await effects([warmup])) === 1, { what: 'the consumer running', timeoutMs: 30_000 });

    await refuseConnections();
    const orderIds = [randomUUID(), randomUUID(), randomUUID()];
    await publish(orderIds);
    // Far past maxAttempts × retryBaseMs: the old consumer had dead-lettered them within a second.
    await eventually(() => !consumer.health().ok, { what: 'the consumer reporting not ready', timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.equal(consumer.health().ok, false);
    assert.match(consumer.health().detail ?? '', /retrying since/);
    await admin.query(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS true`);

    await eventually(async () => (await effects(orderIds)) === 3, { what: 'every message applied after the heal', timeoutMs: 30_000, intervalMs: 200 });
    await eventually(() => consumer.health().ok, { what: 'the consumer ready again', timeoutMs: 10_000 });
    assert.equal(await deadLetterCount(Topics.sagaReplies), 0, 'no dead letter for an outage');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await effects(orderIds), 3, 'each applied once');
  });

  it('given the relay\'s lock connection is terminated, then it leads again and what is enqueued afterwards is published', async () => {
    const relay = new OutboxRelay({ pool: db.pool, kafka: kafka.kafka, service: 'faults', topicPrefix: kafka.topicPrefix, pollIntervalMs: 200 });
    await relay.start();
    stops.push(() => relay.stop());
    await eventually(() => relay.leading, { what: 'the relay leading', timeoutMs: 10_000 });
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`, [databaseName(), relayConnectionName]);
    assert.equal(killed.rowCount, 1, 'the listening connection was found and terminated');
    const orderId = randomUUID();
    await eventually(
      async () => {
        await withTransaction(db.pool, (tx) => enqueue(tx, { topic: Topics.sagaReplies, message: createMessage('StockReleased', { orderId }, { correlationId: orderId }) }));
        return true;
      },
      { what: 'enqueued after the kill', timeoutMs: 10_000, intervalMs: 200 },
    );
    await eventually(async () => (await effects([orderId])) >= 1, { what: 'published after the relay took the lead again', timeoutMs: 30_000, intervalMs: 200 });
    assert.equal(relay.leading, true);
    const listeners = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`, [databaseName(), relayConnectionName]);
    assert.equal(listeners.rows[0].n, 1, 'one listening leader, not a leaked one');
  });
});

async function publish(orderIds: string[]): Promise<void> {
  await producer.publish(
    prefixed(kafka.topicPrefix, Topics.sagaReplies),
    orderIds.map((orderId) => ({ key: orderId, value: JSON.stringify(createMessage('StockReleased', { orderId }, { correlationId: orderId })) })),
  );
}
