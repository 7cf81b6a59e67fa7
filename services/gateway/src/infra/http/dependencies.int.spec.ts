/**
 * Issue 10, attack 7: the gateway's own dependencies failing. Its Postgres
 * refusing connections or holding a lock, its Redis stalled, Kafka gone: no
 * request waits past the contract's 10 s, a database failure is a 503 with
 * Retry-After (never a 500), and readiness needs only what the gateway serves with.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anOrder, testPostgresUrl, type TestDatabase } from '@shopfront/testing';
import pg from 'pg';
import { call, gatewayDatabase, startGateway, testRedisPrefix, type RunningGateway } from '../../test/gateway-fixture.js';
import { privateRedis, type PrivateRedis } from '../../test/private-redis.js';
import { StubUpstream } from '../../test/stub-upstream.js';

let db: TestDatabase;
let stub: StubUpstream;
let upstreamUrl: string;
let redis: PrivateRedis;
let gateway: RunningGateway;

before(async () => {
  stub = new StubUpstream();
  upstreamUrl = await stub.start();
  db = await gatewayDatabase('dependencies');
  redis = await privateRedis();
  // Kafka on a port where nothing listens: the gateway uses no broker, so it must not care.
  gateway = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix: testRedisPrefix('deps'), env: { REDIS_URL: redis.url, KAFKA_BROKERS: '127.0.0.1:1' } });
});
after(async () => {
  await gateway?.stop();
  await redis?.stop();
  await stub?.stop();
  await db?.drop();
});

const placeOrder = () => call(gateway.url, 'POST', '/v1/orders', { body: anOrder(), headers: { 'idempotency-key': crypto.randomUUID() } });
const databaseName = () => new URL(db.url).pathname.slice(1);

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testPostgresUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe("the gateway's own dependencies", () => {
  it('given no broker at all, then the gateway is ready and serves', async () => {
    const ready = await call<{ checks: Record<string, string> }>(gateway.url, 'GET', '/health/ready', { key: null });
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal((await placeOrder()).status, 202);
  });

  it('given a Redis that stalls every write (CLIENT PAUSE), then requests answer at once from the fallbacks', async () => {
    await redis.client.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    try {
      for (let n = 0; n < 3; n++) {
        const answer = await placeOrder();
        assert.equal(answer.status, 202);
        assert.ok(answer.ms < 2_000, `answered in ${answer.ms.toFixed(0)} ms`);
      }
    } finally {
      await redis.client.call('CLIENT', 'UNPAUSE');
    }
  });

  it('given the idempotency table locked by another transaction, then 503 with Retry-After well under 10 s', async () => {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE');
      const answer = await placeOrder();
      assert.equal(answer.status, 503);
      assert.ok(Number(answer.headers.get('retry-after')) >= 1);
      assert.ok(answer.ms < 5_000, `answered in ${answer.ms.toFixed(0)} ms`);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    assert.equal((await placeOrder()).status, 202, 'served again once the lock is gone');
  });

  it('given its Postgres refusing every connection, then 503 with Retry-After, never a 500; then served again', async () => {
    await asAdmin(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS false`);
    await asAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${databaseName()}'`);
    try {
      for (let n = 0; n < 5; n++) {
        const answer = await placeOrder();
        assert.equal(answer.status, 503, JSON.stringify(answer.body));
        assert.ok(Number(answer.headers.get('retry-after')) >= 1);
        assert.ok(answer.ms < 10_000, `answered in ${answer.ms.toFixed(0)} ms`);
      }
      const ready = await call(gateway.url, 'GET', '/health/ready', { key: null });
      assert.equal(ready.status, 503, 'not ready without its database');
    } finally {
      await asAdmin(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS true`);
    }
    assert.equal((await placeOrder()).status, 202);
  });
});
