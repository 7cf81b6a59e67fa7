/**
 * Admission control and the catalog cache (ADR 0020) in a real gateway, on
 * real Postgres, Redis and Kafka, in front of a stub order service: the saga
 * backlog is learnt from order.events exactly as in production.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMessage, Topics } from '@shopfront/contracts';
import { anOrder, anOrderPlaced, eventually, kafkaTopics, MessageTap, type TestDatabase, type TestKafka } from '@shopfront/testing';
import { REDIS } from '@shopfront/runtime';
import type { Redis } from 'ioredis';
import { OrderFeed } from '../live/order-feed.js';
import { CatalogCache } from '../catalog/catalog-cache.js';
import { call, gatewayDatabase, keys, startGateway, testRedisPrefix, type RunningGateway } from '../../test/gateway-fixture.js';
import { StubUpstream } from '../../test/stub-upstream.js';

let db: TestDatabase;
let stub: StubUpstream;
let upstreamUrl: string;
let topics: TestKafka;
let tap: MessageTap;
const gateways: RunningGateway[] = [];

before(async () => {
  stub = new StubUpstream();
  upstreamUrl = await stub.start();
  db = await gatewayDatabase('admission');
  topics = await kafkaTopics('gateway-admission');
  tap = await MessageTap.open(topics, [Topics.orderEvents]);
});
after(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await tap?.close();
  await topics?.drop();
  await stub?.stop();
  await db?.drop();
});
beforeEach(() => stub.reset());

async function gatewayWith(env: Record<string, string>, redisPrefix = testRedisPrefix('admission')): Promise<RunningGateway> {
  const gateway = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix, env: { KAFKA_TOPIC_PREFIX: topics.topicPrefix, ...env } });
  gateways.push(gateway);
  await gateway.app.get(OrderFeed).joined;
  return gateway;
}

const place = (gateway: RunningGateway) => call<{ orderId: string; code?: string; reason?: string }>(gateway.url, 'POST', '/v1/orders', { body: anOrder(), headers: { 'idempotency-key': crypto.randomUUID() } });

describe('admission: the saga backlog', () => {
  it('given as many orders in flight as the bound, then a checkout is refused at once with 503 and Retry-After, and admitted again once one ends', async () => {
    const gateway = await gatewayWith({ ADMISSION_BURST: '2' });
    const first = await place(gateway);
    const second = await place(gateway);
    assert.deepEqual([first.status, second.status], [202, 202]);

    const refused = await place(gateway);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'OVERLOADED');
    assert.equal(refused.body.reason, 'pipeline-full');
    assert.equal(refused.headers.get('retry-after'), '2');
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(refused.ms < 50, `refused in ${refused.ms.toFixed(1)} ms`);
    assert.equal(stub.callsTo('POST', '/orders').length, 2, 'a refused checkout reaches no service');
    const seen = await call<{ admission: Record<string, unknown> }>(gateway.url, 'GET', '/v1/admin/resilience', { key: keys.admin });
    assert.deepEqual(seen.body.admission, { concurrent: 0, ordersInFlight: 2, ordersInFlightBound: 2, refused: { checkout: 1, browse: 0, status: 0 } });
    // Reads are not checkouts: the backlog never refuses them.
    assert.equal((await call(gateway.url, 'GET', `/v1/orders/${first.body.orderId}`)).status, 200);

    // The order service announces the end on order.events: the replica hears it and admits again.
    const ended = createMessage('OrderConfirmed', { orderId: first.body.orderId }, { correlationId: first.body.orderId });
    await tap.publish(Topics.orderEvents, ended);
    await eventually(async () => (await place(gateway)).status === 202, { what: 'a checkout admitted once an order ended', timeoutMs: 15_000 });
  });

  it('given a full backlog, then a retry of a checkout this replica accepted replays its answer instead of a 503', async () => {
    const gateway = await gatewayWith({ ADMISSION_BURST: '1' });
    const idempotencyKey = crypto.randomUUID();
    const placeKeyed = () => call<{ orderId: string }>(gateway.url, 'POST', '/v1/orders', { body: anOrder(), headers: { 'idempotency-key': idempotencyKey } });
    const first = await placeKeyed();
    assert.equal(first.status, 202);
    assert.equal((await place(gateway)).status, 503, 'a new checkout is refused: the backlog is full');
    const again = await placeKeyed();
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.orderId, first.body.orderId);
    assert.equal(stub.callsTo('POST', '/orders').length, 1, 'the replay reached no service');
  });

  it('given an order placed while its answer is still being recorded, then it counts once in flight, not twice', async () => {
    const gateway = await gatewayWith({ ADMISSION_BURST: '50' });
    const idempotencyKey = crypto.randomUUID();
    stub.delayMs = 400; // time to lock the idempotency record the gateway has just claimed
    const placing = call<{ orderId: string }>(gateway.url, 'POST', '/v1/orders', { body: anOrder(), headers: { 'idempotency-key': idempotencyKey } });
    const locker = await db.pool.connect();
    try {
      await eventually(async () => (await db.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [idempotencyKey])).rowCount === 1, { what: 'the key claimed' });
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM idempotency_keys WHERE key = $1 FOR UPDATE', [idempotencyKey]);
      // The order service answers 202; the gateway's write of the answer now waits on this lock.
      await eventually(async () => stub.callsTo('POST', '/orders').length === 1, { what: 'the order placed' });
      await new Promise((resolve) => setTimeout(resolve, 450));
      const seen = await call<{ admission: { ordersInFlight: number } }>(gateway.url, 'GET', '/v1/admin/resilience', { key: keys.admin });
      assert.equal(seen.body.admission.ordersInFlight, 1, 'the placed order and its unanswered checkout are one order');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
    }
    assert.equal((await placing).status, 202);
  });

  it('given orders placed through another replica, then this one counts them too (every replica reads the whole topic)', async () => {
    const gateway = await gatewayWith({ ADMISSION_BURST: '2' });
    for (const orderId of [crypto.randomUUID(), crypto.randomUUID()]) {
      const placed = createMessage('OrderPlaced', anOrderPlaced(orderId), { correlationId: orderId });
      await tap.publish(Topics.orderEvents, placed);
    }
    await eventually(async () => (await place(gateway)).status === 503, { what: 'the other replica’s orders counted', timeoutMs: 15_000 });
  });
});

describe('admission: the gateway itself', () => {
  it('given the gateway full of slow requests, then browsing is refused first and order status still answered', async () => {
    const gateway = await gatewayWith({ ADMISSION_MAX_CONCURRENT: '10', UPSTREAM_READ_RETRIES: '0' });
    stub.delayMs = 1_500;
    // 8 slow status reads: 0.8 of the capacity, where browsing starts to be shed.
    const slow = Array.from({ length: 8 }, () => call(gateway.url, 'GET', '/v1/orders?limit=1'));
    await eventually(async () => {
      const metrics = await call<string>(gateway.url, 'GET', '/metrics', { key: keys.admin });
      return /gateway_admission_load\{[^}]*kind="concurrent"[^}]*\} 8/.test(metrics.body);
    }, { what: 'eight requests being served' });
    const browse = await call(gateway.url, 'GET', '/v1/products');
    assert.equal(browse.status, 503);
    assert.equal(browse.body.reason, 'gateway-busy');
    assert.ok(browse.ms < 50, `refused in ${browse.ms.toFixed(1)} ms`);
    const status = call(gateway.url, 'GET', '/v1/orders?limit=1');
    assert.deepEqual((await Promise.all([...slow, status])).map((answer) => answer.status), Array(9).fill(200));
  });
});

describe('the catalog cache', () => {
  it('given many reads, then the order service is asked once; an ETag revalidates with 304', async () => {
    const gateway = await gatewayWith({});
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(gateway.url, 'GET', '/v1/products')));
    assert.deepEqual([...new Set(answers.map((answer) => answer.status))], [200]);
    assert.equal(stub.callsTo('GET', '/products').length, 1, 'a cold key is rebuilt once');
    assert.ok(answers.some((answer) => answer.headers.get('x-cache') === 'miss'));
    const etag = answers[0]!.headers.get('etag')!;
    assert.match(etag, /^"[\w-]{22}"$/);
    assert.equal(answers[0]!.headers.get('cache-control'), 'no-cache');

    const hit = await call(gateway.url, 'GET', '/v1/products');
    assert.equal(hit.headers.get('x-cache'), 'hit');
    const revalidated = await call(gateway.url, 'GET', '/v1/products', { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(stub.callsTo('GET', '/products').length, 1);
  });

  it('given a fresh entry, then reads are answered from the replica’s memory, without asking Redis', async () => {
    const gateway = await gatewayWith({ CATALOG_FRESH_MS: '10000' });
    const redis = gateway.app.get<Redis>(REDIS);
    const catalogGets: string[] = [];
    const get = redis.get.bind(redis);
    redis.get = ((key: string) => {
      if (key.endsWith('catalog:products')) catalogGets.push(key);
      return get(key);
    }) as typeof redis.get;
    assert.equal((await call(gateway.url, 'GET', '/v1/products')).status, 200);
    const asked = catalogGets.length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(gateway.url, 'GET', '/v1/products')));
    assert.deepEqual([...new Set(answers.map((answer) => answer.headers.get('x-cache')))], ['hit']);
    assert.equal(catalogGets.length, asked, 'a read of a fresh entry asked Redis');
  });

  it('given two replicas and a cold key, then the catalog is built once for both', async () => {
    const prefix = testRedisPrefix('catalog-shared');
    const [a, b] = [await gatewayWith({}, prefix), await gatewayWith({}, prefix)];
    const answers = await Promise.all([a, b, a, b].map((gateway) => call(gateway.url, 'GET', '/v1/products')));
    assert.deepEqual([...new Set(answers.map((answer) => answer.status))], [200]);
    assert.equal(stub.callsTo('GET', '/products').length, 1);
  });

  it('given a stock change, then the catalog is rebuilt once its freshness has passed, and not before', async () => {
    const gateway = await gatewayWith({ CATALOG_FRESH_MS: '300' });
    await call(gateway.url, 'GET', '/v1/products');
    gateway.app.get(CatalogCache).changed();
    assert.equal((await call(gateway.url, 'GET', '/v1/products')).headers.get('x-cache'), 'hit', 'younger than its freshness');
    await new Promise((resolve) => setTimeout(resolve, 350));
    const refreshing = await call(gateway.url, 'GET', '/v1/products');
    assert.equal(refreshing.headers.get('x-cache'), 'refreshing', 'the old entry, while one rebuild runs');
    await eventually(async () => stub.callsTo('GET', '/products').length === 2, { what: 'the rebuild' });
  });

  it('given the order service failing, then the last known catalog is served, marked stale, instead of a 503', async () => {
    const gateway = await gatewayWith({ CATALOG_FRESH_MS: '100', CATALOG_MAX_AGE_MS: '100', CATALOG_MAX_STALE_MS: '100', UPSTREAM_READ_RETRIES: '0' });
    const fresh = await call(gateway.url, 'GET', '/v1/products');
    assert.equal(fresh.status, 200);
    stub.fail(503);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const stale = await call(gateway.url, 'GET', '/v1/products');
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('x-cache'), 'stale');
    assert.match(stale.headers.get('warning') ?? '', /110/);
    assert.deepEqual(stale.body, fresh.body);
  });
});
