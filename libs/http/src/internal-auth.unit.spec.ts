import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internalAuthHeader, isOpenInternalRoute, signInternalRequest, verifyInternalRequest } from './internal-auth.js';

const secret = 'a-secret-of-at-least-thirty-two-characters';
const request = { method: 'GET', path: '/orders?limit=5', clientId: 'client-1' };
const verify = (headers: Record<string, string>, overrides: Partial<typeof request> = {}, now = Date.now()) =>
  verifyInternalRequest(secret, { ...request, ...overrides, credential: headers[internalAuthHeader] }, now);

describe('the internal credential', () => {
  it('given a signed request, then it verifies and carries the client id it covers', () => {
    const headers = signInternalRequest(secret, request);
    assert.equal(headers['x-client-id'], 'client-1');
    assert.deepEqual(verify(headers), { kind: 'valid' });
  });

  it('given another client id, method, path or secret, then the signature does not verify', () => {
    const headers = signInternalRequest(secret, request);
    assert.deepEqual(verify(headers, { clientId: 'client-2' }), { kind: 'invalid', reason: 'bad-signature' });
    assert.deepEqual(verify(headers, { clientId: undefined }), { kind: 'invalid', reason: 'bad-signature' });
    assert.deepEqual(verify(headers, { method: 'POST' }), { kind: 'invalid', reason: 'bad-signature' });
    assert.deepEqual(verify(headers, { path: '/orders?limit=6' }), { kind: 'invalid', reason: 'bad-signature' });
    const forged = signInternalRequest('another-secret-of-thirty-two-characters!', request);
    assert.deepEqual(verify(forged), { kind: 'invalid', reason: 'bad-signature' });
  });

  it('given no, a malformed or a stale credential, then each is refused by its reason', () => {
    assert.deepEqual(verify({}), { kind: 'invalid', reason: 'missing' });
    assert.deepEqual(verify({ [internalAuthHeader]: 't=1,v1=abc' }), { kind: 'invalid', reason: 'malformed' });
    const signedAt = Date.now();
    const headers = signInternalRequest(secret, request, signedAt);
    assert.deepEqual(verify(headers, {}, signedAt + 29_000), { kind: 'valid' });
    assert.deepEqual(verify(headers, {}, signedAt + 31_000), { kind: 'invalid', reason: 'expired' });
    assert.deepEqual(verify(headers, {}, signedAt - 31_000), { kind: 'invalid', reason: 'expired' });
  });

  it('given probes and metrics, then only they are open', () => {
    for (const path of ['/health/live', '/health/ready', '/metrics', '/metrics?x=1']) assert.ok(isOpenInternalRoute(path), path);
    for (const path of ['/orders', '/admin/faults/self', '/metricsx', '/health/readyz', '/health', '/sagas/x']) assert.ok(!isOpenInternalRoute(path), path);
  });
});
