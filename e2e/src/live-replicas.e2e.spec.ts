/**
 * Live order events behind two gateway replicas (issue 20): the whole platform
 * as local processes plus a second gateway on the same database, Redis and
 * topics, as a Deployment's second pod would be. An order placed through
 * replica A is watched by many clients connected to replica B; each sees its
 * status change live, and B reads the order once per connection, not once per
 * client per second: its updates come from the broker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anOrder } from '@shopfront/testing';
import { GatewayClient, keys, streamOrder, warmedUp } from './client.js';
import { e2eConfig } from './config.js';
import { startLocalPlatform, type LocalPlatform } from './platform/local.js';

/** Watchers on replica B: enough that per-client polling would show far above the per-connection reads. */
const watchers = 20;
/** The provider's injected latency, twice per order (authorize, capture): the streams stay open several seconds. */
const providerLatencyMs = 1_500;

let platform: LocalPlatform;
let replicaA: GatewayClient;
let replicaB: GatewayClient;

before(async () => {
  platform = await startLocalPlatform({ label: 'replicas', portBase: e2eConfig.E2E_REPLICAS_PORT_BASE, extraGateways: 1 });
  assert.equal(platform.gatewayUrls.length, 2);
  [replicaA, replicaB] = platform.gatewayUrls.map((url) => new GatewayClient(url)) as [GatewayClient, GatewayClient];
  await warmedUp(replicaA);
  await warmedUp(replicaB);
});

after(async () => {
  await replicaA?.call('PUT', '/v1/admin/faults/payment-provider', { key: keys.admin, body: { latencyMs: 0, errorRate: 0 } }).catch(() => undefined);
  await platform?.stop();
});

/** Replica B's calls to the order service so far, whatever their outcome (its own /metrics, admin key). */
async function orderCallsOf(gateway: GatewayClient): Promise<number> {
  const response = await fetch(`${gateway.baseUrl}/metrics`, { headers: { 'x-api-key': keys.admin }, signal: AbortSignal.timeout(5_000) });
  assert.equal(response.status, 200);
  let total = 0;
  for (const line of (await response.text()).split('\n')) {
    if (line.startsWith('gateway_upstream_calls_total{') && line.includes('upstream="order"')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('live order events behind two gateway replicas', () => {
  it('given an order placed through replica A, when clients watch it on replica B, then each sees PENDING then CONFIRMED live, and B reads the order only once per connection (its timeline twice)', async () => {
    const slowed = await replicaA.call('PUT', '/v1/admin/faults/payment-provider', { key: keys.admin, body: { latencyMs: providerLatencyMs, errorRate: 0 } });
    assert.equal(slowed.status, 200, JSON.stringify(slowed.body));
    const callsBefore = await orderCallsOf(replicaB);
    const placed = await replicaA.placeOrder(anOrder({ customerId: 'cust-replicas', quantity: 1 }));
    assert.equal(placed.status, 202, JSON.stringify(placed.body));
    const started = Date.now();
    const streams = await Promise.all(Array.from({ length: watchers }, () => streamOrder(replicaB.baseUrl, placed.body.orderId, keys.client1, 30_000)));
    const lastedMs = Date.now() - started;
    const callsAfter = await orderCallsOf(replicaB);

    for (const [index, stream] of streams.entries()) {
      assert.equal(stream.status, 200, `watcher ${index}: ${stream.body}`);
      const statuses = stream.events.filter((event) => event.event === 'status').map((event) => (event.data as { status: string }).status);
      // The snapshot said PENDING; CONFIRMED came later, over the broker: B never read it from the order service.
      assert.deepEqual(statuses, ['PENDING', 'CONFIRMED'], `watcher ${index}`);
      const kinds = stream.events.filter((event) => event.event === 'timeline').map((event) => (event.data as { kind: string }).kind);
      assert.ok(kinds.includes('OrderConfirmed'), `watcher ${index} timeline: ${kinds.join(', ')}`);
    }
    // Closed by the gateway after the terminal state, not by the client's 30 s timeout.
    assert.ok(lastedMs < 25_000, `streams lasted ${lastedMs} ms`);
    // Long enough that one read per client per second would have shown: at least 2 s of watching.
    assert.ok(lastedMs >= 2 * providerLatencyMs * 0.9, `streams lasted only ${lastedMs} ms`);
    const perConnection = (callsAfter - callsBefore) / watchers;
    console.log(`replicas: ${watchers} watchers on B for ${lastedMs} ms: ${callsAfter - callsBefore} order-service calls from B (${perConnection.toFixed(2)} per connection)`);
    // Each connection reads the order and its timeline once (2 calls), then the timeline once more after
    // 500 ms (1 call: saga steps the feed passed before it watched, ADR 0018); a feed still joining adds
    // one catch-up (2 more). Never a read per update.
    assert.ok(callsAfter - callsBefore <= watchers * 3 + 2, `B called the order service ${callsAfter - callsBefore} times for ${watchers} watchers over ${lastedMs} ms`);
  });
});
