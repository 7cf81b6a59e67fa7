import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError } from '@shopfront/config';
import { loadPaymentConfig } from './config.js';

const production = { NODE_ENV: 'production', CHAOS_ENABLED: 'false', INTERNAL_AUTH_SECRET: 'a-production-secret-of-thirty-two-chars' };

describe('payment configuration', () => {
  it('given production with the development vault key, then it refuses to start, naming PAYMENT_VAULT_KEY', () => {
    assert.throws(() => loadPaymentConfig(production), (error: unknown) => error instanceof ConfigError && error.variables.join() === 'PAYMENT_VAULT_KEY');
  });

  it('given production with a key of its own, then it starts; a key of the wrong size is refused anywhere', () => {
    assert.equal(loadPaymentConfig({ ...production, PAYMENT_VAULT_KEY: randomBytes(32).toString('base64') }).PAYMENT_VAULT_KEY.length, 32);
    assert.throws(() => loadPaymentConfig({ PAYMENT_VAULT_KEY: randomBytes(16).toString('base64') }), (error: unknown) => error instanceof ConfigError && error.variables.join() === 'PAYMENT_VAULT_KEY');
  });

  it('given chaos on in production, then it refuses to start, naming CHAOS_ENABLED', () => {
    const env = { ...production, CHAOS_ENABLED: 'true', PAYMENT_VAULT_KEY: randomBytes(32).toString('base64') };
    assert.throws(() => loadPaymentConfig(env), (error: unknown) => error instanceof ConfigError && error.variables.join() === 'CHAOS_ENABLED');
  });
});
