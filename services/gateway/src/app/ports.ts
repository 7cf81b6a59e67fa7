import type { IdempotencyRecord, StoredResponse } from '../domain/idempotency.js';

/*
 * The app layer's ports: what it needs from the outside world, named in its own
 * words. Infra implements them (HTTP to the order service, Postgres records,
 * Redis locks) and the module binds each token to its adapter, so app code
 * never names an adapter and a test can hand it any implementation.
 */

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path and query on the upstream, e.g. `/orders/…?limit=10`. */
  path: string;
  /** The API client the call is made for: signed into the internal credential, so the service can trust it. */
  clientId?: string;
  /** Never the client id: a plain x-client-id is not signed, and the service refuses the call (use `clientId`). */
  headers?: Record<string, string> & { 'x-client-id'?: never };
  body?: unknown;
}

/** An answer below 500: the upstream decided, whatever it decided. */
export interface UpstreamAnswer {
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  retryAfter: string | undefined;
  body: string;
}

/**
 * The order service, where the gateway's writes go. The adapter puts every call
 * through the upstream's protection (breaker, bulkhead, timeouts); a 5xx or a
 * network failure is thrown as a GatewayError, never answered.
 */
export interface OrderService {
  call(upstream: 'order', request: UpstreamRequest): Promise<UpstreamAnswer>;
}
export const ORDER_SERVICE = Symbol('ORDER_SERVICE');

/** One client's key: keys of different clients never meet. */
export interface IdempotencyScope {
  clientId: string;
  key: string;
}

export type Claim = { kind: 'claimed' } | { kind: 'exists'; record: IdempotencyRecord };

/**
 * The durable idempotency records: the arbiter of "at most once" and what a
 * retry is replayed from (ADR 0010). Lease and expiry times are the store's own.
 */
export interface IdempotencyStore {
  /** Inserts the in-flight record, or returns the one that is there. A record past retention is replaced. */
  claim(scope: IdempotencyScope, fingerprint: string, orderId: string, leaseMs: number, ttlMs: number): Promise<Claim>;
  find(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined>;
  /** Takes over an in-flight record whose lease ran out; false when another request got there first. */
  takeOver(scope: IdempotencyScope, leaseMs: number): Promise<boolean>;
  complete(scope: IdempotencyScope, response: StoredResponse): Promise<void>;
  /** The outcome is unknown: end the lease now so that a retry takes over at once. */
  release(scope: IdempotencyScope): Promise<void>;
}
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

export type Lock = { kind: 'acquired'; release(): Promise<void> } | { kind: 'held' } | { kind: 'unavailable' };

/**
 * Cheap refusal of concurrent duplicates in front of the store. Only an
 * optimisation: `unavailable` (or losing every lock) loses no guarantee.
 */
export interface IdempotencyLocks {
  acquire(scope: IdempotencyScope, ttlMs: number): Promise<Lock>;
}
export const IDEMPOTENCY_LOCKS = Symbol('IDEMPOTENCY_LOCKS');
