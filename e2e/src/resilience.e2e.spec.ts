/**
 * The edge and the saga when something is slow or overused, end to end: a
 * platform of its own with tight limits and short deadlines, so that the
 * contract's rate limit, circuit breaker and TIMEOUT outcome show within
 * seconds. Faults are injected through the gateway's admin route, as an
 * operator's drill would.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { anOrder, eventually } from '@shopfront/testing';
import { GatewayClient, keys, untilServing, warmedUp, type Answer } from './client.js';
import { checkInvariants } from './invariants.js';
import { startPlatform, type RunningPlatform } from './platform/index.js';

const limits = {
  // 30 requests a second per client key: a burst of 120 must be refused in part, whatever window it straddles.
  RATE_LIMIT_POINTS: '30',
  RATE_LIMIT_DURATION_S: '1',
  // An attempt is cut at 400 ms; the breaker judges a 2 s window and probes again 2 s after opening.
  UPSTREAM_ATTEMPT_TIMEOUT_MS: '400',
  UPSTREAM_TOTAL_TIMEOUT_MS: '3000',
  BREAKER_WINDOW_MS: '2000',
  BREAKER_HALF_OPEN_AFTER_MS: '2000',
  // A step waits 400 ms for its answer, then 800 ms after one re-send, then the saga gives up: TIMEOUT.
  STEP_TIMEOUT_MS: '400',
  STEP_MAX_ATTEMPTS: '2',
  CHAOS_ENABLED: 'true',
};

let platform: RunningPlatform;
let gateway: GatewayClient;

before(async () => {
  platform = await startPlatform({ extraEnv: limits });
  gateway = new GatewayClient(platform.gatewayUrl);
});
// Each test starts from a healed platform: no fault left set, every circuit closed.
beforeEach(async () => {
  for (const service of ['order', 'payment-provider']) await fault(service, 0);
  await untilServing(gateway);
});
after(async () => {
  await platform?.stop();
});

const fault = (service: string, latencyMs: number) => gateway.call('PUT', `/v1/admin/faults/${service}`, { key: keys.admin, body: { latencyMs, errorRate: 0 } });

describe('the edge under overload and failure', () => {
  it('given a burst over one client\'s rate limit, then the excess gets 429 with Retry-After and RateLimit headers, and another client is still served', async () => {
    // A cold order service misses the 400 ms attempt timeout under a burst and opens the breaker (503s): warm it first.
    await warmedUp(gateway);
    const started = performance.now();
    const burst = await Promise.all(Array.from({ length: 120 }, () => gateway.call('GET', '/v1/products', { key: keys.client2 })));
    // Fixed one-second windows: a burst over w seconds touches at most ceil(w) + 1 of them, 30 each.
    const windows = Math.ceil((performance.now() - started) / 1000) + 1;
    const refused = burst.filter((answer) => answer.status === 429);
    const served = burst.filter((answer) => answer.status === 200);
    assert.equal(refused.length + served.length, burst.length, `only 200 and 429: ${burst.map((answer) => answer.status).join(',')}`);
    assert.ok(served.length <= 30 * windows, `${served.length} served over at most ${windows} windows of 30`);
    assert.ok(refused.length > 0, 'the excess was refused');
    for (const answer of refused) {
      assert.ok(Number(answer.headers.get('retry-after')) >= 1);
      assert.equal(answer.headers.get('ratelimit-limit'), '30');
      assert.equal(answer.headers.get('ratelimit-remaining'), '0');
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
    assert.equal((await gateway.call('GET', '/v1/products', { key: keys.client1 })).status, 200);
  });

  it('given the order service made slow, then its circuit opens: 503 with Retry-After in under 200 ms, nothing waits past the timeout, and it closes once healed', async () => {
    const placed = await gateway.placeOrder(anOrder({ sku: 'SKU-004' }));
    assert.equal(placed.status, 202);
    await gateway.settled(placed.body.orderId);
    assert.equal((await fault('order', 2_000)).status, 200);
    // A fresh one-second window for client-1's rate limit (30): the burst case before this one, served
    // from the catalog cache, can end in the window its warm-up filled, and then every read here is 429.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    let fast: (Answer<unknown> & { ms: number }) | undefined;
    let slowest = 0;
    const seen: string[] = [];
    for (let round = 0; round < 10 && !fast; round++) {
      const answers = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const started = performance.now();
          const answer = await gateway.order(placed.body.orderId);
          return { ...answer, ms: performance.now() - started };
        }),
      );
      slowest = Math.max(slowest, ...answers.map((answer) => answer.ms));
      seen.push(answers.map((answer) => `${answer.status}/${Math.round(answer.ms)}ms`).join(' '));
      fast = answers.find((answer) => answer.status === 503 && answer.ms < 200);
      // Rate-limited rounds say nothing about the circuit: wait for the next window instead of using up the rounds.
      if (!fast && answers.every((answer) => answer.status === 429)) await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    assert.ok(fast, `the circuit opened and answered 503 at once; rounds seen: ${seen.join(' | ')}`);
    assert.ok(Number(fast.headers.get('retry-after')) >= 1);
    assert.ok(slowest < 4_000, `no request waited past the gateway's 3 s timeout (plus scheduling slack) (slowest ${Math.round(slowest)} ms)`);
    const resilience = await gateway.call<{ items: { upstream: string; circuit: { state: string } }[] }>('GET', '/v1/admin/resilience', { key: keys.admin });
    assert.equal(resilience.body.items.find((item) => item.upstream === 'order')?.circuit.state, 'open');

    // The drill's own route reaches the service whatever the circuit; the circuit closes on the first probe after Retry-After.
    assert.equal((await fault('order', 0)).status, 200);
    await eventually(async () => (await gateway.order(placed.body.orderId)).status === 200, { what: 'the circuit closed again', timeoutMs: 10_000, intervalMs: 250 });
    const closed = await gateway.call<{ items: { upstream: string; circuit: { state: string } }[] }>('GET', '/v1/admin/resilience', { key: keys.admin });
    assert.equal(closed.body.items.find((item) => item.upstream === 'order')?.circuit.state, 'closed');
  });

  it('given a card provider slower than every deadline, then the saga gives up with TIMEOUT and compensates: payment voided, stock released, no shipment', async () => {
    const sku = 'SKU-005';
    const stockOf = async () =>
      (await gateway.call<{ items: { sku: string; reserved: number }[] }>('GET', '/v1/admin/inventory', { key: keys.admin })).body.items.find((item) => item.sku === sku);
    assert.equal((await fault('payment-provider', 4_000)).status, 200);
    let orderId: string;
    try {
      const placed = await gateway.placeOrder(anOrder({ sku }));
      assert.equal(placed.status, 202);
      orderId = placed.body.orderId;
      // Heal only once the orchestrator has given up, so the late answers meet a saga that is compensating.
      const timeline = async () => JSON.stringify((await gateway.call('GET', `/v1/orders/${orderId}/timeline`)).body);
      await eventually(async () => (await timeline()).includes('TIMEOUT'), { what: 'the timeline records the timeout', timeoutMs: 20_000, intervalMs: 200 });
    } finally {
      await fault('payment-provider', 0);
    }
    const order = await gateway.settled(orderId, 30_000);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.reason, 'TIMEOUT');
    const results = await checkInvariants(gateway, [orderId], { settleMs: 30_000 });
    for (const result of results) assert.ok(result.holds, `${result.invariant}: ${result.detail}`);
    const payments = await gateway.call<{ items: { status: string; capturedAmount: number }[] }>('GET', `/v1/admin/payments?orderId=${orderId}`, { key: keys.admin });
    for (const payment of payments.body.items) assert.notEqual(payment.status, 'AUTHORIZED', 'no authorization left holding the customer\'s money');
    assert.equal((await stockOf())?.reserved, 0);
  });
});
