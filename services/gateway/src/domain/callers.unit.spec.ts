import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticate, mayEnter, parseApiKeys } from './callers.js';
import { GatewayError } from './errors.js';

describe('API keys', () => {
  const keys = parseApiKeys('dev-key-1:client-1, dev-key-2:client-2', 'admin-key');

  it('given the development keys, when a client key is presented, then it is that client', () => {
    assert.deepEqual(authenticate(keys, 'dev-key-2'), { kind: 'authenticated', caller: { clientId: 'client-2', role: 'client' } });
  });

  it('given an admin key without a name, when presented, then it is the admin caller', () => {
    assert.deepEqual(authenticate(keys, 'admin-key'), { kind: 'authenticated', caller: { clientId: 'admin', role: 'admin' } });
  });

  it('given no header or an unknown key, then it is missing or unknown', () => {
    assert.deepEqual(authenticate(keys, undefined), { kind: 'missing' });
    assert.deepEqual(authenticate(keys, ''), { kind: 'missing' });
    assert.deepEqual(authenticate(keys, 'dev-key-3'), { kind: 'unknown' });
    assert.deepEqual(authenticate(keys, 'client-1'), { kind: 'unknown' }, 'a client id is not a key');
  });

  it('given a client caller, then it may enter client routes but not admin routes; an admin may enter both', () => {
    assert.equal(mayEnter({ clientId: 'client-1', role: 'client' }, 'client'), true);
    assert.equal(mayEnter({ clientId: 'client-1', role: 'client' }, 'admin'), false);
    assert.equal(mayEnter({ clientId: 'admin', role: 'admin' }, 'admin'), true);
    assert.equal(mayEnter({ clientId: 'admin', role: 'admin' }, 'client'), true);
  });

  it('given malformed or duplicated entries, when parsed, then a configuration error names the problem without the whole secret', () => {
    const error = (clients: string, admins: string) => {
      try {
        parseApiKeys(clients, admins);
      } catch (caught) {
        return caught as GatewayError;
      }
      assert.fail('expected a configuration error');
    };
    assert.equal(error('dev-key-1', 'admin-key').code, 'INVALID_API_KEYS');
    assert.match(error('secret-key-1:client-1,secret-key-1:client-2', 'admin-key').message, /listed twice/);
    assert.doesNotMatch(error('secret-key-1:client-1,secret-key-1:client-2', 'admin-key').message, /secret-key-1/);
    assert.match(error('dev-key-1:client-1', '').message, /at least one/);
    assert.match(error('k:client one', 'admin-key').message, /malformed/);
  });
});
