import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, loadConfig, port, serviceEnv } from './index.js';

const Env = z.object({ ...serviceEnv, ORDER_PORT: port(3001) });

describe('loadConfig', () => {
  it('given only a database URL, when loaded, then development defaults fill the rest', () => {
    const config = loadConfig(Env, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' });
    assert.equal(config.ORDER_PORT, 3001);
    assert.deepEqual(config.KAFKA_BROKERS, ['127.0.0.1:9092']);
    assert.equal(config.CHAOS_ENABLED, true);
  });

  it('given bad variables, when loaded, then the error names each of them', () => {
    assert.throws(
      () => loadConfig(Env, { DATABASE_URL: 'mysql://nope', ORDER_PORT: '70000', CHAOS_ENABLED: 'maybe' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.variables.sort(), ['CHAOS_ENABLED', 'DATABASE_URL', 'ORDER_PORT']);
        assert.match(error.message, /ORDER_PORT="70000"/);
        return true;
      },
    );
  });
});
