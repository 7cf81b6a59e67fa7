import { createHash } from 'node:crypto';

/** What a completed request answered; replayed verbatim to a retry. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as the client first received it (JSON text). */
  body: string;
}

/** The durable record of one (client, Idempotency-Key). */
export interface IdempotencyRecord {
  fingerprint: string;
  state: 'in_flight' | 'completed';
  /** The order this key creates or acts on: a retry always reaches the same one. */
  orderId: string;
  response: StoredResponse | undefined;
  /** The executing request's lease ran out: it crashed or gave up without an answer. */
  leaseExpired: boolean;
}

export type Resolution =
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'keyReused' }
  | { kind: 'inFlight' }
  | { kind: 'takeOver'; orderId: string };

/**
 * What a request does with a key that already has a record (Stripe's and the
 * IETF Idempotency-Key draft's semantics): a different request under the same
 * key is refused (422) whatever the record's state; a finished one is
 * replayed; one still running is a conflict (409) — unless its lease ran out
 * and this request may take over, repeating the call for the same order id
 * (safe: the upstream creates at most one order per id).
 */
export function resolveExisting(record: IdempotencyRecord, fingerprint: string, mayTakeOver: boolean): Resolution {
  if (record.fingerprint !== fingerprint) return { kind: 'keyReused' };
  if (record.state === 'completed' && record.response) return { kind: 'replay', response: record.response };
  if (record.leaseExpired && mayTakeOver) return { kind: 'takeOver', orderId: record.orderId };
  return { kind: 'inFlight' };
}

/**
 * Only answers that say what happened are kept. A 5xx, a timeout or an open
 * circuit leaves the outcome unknown: the record stays in flight (lease
 * released) and a retry repeats the call for the same order id.
 */
export const isDefinitive = (status: number): boolean => status >= 200 && status < 500;

/** Same request ⇔ same method, path and body, whatever the order of JSON keys. */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(canonicalJson(body)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
