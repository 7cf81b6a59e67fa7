/**
 * The outbox relay and the inbox consumer against the real broker and database:
 * what is enqueued is published; a duplicate delivery makes one effect; a
 * transient failure is retried; a poison message is dead-lettered, not acked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMessage, Topics, type Message } from '@shopfront/contracts';
import { withTransaction } from '@shopfront/postgres';
import { eventually, freshDatabase, kafkaTopics, type TestDatabase, type TestKafka } from '@shopfront/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { register } from 'prom-client';
import { enqueue, messagingMigrations, MessageConsumer, OutboxRelay, prefixed, pruneInbox, RecordPublisher, topicOffsets, TopicReader, TransientError, type RawRecord } from './index.js';

let db: TestDatabase;
let kafka: TestKafka;
let producer: RecordPublisher;
const stops: (() => Promise<void>)[] = [];

before(async () => {
  db = await freshDatabase('messaging', [...messagingMigrations, { id: '001_effects', sql: 'CREATE TABLE effects (order_id uuid, message_id uuid, consumer text, tx bigint DEFAULT txid_current())' }]);
  kafka = await kafkaTopics('messaging');
  producer = new RecordPublisher(kafka.kafka);
  await producer.connect();
});
after(async () => {
  for (const stop of stops.reverse()) await stop();
  await producer.disconnect();
  await db.drop();
});

/** A consumer of saga.replies whose effect is a row per message; `fail` decides per attempt. */
async function consumer(name: string, fail: (message: Message, attempt: number) => Error | undefined, options: { handles?: readonly Message['type'][]; lingerMs?: number } = {}) {
  const attempts = new Map<string, number>();
  const instance = new MessageConsumer({
    kafka: kafka.kafka,
    pool: db.pool,
    name,
    ...options,
    topics: [Topics.sagaReplies],
    topicPrefix: kafka.topicPrefix,
    retryBaseMs: 20,
    maxAttempts: 3,
    handle: async (message, tx, delivery) => {
      attempts.set(message.messageId, delivery.attempt);
      const error = fail(message, delivery.attempt);
      if (error) throw error;
      await tx.query('INSERT INTO effects VALUES ($1, $2, $3)', [message.correlationId, message.messageId, name]);
    },
  });
  await instance.start();
  stops.push(() => instance.stop());
  return attempts;
}

const effectsOf = async (orderId: string, consumerName?: string) =>
  (
    await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects WHERE order_id = $1 AND ($2::text IS NULL OR consumer = $2)', [
      orderId,
      consumerName ?? null,
    ])
  ).rows[0]!.n;

async function publishRaw(message: Message | string) {
  await producer.publish(prefixed(kafka.topicPrefix, Topics.sagaReplies), [{ key: 'k', value: typeof message === 'string' ? message : JSON.stringify(message) }]);
}

async function deadLetters(): Promise<{ value: string; headers: Record<string, string> }[]> {
  const topic = prefixed(kafka.topicPrefix, `${Topics.sagaReplies}.dlq`);
  const offsets = (await topicOffsets(kafka.kafka, [topic])).get(topic)!;
  const total = offsets.reduce((sum, partition) => sum + partition.high, 0);
  if (total === 0) return [];
  const seen: RawRecord[] = [];
  const reader = new TopicReader({ broker: kafka.kafka, groupId: `dlq-reader-${randomUUID()}`, topics: [topic], from: 'beginning', onBatch: (records) => void seen.push(...records) });
  await reader.start();
  try {
    await eventually(() => seen.length >= total, { what: 'dead letters read', timeoutMs: 15_000 });
  } finally {
    await reader.stop();
  }
  return seen.map((record) => ({ value: String(record.value), headers: record.headers }));
}

/** What `outbox_published_total` counted for a relay's service, by path. */
async function publishedBy(service: string, path: 'committed' | 'table'): Promise<number> {
  const metric = await register.getSingleMetric('outbox_published_total')!.get();
  return metric.values.find((value) => value.labels.service === service && value.labels.path === path)?.value ?? 0;
}

describe('messaging on real Kafka and Postgres', () => {
  it('given messages enqueued in a committed transaction, when the relay runs, then they are published and the outbox empties', async () => {
    const relay = new OutboxRelay({ pool: db.pool, kafka: kafka.kafka, service: 'test', topicPrefix: kafka.topicPrefix });
    await relay.start();
    stops.push(() => relay.stop());
    await consumer('relay-test', () => undefined);
    const orderId = randomUUID();
    await withTransaction(db.pool, (tx) => enqueue(tx, { topic: Topics.sagaReplies, message: createMessage('StockReserved', { orderId }, { correlationId: orderId }) }));
    // A rolled-back transaction publishes nothing.
    const ghost = randomUUID();
    await withTransaction(db.pool, async (tx) => {
      await enqueue(tx, { topic: Topics.sagaReplies, message: createMessage('StockReserved', { orderId: ghost }, { correlationId: ghost }) });
      throw new Error('roll back');
    }).catch(() => undefined);
    await eventually(async () => (await effectsOf(orderId, 'relay-test')) === 1, { what: 'published message consumed', timeoutMs: 20_000 });
    // The relay deletes its rows in a transaction that commits once the broker has them: a fast consumer can
    // apply the message before that commit lands, so the outbox empties shortly after, not necessarily before.
    await eventually(async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n === 0, { what: 'the outbox empty', timeoutMs: 5_000 });
    assert.equal(await effectsOf(ghost), 0);
  });

  it('given a leading relay, when this process commits rows, then they are published from memory, deleted, and no notice is sent; when another process commits one and notifies, then the table path publishes it', async () => {
    // A database of its own: the other cases' relay leads on theirs.
    const own = await freshDatabase('messaging_handoff', messagingMigrations);
    stops.push(() => own.drop());
    const relay = new OutboxRelay({ pool: own.pool, kafka: kafka.kafka, service: 'handoff-test', topicPrefix: kafka.topicPrefix, pollIntervalMs: 30_000 });
    await relay.start();
    stops.push(() => relay.stop());
    await consumer('handoff-test', () => undefined);
    await eventually(async () => relay.leading, { what: 'the relay leading', timeoutMs: 10_000 });
    const outboxRows = async () => (await own.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n;
    const listener = new pg.Client({ connectionString: own.url });
    await listener.connect();
    const notices: string[] = [];
    listener.on('notification', (notice) => notices.push(notice.channel));
    await listener.query('LISTEN outbox');
    try {
      const mine = randomUUID();
      await withTransaction(own.pool, (tx) => enqueue(tx, { topic: Topics.sagaReplies, message: createMessage('StockReserved', { orderId: mine }, { correlationId: mine }) }));
      await eventually(async () => (await effectsOf(mine, 'handoff-test')) === 1, { what: 'the committed row consumed', timeoutMs: 20_000 });
      await eventually(async () => (await publishedBy('handoff-test', 'committed')) === 1, { what: 'published from memory', timeoutMs: 5_000 });
      assert.equal(await publishedBy('handoff-test', 'table'), 0, 'not read back from the table');
      await eventually(async () => (await outboxRows()) === 0, { what: 'its row deleted', timeoutMs: 5_000 });
      assert.deepEqual(notices, [], 'a commit with outbox rows sends no notice: no commit waits on the notice lock');

      // Another process: it writes the row as enqueue would and, with no relay of its own leading, notifies after its commit.
      const theirs = randomUUID();
      const message = createMessage('StockReserved', { orderId: theirs }, { correlationId: theirs });
      await own.pool.query('INSERT INTO outbox (topic, message_key, message_id, message_type, payload) VALUES ($1, $2, $3, $4, $5)', [Topics.sagaReplies, theirs, message.messageId, message.type, JSON.stringify(message)]);
      await own.pool.query('NOTIFY outbox');
      // Well inside the 30 s poll: the notice woke it.
      await eventually(async () => (await effectsOf(theirs, 'handoff-test')) === 1, { what: "the other process's row consumed", timeoutMs: 10_000 });
      assert.equal(await publishedBy('handoff-test', 'table'), 1, 'woken by its notice, read from the table');
      await eventually(async () => (await outboxRows()) === 0, { what: 'its row deleted', timeoutMs: 5_000 });
    } finally {
      await listener.end();
    }
  });

  it('given the same message delivered twice, when consumed, then the effect happens once', async () => {
    await consumer('dedupe-test', () => undefined);
    const orderId = randomUUID();
    const message = createMessage('StockReleased', { orderId }, { correlationId: orderId });
    await publishRaw(message);
    await publishRaw(message);
    await eventually(async () => (await effectsOf(orderId, 'dedupe-test')) >= 1, { what: 'first delivery', timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await effectsOf(orderId, 'dedupe-test'), 1);
  });

  it('given a consumer that handles one type, then another type on its topic is passed over without an inbox row, and what follows is applied', async () => {
    await consumer('picky-test', () => undefined, { handles: ['StockReserved'] });
    const [other, wanted] = [randomUUID(), randomUUID()];
    const passed = createMessage('StockReleased', { orderId: other }, { correlationId: other });
    await publishRaw(passed);
    await publishRaw(createMessage('StockReserved', { orderId: wanted }, { correlationId: wanted }));
    await eventually(async () => (await effectsOf(wanted, 'picky-test')) === 1, { what: 'the handled type applied', timeoutMs: 20_000 });
    assert.equal(await effectsOf(other, 'picky-test'), 0);
    const claims = await db.pool.query("SELECT 1 FROM inbox WHERE consumer = 'picky-test' AND message_id = $1", [passed.messageId]);
    assert.equal(claims.rowCount, 0, 'a passed-over message leaves no inbox row');
  });

  it('given a lingering consumer, then messages that arrive while it lingers share one transaction', async () => {
    await consumer('linger-test', () => undefined, { lingerMs: 1_500 });
    const orderIds = [randomUUID(), randomUUID(), randomUUID()];
    const txOf = async (orderId: string) => (await db.pool.query<{ tx: string }>("SELECT tx::text FROM effects WHERE order_id = $1 AND consumer = 'linger-test'", [orderId])).rows[0]?.tx;
    await publishRaw(createMessage('StockReserved', { orderId: orderIds[0]! }, { correlationId: orderIds[0]! }));
    await eventually(async () => (await txOf(orderIds[0]!)) !== undefined, { what: 'the first message applied', timeoutMs: 20_000 });
    // Sent while the consumer lingers after the first: fetched together afterwards.
    for (const orderId of orderIds.slice(1)) await publishRaw(createMessage('StockReserved', { orderId }, { correlationId: orderId }));
    await eventually(async () => (await txOf(orderIds[2]!)) !== undefined, { what: 'the later messages applied', timeoutMs: 20_000 });
    assert.equal(await txOf(orderIds[1]!), await txOf(orderIds[2]!), 'one transaction for the two that arrived during the linger');
  });

  it('given a transient failure, when retried, then the effect lands once; given a poison message or lasting failure, then it is dead-lettered with its attempts', async () => {
    const flaky = randomUUID();
    const broken = randomUUID();
    const attempts = await consumer('retry-test', (message, attempt) => {
      if (message.correlationId === flaky && attempt < 3) return new TransientError('provider timed out');
      if (message.correlationId === broken) return new TransientError('still down');
      return undefined;
    });
    const flakyMessage = createMessage('StockReleased', { orderId: flaky }, { correlationId: flaky });
    await publishRaw(flakyMessage);
    await publishRaw(createMessage('StockReleased', { orderId: broken }, { correlationId: broken }));
    await publishRaw('{"not": "a message"}');
    await eventually(async () => (await deadLetters()).filter((letter) => letter.headers['x-dlq-consumer'] === 'retry-test').length >= 2, {
      what: 'two dead letters from retry-test',
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    const letters = (await deadLetters()).filter((letter) => letter.headers['x-dlq-consumer'] === 'retry-test');
    const lasting = letters.find((letter) => letter.value.includes(broken));
    assert.equal(lasting?.headers['x-dlq-attempts'], '3');
    assert.match(lasting?.headers['x-dlq-error'] ?? '', /still down/);
    const poison = letters.find((letter) => letter.value.includes('not'));
    assert.equal(poison?.headers['x-dlq-attempts'], '1');
    assert.equal(await effectsOf(broken, 'retry-test'), 0);
    await eventually(async () => (await effectsOf(flaky, 'retry-test')) === 1, { what: 'flaky message applied after retries' });
    assert.equal(attempts.get(flakyMessage.messageId), 3);
  });

  it('given inbox claims older than the retention, when pruned, then only those go', async () => {
    const [old, recent] = [randomUUID(), randomUUID()];
    await db.pool.query("INSERT INTO inbox (consumer, message_id, message_type, processed_at) VALUES ('prune-test', $1, 'X', now() - interval '15 days'), ('prune-test', $2, 'X', now() - interval '13 days')", [old, recent]);
    assert.ok((await pruneInbox(db.pool, 14)) >= 1);
    const left = await db.pool.query<{ message_id: string }>("SELECT message_id FROM inbox WHERE consumer = 'prune-test'");
    assert.deepEqual(left.rows.map((row) => row.message_id), [recent]);
  });
});
