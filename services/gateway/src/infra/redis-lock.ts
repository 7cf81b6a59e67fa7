import type { Redis } from 'ioredis';

// Deletes the lock only if it is still ours: an expired lock may already belong to someone else.
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Releases a `SET key token NX PX` lock if `token` still holds it; a failure is ignored, as the lock expires by itself. */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(releaseScript, 1, key, token).catch(() => undefined);
}
