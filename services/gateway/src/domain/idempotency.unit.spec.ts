import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, fingerprintOf, isDefinitive, resolveExisting, type IdempotencyRecord } from './idempotency.js';

const fingerprint = fingerprintOf('POST', '/v1/orders', { customerId: 'cust-1' });
const record = (overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  fingerprint,
  state: 'in_flight',
  orderId: '0b6f3b5e-3f55-4b7e-9d55-0a4f5c1b2a10',
  response: undefined,
  leaseExpired: false,
  ...overrides,
});
const accepted = { status: 202, headers: { location: '/v1/orders/x' }, body: '{"orderId":"x","status":"PENDING"}' };

describe('resolving a key that already has a record', () => {
  it('given a completed record for the same request, then the stored answer is replayed', () => {
    assert.deepEqual(resolveExisting(record({ state: 'completed', response: accepted }), fingerprint, true), { kind: 'replay', response: accepted });
  });

  it('given a record for a different request, then the key is reused whatever the state', () => {
    const other = fingerprintOf('POST', '/v1/orders', { customerId: 'cust-2' });
    assert.deepEqual(resolveExisting(record({ state: 'completed', response: accepted }), other, true), { kind: 'keyReused' });
    assert.deepEqual(resolveExisting(record(), other, true), { kind: 'keyReused' });
    assert.deepEqual(resolveExisting(record({ leaseExpired: true }), other, true), { kind: 'keyReused' });
  });

  it('given a request still in flight, then it is a conflict', () => {
    assert.deepEqual(resolveExisting(record(), fingerprint, true), { kind: 'inFlight' });
  });

  it('given an in-flight record whose lease ran out, then it is taken over for the same order, unless someone else may be doing so', () => {
    assert.deepEqual(resolveExisting(record({ leaseExpired: true }), fingerprint, true), { kind: 'takeOver', orderId: record().orderId });
    assert.deepEqual(resolveExisting(record({ leaseExpired: true }), fingerprint, false), { kind: 'inFlight' });
  });
});

describe('fingerprints', () => {
  it('given the same body with keys in another order, then the fingerprint is the same', () => {
    assert.equal(fingerprintOf('POST', '/v1/orders', { a: 1, b: { c: [1, 2], d: null } }), fingerprintOf('POST', '/v1/orders', { b: { d: null, c: [1, 2] }, a: 1 }));
  });

  it('given another body, path or method, then the fingerprint differs', () => {
    const base = fingerprintOf('POST', '/v1/orders', { a: 1 });
    assert.notEqual(fingerprintOf('POST', '/v1/orders', { a: 2 }), base);
    assert.notEqual(fingerprintOf('POST', '/v1/orders', { a: [1] }), base);
    assert.notEqual(fingerprintOf('POST', '/v1/orders/x/cancel', { a: 1 }), base);
    assert.notEqual(fingerprintOf('PUT', '/v1/orders', { a: 1 }), base);
  });

  it('given nested values, then canonical JSON sorts keys and drops undefined properties only', () => {
    assert.equal(canonicalJson({ b: [{ z: 1, y: undefined }], a: 'x' }), '{"a":"x","b":[{"z":1}]}');
    assert.equal(canonicalJson(undefined), 'null');
  });
});

describe('which answers are kept', () => {
  it('given 2xx and 4xx answers, then they are definitive; 5xx leave the outcome unknown', () => {
    assert.deepEqual([202, 404, 409, 422, 500, 503].map(isDefinitive), [true, true, true, true, false, false]);
  });
});
