import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultTargets, routeFault } from './upstreams.js';

describe('routing a fault', () => {
  it('given the gateway, then the fault is its own', () => {
    assert.deepEqual(routeFault('gateway'), { kind: 'local' });
  });

  it('given a service, then that service faults itself', () => {
    for (const service of ['order', 'inventory', 'payment', 'shipping', 'orchestrator'] as const) {
      assert.deepEqual(routeFault(service), { kind: 'upstream', upstream: service, target: 'self' });
    }
  });

  it('given the payment provider, then the payment service faults its simulated provider', () => {
    assert.deepEqual(routeFault('payment-provider'), { kind: 'upstream', upstream: 'payment', target: 'payment-provider' });
  });

  it("given a service's consumers, then that service crashes its consumers", () => {
    for (const service of ['order', 'inventory', 'payment', 'shipping', 'orchestrator'] as const) {
      assert.deepEqual(routeFault(`${service}-consumers`), { kind: 'upstream', upstream: service, target: 'consumer' });
    }
  });

  it('then every target the API accepts has a route', () => {
    assert.equal(faultTargets.length, 12);
    for (const target of faultTargets) assert.ok(routeFault(target));
  });
});
