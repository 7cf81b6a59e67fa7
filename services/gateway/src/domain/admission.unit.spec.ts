import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admit, AnsweredCheckouts, BacklogBound, classify, defaultShedAt, OrdersInFlight, type AdmissionLimits, type BacklogPolicy } from './admission.js';

const limits: AdmissionLimits = { maxConcurrent: 100, shedAt: defaultShedAt };

describe('classify', () => {
  it('names the checkout, browsing and order-status routes, and nothing else', () => {
    assert.equal(classify('POST', '/v1/orders'), 'checkout');
    assert.equal(classify('POST', '/v1/orders?x=1'), 'checkout');
    assert.equal(classify('GET', '/v1/products'), 'browse');
    assert.equal(classify('GET', '/v1/orders/3f1c'), 'status');
    assert.equal(classify('GET', '/v1/orders/3f1c/timeline'), 'status');
    assert.equal(classify('GET', '/v1/orders?customerId=c1'), 'status');
    // Never shed: cancels, live streams (long-lived, they would hold the count), probes, operators, pages.
    for (const [method, url] of [
      ['POST', '/v1/orders/3f1c/cancel'],
      ['GET', '/v1/orders/3f1c/events'],
      ['GET', '/health/ready'],
      ['GET', '/v1/admin/resilience'],
      ['PUT', '/v1/admin/inventory/SKU-001'],
      ['GET', '/console/'],
      ['GET', '/v1/productsx'],
    ] as const) {
      assert.equal(classify(method, url), 'unshed', `${method} ${url}`);
    }
  });
});

describe('admit', () => {
  const at = (concurrent: number, ordersInFlight: number | undefined = 0) => ({ concurrent, ordersInFlight, backlogBound: 60 });

  it('sheds browsing first, then checkouts, then order status, as the gateway fills', () => {
    const admitted = (concurrent: number) => (['browse', 'checkout', 'status'] as const).filter((kind) => admit(kind, at(concurrent), limits).admit);
    assert.deepEqual(admitted(79), ['browse', 'checkout', 'status']);
    assert.deepEqual(admitted(80), ['checkout', 'status']);
    assert.deepEqual(admitted(90), ['status']);
    assert.deepEqual(admitted(95), []);
    assert.deepEqual(admit('browse', at(80), limits), { admit: false, reason: 'gateway-busy', retryAfterS: 1 });
  });

  it('refuses checkouts alone when the saga backlog is full, and says so', () => {
    assert.deepEqual(admit('checkout', at(0, 60), limits), { admit: false, reason: 'pipeline-full', retryAfterS: 2 });
    assert.equal(admit('checkout', at(0, 59), limits).admit, true);
    assert.equal(admit('status', at(0, 500), limits).admit, true);
    assert.equal(admit('browse', at(0, 500), limits).admit, true);
  });

  it('lets a retry of a checkout answered here through a full backlog, never a full gateway', () => {
    assert.equal(admit('checkout', { ...at(0, 60), answeredBefore: true }, limits).admit, true);
    assert.deepEqual(admit('checkout', { ...at(90, 60), answeredBefore: true }, limits), { admit: false, reason: 'gateway-busy', retryAfterS: 1 });
  });

  it('admits checkouts while the backlog is unknown (the order waits durably in the outbox)', () => {
    assert.equal(admit('checkout', at(0, undefined), limits).admit, true);
  });

  it('never sheds what is not classed', () => {
    assert.equal(admit('unshed', at(10_000, 10_000), limits).admit, true);
  });
});

describe('OrdersInFlight', () => {
  it('counts an order from placed to ended, once however often it is placed', () => {
    const inFlight = new OrdersInFlight(60_000);
    inFlight.placed('a', 0);
    inFlight.placed('a', 1); // accepted here, then announced on the feed
    inFlight.placed('b', 2);
    assert.equal(inFlight.count(3), 2);
    inFlight.ended('a', 4);
    assert.equal(inFlight.count(5), 1);
  });

  it('does not count an order whose end was seen before this replica counted it', () => {
    const inFlight = new OrdersInFlight(60_000);
    inFlight.ended('a', 0);
    inFlight.placed('a', 1);
    assert.equal(inFlight.count(2), 0);
  });

  it('forgets an order whose end never came, so a lost message cannot close the door', () => {
    const inFlight = new OrdersInFlight(1_000);
    inFlight.placed('a', 0);
    inFlight.placed('b', 900);
    assert.equal(inFlight.count(999), 2);
    assert.equal(inFlight.count(1_001), 1);
    assert.equal(inFlight.count(1_901), 0);
  });
});

describe('OrdersInFlight.recent', () => {
  it('gives the rate of endings over the window and how long the orders took', () => {
    const inFlight = new OrdersInFlight(60_000, 2_000);
    for (let i = 0; i < 10; i++) inFlight.placed(`o${i}`, i * 100);
    for (let i = 0; i < 10; i++) inFlight.ended(`o${i}`, 1_000 + i * 100 + i * 10); // took 1,000 + 10 i ms
    assert.deepEqual(inFlight.recent(2_000), { endedPerS: 5, p90Ms: 1_080 });
    assert.deepEqual(inFlight.recent(5_000), { endedPerS: 0, p90Ms: undefined });
  });
});

describe('BacklogBound', () => {
  const policy: BacklogPolicy = { burst: 150, targetMs: 1_000, floor: 20, ceiling: 400, stepMs: 500 };
  const fast = () => ({ endedPerS: 100, p90Ms: 300 });
  // Ending fast enough that Little's law does not bind: these cases test the multiplicative decrease alone.
  const slow = () => ({ endedPerS: 1_000, p90Ms: 2_500 });

  it('starts at the burst, and moves at most once a step', () => {
    const bound = new BacklogBound(policy);
    assert.equal(bound.at(0, slow, 150), 127);
    assert.equal(bound.at(499, slow, 150), 127);
    assert.equal(bound.at(500, slow, 150), 107);
  });

  it('shrinks at once to what ends within the target at the rate orders end now, when that is lower', () => {
    const bound = new BacklogBound(policy);
    // 150 in flight, 30 ending a second, 1 s target: 30 finish in time, not the 127 a 15 % step leaves.
    assert.equal(bound.at(0, () => ({ endedPerS: 30, p90Ms: 2_500 }), 150), 30);
    // Never under the floor, however little ends.
    assert.equal(bound.at(500, () => ({ endedPerS: 2, p90Ms: 4_000 }), 30), 20);
  });

  it('shrinks while orders end late, down to the floor and not below', () => {
    const bound = new BacklogBound(policy);
    let value = 0;
    for (let step = 0; step < 40; step++) value = bound.at(step * 500, slow, 500);
    assert.equal(value, 20);
  });

  it('grows while orders end in time and the bound is what holds them back, up to the ceiling', () => {
    const bound = new BacklogBound(policy);
    assert.equal(bound.at(0, fast, 140), 158);
    let value = 0;
    for (let step = 1; step < 60; step++) value = bound.at(step * 500, fast, value);
    assert.equal(value, 400);
  });

  it('stays put while orders end in time and the backlog is well under it', () => {
    const bound = new BacklogBound(policy);
    assert.equal(bound.at(0, fast, 100), 150);
    assert.equal(bound.at(500, () => ({ endedPerS: 0, p90Ms: undefined }), 100), 150);
  });

  it('goes back to a whole burst once little is in flight, after a surge held it down', () => {
    const bound = new BacklogBound(policy);
    let value = 0;
    for (let step = 0; step < 10; step++) value = bound.at(step * 500, slow, value || 150);
    assert.ok(value < 40, `held down to ${value}`);
    assert.equal(bound.at(5_000, fast, 5), 150);
  });

  it('does not shrink for slow endings while the backlog is small: a fault that made orders slow is over', () => {
    const bound = new BacklogBound(policy);
    assert.equal(bound.at(0, slow, 10), 150);
    assert.equal(bound.at(500, slow, 74), 150);
    assert.equal(bound.at(1_000, slow, 75), 127);
  });
});

describe('AnsweredCheckouts', () => {
  it('knows a checkout for as long as it keeps them, and forgets the oldest past its capacity', () => {
    const answered = new AnsweredCheckouts(1_000, 2);
    answered.remember('k|a', 0);
    answered.remember('k|b', 100);
    assert.equal(answered.has('k|a', 999), true);
    assert.equal(answered.has('k|a', 1_000), false, 'past keepMs');
    assert.equal(answered.has('other|a', 500), false, 'another client’s key');
    answered.remember('k|a', 200); // answered again: now the newest
    answered.remember('k|c', 300);
    assert.deepEqual(['k|a', 'k|b', 'k|c'].map((key) => answered.has(key, 400)), [true, false, true]);
  });
});
