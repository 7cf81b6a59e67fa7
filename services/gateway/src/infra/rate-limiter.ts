import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { RateDecision } from '../domain/rate-limit.js';
import { rateLimitDecisions } from './metrics.js';

export interface RateLimitSettings {
  points: number;
  durationS: number;
  keyPrefix: string;
}

/**
 * A fixed window per client, counted in Redis so every replica shares it
 * (ADR 0008). When Redis does not answer, each replica falls back to an
 * in-memory window of the same size (fail open, bounded per replica).
 */
export class ClientRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly settings: RateLimitSettings,
    private readonly onFallback: (error: unknown) => void = () => undefined,
  ) {
    const insurance = new RateLimiterMemory({ points: settings.points, duration: settings.durationS, keyPrefix: `${settings.keyPrefix}rl` });
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      points: settings.points,
      duration: settings.durationS,
      keyPrefix: `${settings.keyPrefix}rl`,
      // Never wait on a Redis that is not connected: decide in memory instead.
      rejectIfRedisNotReady: true,
      insuranceLimiter: insurance,
      // A client over its limit is refused from memory until the window ends, sparing Redis the flood.
      inMemoryBlockOnConsumed: settings.points,
    });
  }

  async decide(clientId: string): Promise<RateDecision> {
    const { points, durationS } = this.settings;
    try {
      const result = await this.limiter.consume(clientId);
      rateLimitDecisions.inc({ decision: 'allowed' });
      return { allowed: true, limit: points, remaining: result.remainingPoints, resetMs: result.msBeforeNext, windowS: durationS };
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        rateLimitDecisions.inc({ decision: 'limited' });
        return { allowed: false, limit: points, remaining: 0, resetMs: error.msBeforeNext, windowS: durationS };
      }
      // Even the in-memory insurance failed: let the request through rather than fail it for our own sake.
      this.onFallback(error);
      rateLimitDecisions.inc({ decision: 'allowed' });
      return { allowed: true, limit: points, remaining: points, resetMs: durationS * 1000, windowS: durationS };
    }
  }
}
