import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@shopfront/runtime';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { IdempotencyLocks, IdempotencyScope, Lock } from '../../app/ports.js';
import { GATEWAY_CONFIG, redisKeyPrefix, type GatewayConfig } from '../../config.js';
import { releaseLock } from '../redis-lock.js';

/**
 * The fast path in front of Postgres: the first of many concurrent requests
 * with one key takes `SET NX PX`; the others learn at once that it is in
 * flight. Only an optimisation: losing Redis (or all its keys) loses no
 * guarantee, as the Postgres row decides (ADR 0010).
 */
@Injectable()
export class RedisIdempotencyLocks implements IdempotencyLocks {
  private readonly prefix: string;

  constructor(@Inject(REDIS) private readonly redis: Redis, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.prefix = redisKeyPrefix(config);
  }

  async acquire(scope: IdempotencyScope, ttlMs: number): Promise<Lock> {
    const key = `${this.prefix}idem:${scope.clientId}:${scope.key}`;
    const token = randomUUID();
    try {
      const set = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
      if (set !== 'OK') return { kind: 'held' };
    } catch {
      return { kind: 'unavailable' };
    }
    return {
      kind: 'acquired',
      // Only if still ours: an expired lock may already belong to a retry.
      release: () => releaseLock(this.redis, key, token),
    };
  }
}
