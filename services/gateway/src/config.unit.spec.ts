import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError } from '@shopfront/config';
import { loadGatewayConfig, redisKeyPrefix, webDefaultApiKey } from './config.js';

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

describe('production refuses development defaults (issue 10, attack 6)', () => {
  const production = {
    NODE_ENV: 'production',
    CHAOS_ENABLED: 'false',
    INTERNAL_AUTH_SECRET: 'a-production-secret-of-thirty-two-chars',
    API_KEYS: 'k-7f3a9c:client-1',
    ADMIN_KEYS: 'k-admin-91bd',
    CARD_PUBLIC_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };

  it('given real keys, a secret and chaos off, then it starts', () => {
    assert.equal(loadGatewayConfig(production).NODE_ENV, 'production');
  });

  it('given the defaults, then every development value is named', () => {
    assert.deepEqual(badVariables({ NODE_ENV: 'production' }).sort(), ['ADMIN_KEYS', 'API_KEYS', 'CARD_PUBLIC_KEY', 'CHAOS_ENABLED', 'INTERNAL_AUTH_SECRET']);
  });

  it('given one development value among real ones, then that one is named', () => {
    assert.deepEqual(badVariables({ ...production, CHAOS_ENABLED: 'true' }), ['CHAOS_ENABLED']);
    assert.deepEqual(badVariables({ ...production, API_KEYS: 'k-7f3a9c:client-1,dev-key-2:client-2' }), ['API_KEYS']);
    assert.deepEqual(badVariables({ ...production, ADMIN_KEYS: 'admin-key' }), ['ADMIN_KEYS']);
    assert.deepEqual(badVariables({ ...production, INTERNAL_AUTH_SECRET: 'shopfront-development-internal-secret' }), ['INTERNAL_AUTH_SECRET']);
  });

  it('given development, then the development values are fine', () => {
    assert.equal(loadGatewayConfig({ NODE_ENV: 'development' }).CHAOS_ENABLED, true);
  });

  it('given production, then the storefront prefills no API key; development prefills dev-key-1 (issue 20)', () => {
    assert.equal(webDefaultApiKey(loadGatewayConfig(production)), '');
    assert.equal(webDefaultApiKey(loadGatewayConfig({ NODE_ENV: 'development' })), 'dev-key-1');
  });
});
