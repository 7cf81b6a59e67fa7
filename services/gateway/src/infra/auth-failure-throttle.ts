import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface AuthFailureSettings {
  /** Failed authentications a source address may make per window before it is refused. */
  failures: number;
  windowS: number;
  keyPrefix: string;
}

/**
 * Guessing API keys costs time: each source address may fail authentication
 * `failures` times per window, then every request from it answers 429 until
 * the window ends (a valid key included, so a guess cannot be confirmed).
 * Counted in Redis so replicas share it; in memory when Redis does not answer.
 */
export class AuthFailureThrottle {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly settings: AuthFailureSettings,
  ) {
    const options = { points: settings.failures, duration: settings.windowS, keyPrefix: `${settings.keyPrefix}authfail` };
    this.limiter = new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) });
  }

  /** Seconds the address must wait, or 0 when it may try. */
  async retryAfterS(address: string): Promise<number> {
    const state = await this.limiter.get(address).catch(() => null);
    return state && state.consumedPoints >= this.settings.failures ? Math.max(1, Math.ceil(state.msBeforeNext / 1000)) : 0;
  }

  async recordFailure(address: string): Promise<void> {
    await this.limiter.consume(address).catch((error: unknown) => {
      if (!(error instanceof RateLimiterRes)) throw error;
    });
  }
}
