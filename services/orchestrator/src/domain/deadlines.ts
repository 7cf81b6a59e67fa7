/** How long the saga waits for a reply, and how often it asks again. */
export interface DeadlinePolicy {
  /** The wait for a first answer; each re-send waits twice as long as the one before. */
  stepTimeoutMs: number;
  /** Sends of an action before the saga gives up on it and compensates (reason TIMEOUT). */
  maxAttempts: number;
  /** The longest wait between re-sends. Compensations are re-sent forever, at most this far apart. */
  backoffCapMs: number;
}

export const defaultDeadlinePolicy: DeadlinePolicy = { stepTimeoutMs: 5_000, maxAttempts: 3, backoffCapMs: 60_000 };

/** Up to this fraction is added to each wait, so sagas that timed out together do not re-send in lockstep. */
const jitterFraction = 0.25;

/**
 * When the `attempt`-th send of a command counts as unanswered: exponential
 * backoff from the step timeout, capped, plus jitter. `random` is in [0, 1)
 * and comes from the caller, which keeps this function pure.
 */
export function deadlineFor(policy: DeadlinePolicy, now: Date, attempt: number, random: number): Date {
  const backoff = policy.stepTimeoutMs * 2 ** (attempt - 1) * (1 + jitterFraction * random);
  return new Date(now.getTime() + Math.round(Math.min(policy.backoffCapMs, backoff)));
}
