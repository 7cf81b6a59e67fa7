/**
 * Rate limits against real Redis: one window per client shared by two
 * gateway replicas, the IETF draft headers, 429 with Retry-After, and what
 * happens when Redis is gone (each replica limits in memory, fails open).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anOrder, type TestDatabase } from '@shopfront/testing';
import { call, gatewayDatabase, keys, startGateway, testRedisPrefix, type RunningGateway } from '../../test/gateway-fixture.js';
import { StubUpstream } from '../../test/stub-upstream.js';

const limit = { RATE_LIMIT_POINTS: '6', RATE_LIMIT_DURATION_S: '2' };
let db: TestDatabase;
let stub: StubUpstream;
let replicaA: RunningGateway;
let replicaB: RunningGateway;
let upstreamUrl: string;

before(async () => {
  stub = new StubUpstream();
  upstreamUrl = await stub.start();
  db = await gatewayDatabase('ratelimit');
  const redisPrefix = testRedisPrefix('ratelimit');
  replicaA = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix, env: limit });
  replicaB = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix, env: limit });
});
after(async () => {
  await replicaA?.stop();
  await replicaB?.stop();
  await stub?.stop();
  await db?.drop();
});

describe('a rate limit shared by two replicas', () => {
  it('given six requests spread over both replicas, then the seventh on either is refused with 429 and Retry-After', async () => {
    const remaining: string[] = [];
    for (const replica of [replicaA, replicaB, replicaA, replicaB, replicaA, replicaB]) {
      const answer = await call(replica.url, 'GET', '/v1/orders?limit=1');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('ratelimit-limit'), '6');
      remaining.push(answer.headers.get('ratelimit-remaining') ?? '');
    }
    assert.deepEqual(remaining, ['5', '4', '3', '2', '1', '0'], 'one window, counted across replicas');

    for (const replica of [replicaA, replicaB]) {
      const refused = await call(replica.url, 'GET', '/v1/orders?limit=1');
      assert.equal(refused.status, 429);
      assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
      assert.equal(refused.headers.get('ratelimit-remaining'), '0');
      assert.equal(refused.headers.get('ratelimit-reset'), String(retryAfter));
    }
    assert.equal(stub.callsTo('GET', '/orders').length, 6, 'refused requests never reach the upstream');
  });

  it('given one client over its limit, then another client is not affected', async () => {
    assert.equal((await call(replicaA.url, 'GET', '/v1/orders?limit=1', { key: keys.client1 })).status, 429);
    assert.equal((await call(replicaA.url, 'GET', '/v1/orders?limit=1', { key: keys.client2 })).status, 200);
  });

  it('given the client waits Retry-After, then it is served again', async () => {
    const refused = await call(replicaB.url, 'GET', '/v1/orders?limit=1');
    assert.equal(refused.status, 429);
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000));
    assert.equal((await call(replicaB.url, 'GET', '/v1/orders?limit=1')).status, 200);
  });
});

describe('without Redis', () => {
  let lonely: RunningGateway;
  before(async () => {
    // Port 1: nothing listens; the gateway starts and serves with Redis down.
    lonely = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix: 'unused:', env: { ...limit, REDIS_URL: 'redis://127.0.0.1:1' }, waitForRedis: false });
  });
  after(() => lonely?.stop());

  it('given Redis is unreachable, then the replica limits in memory with the same window (fail open, bounded)', async () => {
    const answers = [];
    for (let n = 0; n < 7; n++) answers.push(await call(lonely.url, 'GET', '/v1/products', { key: keys.client2 }));
    assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200, 200, 200, 200, 429]);
    assert.deepEqual(answers.map((answer) => answer.headers.get('ratelimit-remaining')), ['5', '4', '3', '2', '1', '0', '0']);
  });

  it('given Redis is unreachable, then the gateway stays ready: it falls back and keeps serving', async () => {
    const ready = await call<{ checks: Record<string, string> }>(lonely.url, 'GET', '/health/ready', { key: null });
    assert.equal(ready.status, 200);
  });

  it('given Redis is unreachable, then orders are still placed once per key, Postgres deciding alone', async () => {
    const idempotencyKey = crypto.randomUUID();
    const headers = { 'idempotency-key': idempotencyKey };
    const first = await call(lonely.url, 'POST', '/v1/orders', { key: keys.client1, body: anOrder(), headers });
    const again = await call(lonely.url, 'POST', '/v1/orders', { key: keys.client1, body: anOrder(), headers });
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.orderId, first.body.orderId);
  });
});
