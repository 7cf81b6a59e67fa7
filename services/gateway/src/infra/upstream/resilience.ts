import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  SamplingBreaker,
  timeout,
  TaskCancelledError,
  TimeoutStrategy,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { GatewayError } from '../../domain/errors.js';
import type { Upstream } from '../../domain/upstreams.js';
import { circuitState, circuitTransitions } from '../metrics.js';

export interface ResilienceSettings {
  attemptTimeoutMs: number;
  totalTimeoutMs: number;
  readRetries: number;
  bulkheadLimit: number;
  bulkheadQueue: number;
  breakerThreshold: number;
  breakerWindowMs: number;
  breakerMinRps: number;
  halfOpenAfterMs: number;
}

/** An upstream answered, but with a 5xx: a failure for the breaker and (for reads) worth a retry. */
export class UpstreamStatusError extends Error {
  override readonly name = 'UpstreamStatusError';
  constructor(
    readonly status: number,
    readonly retryAfter: string | undefined,
  ) {
    super(`upstream answered ${status}`);
  }
}

/** The upstream could not be reached at all (refused, reset, DNS): a failure, and worth a retry for reads. */
export class UpstreamConnectionError extends Error {
  override readonly name = 'UpstreamConnectionError';
  constructor(cause: unknown) {
    super(`upstream unreachable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

export type CircuitName = 'closed' | 'open' | 'half-open' | 'isolated';

export interface ResilienceSnapshot {
  upstream: Upstream;
  circuit: { state: CircuitName; retryAfterS?: number };
  bulkhead: { executionSlots: { limit: number; used: number }; queueSlots: { limit: number; used: number } };
}

const circuitNames: Record<CircuitState, CircuitName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** What the upstream is to blame for: counted by the breaker. A 4xx is the caller's doing and is not. */
const isUpstreamFault = (error: Error): boolean =>
  error instanceof UpstreamStatusError || isTimeout(error) || isNetworkError(error);

/** Worth repeating a read for: the next attempt may reach a healthy instance. An open circuit is not. */
const isRetriable = (error: Error): boolean =>
  (error instanceof UpstreamStatusError && [502, 503, 504].includes(error.status)) || isTimeout(error) || isNetworkError(error);

// Not cockatiel's isTaskCancelledError: in 3.2.1 it tests for the bulkhead's marker and never matches a timeout.
const isTimeout = (error: Error): boolean => error instanceof TaskCancelledError;

const isNetworkError = (error: Error): boolean => error instanceof UpstreamConnectionError;

/**
 * One upstream's protection, shared by every call to it (cockatiel, ADR 0009):
 *
 *   total timeout → bulkhead → retry (reads only) → circuit breaker → attempt timeout → fetch
 *
 * The total timeout bounds queueing and retries together; the bulkhead caps
 * concurrency (a full queue is refused at once); the breaker sees every
 * attempt and, once open, refuses at once; each attempt is cut off on its own.
 */
export class UpstreamProtection {
  private readonly breaker;
  private readonly bulkhead;
  private readonly reads: IPolicy;
  private readonly writes: IPolicy;
  private openedAt = 0;

  constructor(
    readonly upstream: Upstream,
    private readonly settings: ResilienceSettings,
  ) {
    this.breaker = circuitBreaker(handleWhen(isUpstreamFault), {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new SamplingBreaker({ threshold: settings.breakerThreshold, duration: settings.breakerWindowMs, minimumRps: settings.breakerMinRps }),
    });
    this.bulkhead = bulkhead(settings.bulkheadLimit, settings.bulkheadQueue);
    // abortOnReturn off: the call has read its whole answer when it returns, so there is nothing
    // left to abort, and aborting anyway costs a DOMException per call on the hot path.
    const total = timeout(settings.totalTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const attempt = timeout(settings.attemptTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const retries = retry(handleWhen(isRetriable), {
      maxAttempts: settings.readRetries,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
    });
    this.reads = wrap(total, this.bulkhead, retries, this.breaker, attempt);
    this.writes = wrap(total, this.bulkhead, this.breaker, attempt);

    circuitState.set({ upstream }, CircuitState.Closed);
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.breaker.onStateChange((state) => {
      circuitState.set({ upstream }, state);
      circuitTransitions.inc({ upstream, state: circuitNames[state] });
    });
  }

  /**
   * Runs `call` under the policies. Reads (idempotent) are retried with
   * jittered backoff; writes never are, as a retry could repeat an effect.
   */
  async execute<T>(idempotent: boolean, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await (idempotent ? this.reads : this.writes).execute(({ signal }) => call(signal));
    } catch (error) {
      throw this.explain(error as Error);
    }
  }

  snapshot(): ResilienceSnapshot {
    const state = circuitNames[this.breaker.state];
    const retryAfterS = state === 'open' || state === 'half-open' ? this.retryAfterS() : undefined;
    const { bulkheadLimit, bulkheadQueue } = this.settings;
    return {
      upstream: this.upstream,
      circuit: retryAfterS === undefined ? { state } : { state, retryAfterS },
      bulkhead: {
        executionSlots: { limit: bulkheadLimit, used: bulkheadLimit - this.bulkhead.executionSlots },
        queueSlots: { limit: bulkheadQueue, used: bulkheadQueue - this.bulkhead.queueSlots },
      },
    };
  }

  /** Seconds until the breaker lets a probe through; at least 1. */
  private retryAfterS(): number {
    const remainingMs = this.openedAt + this.settings.halfOpenAfterMs - Date.now();
    return Math.max(1, Math.ceil(remainingMs / 1000));
  }

  private explain(error: Error): Error {
    const upstream = this.upstream;
    if (isBrokenCircuitError(error)) {
      return new GatewayError('CIRCUIT_OPEN', `the ${upstream} service is failing; its circuit is open`, { upstream, retryAfterS: this.retryAfterS(), cause: error });
    }
    if (isBulkheadRejectedError(error)) {
      return new GatewayError('BULKHEAD_FULL', `too many calls to the ${upstream} service are waiting`, { upstream, retryAfterS: 1, cause: error });
    }
    if (isTimeout(error)) {
      return new GatewayError('UPSTREAM_TIMEOUT', `the ${upstream} service did not answer in time`, { upstream, retryAfterS: 1, cause: error });
    }
    if (error instanceof UpstreamStatusError) {
      const retryAfterS = Number.parseInt(error.retryAfter ?? '1', 10) || 1;
      return new GatewayError('UPSTREAM_FAILED', `the ${upstream} service failed (${error.status})`, { upstream, upstreamStatus: error.status, retryAfterS, cause: error });
    }
    if (isNetworkError(error)) {
      return new GatewayError('UPSTREAM_UNREACHABLE', `the ${upstream} service cannot be reached`, { upstream, retryAfterS: 1, cause: error });
    }
    return error;
  }
}
