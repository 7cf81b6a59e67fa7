/**
 * Idempotency-Key semantics against real Postgres and a Redis of the test's
 * own (so FLUSHALL harms nobody), through two gateway replicas in front of a
 * real HTTP upstream that counts the orders it creates.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { anOrder, eventually, type TestDatabase } from '@shopfront/testing';
import { IdempotencySweeper } from '../infra/idempotency/idempotency.sweeper.js';
import { call, gatewayDatabase, keys, startGateway, type RunningGateway } from '../test/gateway-fixture.js';
import { privateRedis, type PrivateRedis } from '../test/private-redis.js';
import { StubUpstream } from '../test/stub-upstream.js';

let db: TestDatabase;
let redis: PrivateRedis;
let stub: StubUpstream;
let replicaA: RunningGateway;
let replicaB: RunningGateway;
let stubUrl: string;

before(async () => {
  stub = new StubUpstream();
  const upstreamUrl = (stubUrl = await stub.start());
  db = await gatewayDatabase('idempotency');
  redis = await privateRedis();
  const options = { databaseUrl: db.url, upstreamUrl, redisPrefix: 'gw:', env: { REDIS_URL: redis.url } };
  replicaA = await startGateway(options);
  replicaB = await startGateway(options);
});
after(async () => {
  await replicaA?.stop();
  await replicaB?.stop();
  await stub?.stop();
  await redis?.stop();
  await db?.drop();
});
beforeEach(() => stub.reset());

const place = (gateway: RunningGateway, idempotencyKey: string, body: unknown = anOrder(), key: string = keys.client1) =>
  call<{ orderId: string; status: string }>(gateway.url, 'POST', '/v1/orders', { key, body, headers: { 'idempotency-key': idempotencyKey } });
const rawPlace = async (gateway: RunningGateway, idempotencyKey: string) => {
  const response = await fetch(`${gateway.url}/v1/orders`, {
    method: 'POST',
    headers: { 'x-api-key': keys.client1, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(anOrder()),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
};
/** The first request is really in flight: its record is claimed and the order service is answering it. */
const upstreamReached = () => eventually(() => orderCalls().length === 1, { what: 'the first request to reach the order service' });
const orderCalls = () => stub.callsTo('POST', '/orders').filter((sent) => sent.path === '/orders');

describe('a retried POST', () => {
  it('given the same key and body, then the first answer is replayed byte for byte, marked, and the upstream is called once', async () => {
    const key = crypto.randomUUID();
    const first = await rawPlace(replicaA, key);
    const again = await rawPlace(replicaB, key);
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(orderCalls().length, 1);
  });

  it('given the same key with a different body, then 422 and no second call', async () => {
    const key = crypto.randomUUID();
    assert.equal((await place(replicaA, key)).status, 202);
    const different = await place(replicaA, key, anOrder({ quantity: 3 }));
    assert.equal(different.status, 422);
    assert.match(different.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(orderCalls().length, 1);
  });

  it('given the same key while the first is still in flight, then 409 with Retry-After, and the first completes', async () => {
    const key = crypto.randomUUID();
    stub.delayMs = 1_000;
    const first = place(replicaA, key);
    await upstreamReached();
    const second = await place(replicaB, key);
    assert.equal(second.status, 409);
    assert.equal(second.headers.get('retry-after'), '1');
    assert.equal((await first).status, 202);
    assert.equal(orderCalls().length, 1);
  });

  it('given another client using the same key, then it is a different request with its own order', async () => {
    const key = crypto.randomUUID();
    const mine = await place(replicaA, key, anOrder(), keys.client1);
    const theirs = await place(replicaA, key, anOrder(), keys.client2);
    assert.equal(theirs.status, 202);
    assert.equal(theirs.headers.get('idempotent-replayed'), null);
    assert.notEqual(theirs.body.orderId, mine.body.orderId);
  });
});

describe('concurrent identical POSTs', () => {
  it('given 50 at once over two replicas, then exactly one order is created and every 202 names it', async () => {
    const key = crypto.randomUUID();
    stub.delayMs = 50;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => place(n % 2 === 0 ? replicaA : replicaB, key)));
    assert.equal(orderCalls().length, 1, 'one upstream call');
    const statuses = new Set(answers.map((answer) => answer.status));
    assert.ok([...statuses].every((status) => status === 202 || status === 409), [...statuses].join());
    const accepted = answers.filter((answer) => answer.status === 202);
    assert.ok(accepted.length >= 1);
    assert.equal(new Set(accepted.map((answer) => answer.body.orderId)).size, 1);
    const retry = await place(replicaB, key);
    assert.equal(retry.status, 202);
    assert.equal(retry.body.orderId, accepted[0]!.body.orderId);
    assert.equal(orderCalls().length, 1);
  });
});

describe('a replica without Redis', () => {
  it('given 40 identical POSTs split between a replica with Redis and one without, then Postgres alone still makes it one order', async () => {
    const blind = await startGateway({
      databaseUrl: db.url,
      upstreamUrl: stubUrl,
      redisPrefix: 'gw:',
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
      waitForRedis: false,
    });
    try {
      const key = crypto.randomUUID();
      stub.delayMs = 50;
      const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => place(n % 2 === 0 ? blind : replicaA, key)));
      assert.equal(orderCalls().length, 1);
      assert.ok(answers.every((answer) => answer.status === 202 || answer.status === 409), JSON.stringify(answers.map((answer) => [answer.status, JSON.stringify(answer.body).slice(0, 80)])));
      assert.equal(new Set(answers.filter((answer) => answer.status === 202).map((answer) => answer.body.orderId)).size, 1);
    } finally {
      await blind.stop();
    }
  });
});

describe('Redis losing everything', () => {
  it('given FLUSHALL after the first answer, then a retry still replays it from Postgres', async () => {
    const key = crypto.randomUUID();
    const first = await place(replicaA, key);
    assert.equal(await redis.client.flushall(), 'OK');
    const again = await place(replicaB, key);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.orderId, first.body.orderId);
    assert.equal(orderCalls().length, 1);
  });

  it('given FLUSHALL while the first is in flight, then a duplicate is still refused: the Postgres lease decides', async () => {
    const key = crypto.randomUUID();
    stub.delayMs = 1_000;
    const first = place(replicaA, key);
    await upstreamReached();
    await redis.client.flushall();
    assert.equal((await place(replicaB, key)).status, 409);
    assert.equal((await first).status, 202);
    assert.equal(orderCalls().length, 1);
  });
});

describe('an outcome the gateway never learnt', () => {
  it('given the upstream failed with 503, then nothing is stored and the retry re-sends the same order id', async () => {
    const key = crypto.randomUUID();
    stub.fail(503, 1, '/orders');
    const failed = await place(replicaA, key);
    assert.equal(failed.status, 503);
    const retried = await place(replicaA, key);
    assert.equal(retried.status, 202);
    const [firstCall, secondCall] = orderCalls();
    assert.equal(secondCall?.headers['x-order-id'], firstCall?.headers['x-order-id']);
    assert.equal(retried.body.orderId, firstCall?.headers['x-order-id']);
  });

  it('given a gateway died mid-request (its lease ran out), then a retry takes over with the same order id; while the lease lives, 409', async () => {
    const key = crypto.randomUUID();
    const orderId = crypto.randomUUID();
    const hash = (await db.pool.query<{ h: string }>(`SELECT encode(sha256($1::bytea), 'hex') AS h`, [`POST /v1/orders\n${canonical(anOrder())}`])).rows[0]!.h;
    await db.pool.query(
      `INSERT INTO idempotency_keys (client_id, key, request_hash, status, order_id, locked_until, expires_at)
       VALUES ('client-1', $1, $2, 'in_flight', $3, now() + interval '1 minute', now() + interval '1 day')`,
      [key, hash, orderId],
    );
    assert.equal((await place(replicaA, key)).status, 409, 'a live lease: the owner may still answer');
    await db.pool.query(`UPDATE idempotency_keys SET locked_until = now() - interval '1 second' WHERE key = $1`, [key]);
    const taken = await place(replicaB, key);
    assert.equal(taken.status, 202);
    assert.equal(taken.body.orderId, orderId);
    assert.equal(orderCalls()[0]?.headers['x-order-id'], orderId);
    assert.equal((await place(replicaA, key)).headers.get('idempotent-replayed'), 'true');
  });
});

describe('retention', () => {
  it('given a record past its 24 h, then the sweeper deletes it and the key may be used afresh', async () => {
    const key = crypto.randomUUID();
    const first = await place(replicaA, key);
    await db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    const kept = await db.pool.query(`SELECT expires_at - created_at >= interval '24 hours' AS ok FROM idempotency_keys WHERE key <> $1 LIMIT 1`, [key]);
    assert.equal(kept.rows[0]?.ok, true, 'other records are kept at least 24 h');
    const swept = await replicaA.app.get(IdempotencySweeper).sweep();
    assert.ok(swept >= 1);
    const fresh = await place(replicaB, key);
    assert.equal(fresh.status, 202);
    assert.equal(fresh.headers.get('idempotent-replayed'), null);
    assert.notEqual(fresh.body.orderId, first.body.orderId);
  });
});

describe('cancelling with a key', () => {
  it('given a retried cancel with the same key, then the 202 is replayed and the order service asked once', async () => {
    const placed = await place(replicaA, crypto.randomUUID());
    const key = crypto.randomUUID();
    const cancel = () => call(replicaA.url, 'POST', `/v1/orders/${placed.body.orderId}/cancel`, { headers: { 'idempotency-key': key } });
    assert.equal((await cancel()).status, 202);
    const again = await cancel();
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(stub.callsTo('POST', `/orders/${placed.body.orderId}/cancel`).length, 1);
  });
});

/** The same canonical form the gateway fingerprints (sorted keys). */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
}
