/**
 * Circuit breaker, bulkhead, timeouts and retries against a real HTTP
 * upstream made slow or failing: fast 503s once the circuit is open, a full
 * bulkhead refused at once, no request held past the gateway's timeout.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { anOrder, eventually, type TestDatabase } from '@shopfront/testing';
import { call, gatewayDatabase, keys, startGateway, testRedisPrefix, type RunningGateway } from '../../test/gateway-fixture.js';
import { StubUpstream } from '../../test/stub-upstream.js';

let db: TestDatabase;
let stub: StubUpstream;
let upstreamUrl: string;
const gateways: RunningGateway[] = [];

const gatewayWith = async (env: Record<string, string>) => {
  const gateway = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix: testRedisPrefix('resilience'), env });
  gateways.push(gateway);
  return gateway;
};

before(async () => {
  stub = new StubUpstream();
  upstreamUrl = await stub.start();
  db = await gatewayDatabase('resilience');
});
after(async () => {
  for (const gateway of gateways) await gateway.stop();
  await stub?.stop();
  await db?.drop();
});
beforeEach(() => stub.reset());

type Snapshot = { items: { upstream: string; circuit: { state: string; retryAfterS?: number }; bulkhead: { executionSlots: { used: number }; queueSlots: { used: number } } }[] };
const resilienceOf = async (gateway: RunningGateway, upstream: string) =>
  (await call<Snapshot>(gateway.url, 'GET', '/v1/admin/resilience', { key: keys.admin })).body.items.find((item) => item.upstream === upstream)!;

describe('a slow upstream', () => {
  let gateway: RunningGateway;
  before(async () => {
    gateway = await gatewayWith({
      UPSTREAM_ATTEMPT_TIMEOUT_MS: '200',
      UPSTREAM_READ_RETRIES: '0',
      BREAKER_WINDOW_MS: '5000',
      BREAKER_MIN_RPS: '0.8', // 4 calls in the window before the breaker judges
      BREAKER_HALF_OPEN_AFTER_MS: '1500',
    });
  });

  it('given calls time out, then the circuit opens and the gateway answers 503 with Retry-After in under 200 ms', async () => {
    stub.delayMs = 2_000;
    let answer = await call(gateway.url, 'GET', '/v1/orders?limit=1');
    for (let n = 0; n < 10 && answer.body.code !== 'CIRCUIT_OPEN'; n++) {
      assert.equal(answer.status, 504, 'a timed-out attempt, before the circuit opens');
      answer = await call(gateway.url, 'GET', '/v1/orders?limit=1');
    }
    assert.equal(answer.body.code, 'CIRCUIT_OPEN');
    const callsWhenOpened = stub.callsTo('GET', '/orders').length;

    for (let n = 0; n < 5; n++) {
      const fast = await call(gateway.url, 'GET', `/v1/orders/${crypto.randomUUID()}`);
      assert.equal(fast.status, 503);
      assert.ok(fast.ms < 200, `answered in ${fast.ms.toFixed(1)} ms`);
      assert.ok(Number(fast.headers.get('retry-after')) >= 1);
      assert.match(fast.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
    assert.equal(stub.callsTo('GET', '/orders').length, callsWhenOpened, 'an open circuit sends nothing');

    const state = await resilienceOf(gateway, 'order');
    assert.equal(state.circuit.state, 'open');
    assert.ok((state.circuit.retryAfterS ?? 0) >= 1);
    const metrics = await call<string>(gateway.url, 'GET', '/metrics', { key: keys.admin });
    assert.match(metrics.body, /circuit_state\{[^}]*upstream="order"[^}]*\} 1/);
    assert.equal((await resilienceOf(gateway, 'inventory')).circuit.state, 'closed', 'one breaker per upstream');
  });

  it('given the upstream heals, then after Retry-After a probe goes through and the circuit closes', async () => {
    const refused = await call(gateway.url, 'GET', '/v1/orders?limit=1');
    assert.equal(refused.status, 503);
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000 + 100));
    const probe = await call(gateway.url, 'GET', '/v1/orders?limit=1');
    assert.equal(probe.status, 200);
    assert.equal((await resilienceOf(gateway, 'order')).circuit.state, 'closed');
  });

  it('given an open circuit on order, then other upstreams still answer', async () => {
    assert.equal((await call(gateway.url, 'GET', '/v1/admin/inventory', { key: keys.admin })).status, 200);
  });
});

describe('retries', () => {
  let gateway: RunningGateway;
  before(async () => {
    gateway = await gatewayWith({ UPSTREAM_READ_RETRIES: '2' });
  });

  it('given a read fails once with 503, then it is retried and answers 200', async () => {
    stub.fail(503, 1);
    const answer = await call(gateway.url, 'GET', '/v1/orders?limit=1');
    assert.equal(answer.status, 200);
    assert.equal(stub.callsTo('GET', '/orders').length, 2);
  });

  it('given a write fails with 503, then it is not retried: the 503 goes back to the client', async () => {
    stub.fail(503, 1, '/orders');
    const answer = await call(gateway.url, 'POST', '/v1/orders', { body: anOrder(), headers: { 'idempotency-key': crypto.randomUUID() } });
    assert.equal(answer.status, 503);
    assert.ok(answer.headers.get('retry-after'));
    assert.equal(stub.callsTo('POST', '/orders').length, 1);
  });

  it('given a client error, then it is neither retried nor counted against the upstream', async () => {
    const answer = await call(gateway.url, 'GET', `/v1/orders/${crypto.randomUUID()}`);
    assert.equal(answer.status, 404);
    assert.equal(stub.calls.length, 1);
  });
});

describe('an upstream that is down', () => {
  it('given nothing listens, then 503 with Retry-After, quickly, and reads were retried first', async () => {
    const gateway = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix: testRedisPrefix('resilience'), env: { PAYMENT_URL: 'http://127.0.0.1:1' } });
    gateways.push(gateway);
    const answer = await call(gateway.url, 'GET', '/v1/admin/payments', { key: keys.admin });
    assert.equal(answer.status, 503);
    assert.equal(answer.body.code, 'UPSTREAM_UNREACHABLE');
    assert.ok(answer.headers.get('retry-after'));
    assert.ok(answer.ms < 2_000, `answered in ${answer.ms.toFixed(0)} ms`);
    assert.equal((await call(gateway.url, 'GET', '/v1/orders?limit=1')).status, 200, 'the other upstreams are unaffected');
  });
});

describe('a full bulkhead', () => {
  let gateway: RunningGateway;
  before(async () => {
    gateway = await gatewayWith({ BULKHEAD_LIMIT: '2', BULKHEAD_QUEUE: '1', UPSTREAM_READ_RETRIES: '0' });
  });

  it('given two calls running and one queued, then further calls are refused with 503 at once', async () => {
    stub.delayMs = 1_500;
    const running = Array.from({ length: 3 }, () => call(gateway.url, 'GET', '/v1/orders?limit=1'));
    // The admin view shows the saturation (and fails the test if it never does).
    await eventually(async () => {
      const { bulkhead } = await resilienceOf(gateway, 'order');
      return bulkhead.executionSlots.used === 2 && bulkhead.queueSlots.used === 1;
    }, { what: 'two calls running and one queued' });
    const refused = await call(gateway.url, 'GET', '/v1/orders?limit=1');
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'BULKHEAD_FULL');
    assert.ok(refused.ms < 100, `answered in ${refused.ms.toFixed(1)} ms`);
    assert.ok(refused.headers.get('retry-after'));
    assert.deepEqual((await Promise.all(running)).map((answer) => answer.status), [200, 200, 200]);
  });
});

describe('the gateway timeout', () => {
  let gateway: RunningGateway;
  before(async () => {
    gateway = await gatewayWith({}); // the defaults: 3 s an attempt, 10 s in all, 2 retries for reads
  });

  it('given an upstream that never answers, then neither a read (retried) nor a write waits past 10 s', async () => {
    stub.delayMs = 60_000;
    const [read, write] = await Promise.all([
      call(gateway.url, 'GET', '/v1/orders?limit=1'),
      call(gateway.url, 'POST', '/v1/orders', { body: anOrder(), headers: { 'idempotency-key': crypto.randomUUID() } }),
    ]);
    assert.equal(read.status, 504);
    assert.ok(read.ms < 10_500, `read answered after ${read.ms.toFixed(0)} ms`);
    assert.ok(read.ms > 6_000, 'the read was retried');
    assert.equal(write.status, 504);
    assert.ok(write.ms < 3_500, `write answered after ${write.ms.toFixed(0)} ms`);
  });
});
