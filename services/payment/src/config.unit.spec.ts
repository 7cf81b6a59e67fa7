import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError } from '@shopfront/config';
import { loadPaymentConfig } from './config.js';

const production = { NODE_ENV: 'production', CHAOS_ENABLED: 'false', INTERNAL_AUTH_SECRET: 'a-production-secret-of-thirty-two-chars' };
const ownKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const refused = (env: Record<string, string>, variable: string) =>
  assert.throws(() => loadPaymentConfig(env), (error: unknown) => error instanceof ConfigError && error.variables.join() === variable);

describe('payment configuration', () => {
  it('given production with the development card key, then it refuses to start, naming CARD_PRIVATE_KEY', () => {
    refused(production, 'CARD_PRIVATE_KEY');
  });

  it('given production with a key of its own, then it starts; a key that is no RSA key is refused anywhere', () => {
    assert.equal(loadPaymentConfig({ ...production, CARD_PRIVATE_KEY: ownKey() }).CARD_PRIVATE_KEY.asymmetricKeyType, 'rsa');
    refused({ CARD_PRIVATE_KEY: 'bm90IGEga2V5' }, 'CARD_PRIVATE_KEY');
  });

  it('given chaos on in production, then it refuses to start, naming CHAOS_ENABLED', () => {
    refused({ ...production, CHAOS_ENABLED: 'true', CARD_PRIVATE_KEY: ownKey() }, 'CHAOS_ENABLED');
  });
});
