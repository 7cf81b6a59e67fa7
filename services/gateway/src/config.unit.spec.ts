import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@shopfront/config';
import { loadGatewayConfig, redisKeyPrefix } from './config.js';

const badVariables = (env: Record<string, string>) => {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.variables;
  }
  assert.fail('expected the environment to be refused');
};

describe('gateway configuration', () => {
  it('given an empty environment, then the contract defaults apply', () => {
    const config = loadGatewayConfig({});
    assert.equal(config.GATEWAY_PORT, 3000);
    assert.equal(config.API_KEYS, 'dev-key-1:client-1,dev-key-2:client-2');
    assert.equal(config.ADMIN_KEYS, 'admin-key');
    assert.equal(config.ORDER_URL, 'http://127.0.0.1:3001');
    assert.equal(config.UPSTREAM_TOTAL_TIMEOUT_MS, 10_000);
    assert.equal(config.IDEMPOTENCY_TTL_HOURS, 24);
    assert.match(config.DATABASE_URL, /shopfront_gateway$/);
  });

  it('given limits the contract forbids, then the variable is named', () => {
    assert.deepEqual(badVariables({ UPSTREAM_TOTAL_TIMEOUT_MS: '15000' }), ['UPSTREAM_TOTAL_TIMEOUT_MS']);
    assert.deepEqual(badVariables({ IDEMPOTENCY_TTL_HOURS: '12' }), ['IDEMPOTENCY_TTL_HOURS']);
    assert.deepEqual(badVariables({ UPSTREAM_ATTEMPT_TIMEOUT_MS: '5000', UPSTREAM_TOTAL_TIMEOUT_MS: '4000' }), ['UPSTREAM_ATTEMPT_TIMEOUT_MS']);
    assert.deepEqual(badVariables({ RATE_LIMIT_POINTS: '0' }), ['RATE_LIMIT_POINTS']);
    assert.deepEqual(badVariables({ ORDER_URL: 'order:3001' }), ['ORDER_URL']);
  });

  it('given malformed API keys, then API_KEYS is named', () => {
    assert.deepEqual(badVariables({ API_KEYS: 'just-a-key' }), ['API_KEYS']);
  });

  it('given a topic prefix and no explicit Redis prefix, then Redis keys are namespaced by it', () => {
    assert.equal(redisKeyPrefix(loadGatewayConfig({ KAFKA_TOPIC_PREFIX: 'e2e.ab12.' })), 'gateway:e2e.ab12.');
    assert.equal(redisKeyPrefix(loadGatewayConfig({ KAFKA_TOPIC_PREFIX: 'e2e.ab12.', REDIS_KEY_PREFIX: 'x:' })), 'x:');
  });
});
