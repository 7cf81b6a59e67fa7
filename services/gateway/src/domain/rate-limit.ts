/** One rate-limit decision for one request of one client. */
export interface RateDecision {
  allowed: boolean;
  /** Requests allowed per window. */
  limit: number;
  remaining: number;
  /** Until the window resets (fixed window: until the counter expires). */
  resetMs: number;
  windowS: number;
}

/**
 * Headers of draft-ietf-httpapi-ratelimit-headers (RateLimit-Limit,
 * -Remaining, -Reset in seconds, -Policy), plus Retry-After when refused.
 * Seconds round up so a client that waits them is never refused again for the same window.
 */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const resetS = Math.max(1, Math.ceil(decision.resetMs / 1000));
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(Math.max(0, decision.remaining)),
    'ratelimit-reset': String(resetS),
    'ratelimit-policy': `${decision.limit};w=${decision.windowS}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(resetS);
  return headers;
}
