import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import type { Claim, IdempotencyScope, IdempotencyStore } from '../../app/ports.js';
import type { IdempotencyRecord, StoredResponse } from '../../domain/idempotency.js';

interface RecordRow {
  request_hash: string;
  status: 'in_flight' | 'completed';
  order_id: string;
  response_status: number | null;
  response_body: string | null;
  response_headers: Record<string, string> | null;
  lease_expired: boolean;
  expired: boolean;
}

const toRecord = (row: RecordRow): IdempotencyRecord => ({
  fingerprint: row.request_hash,
  state: row.status,
  orderId: row.order_id,
  leaseExpired: row.lease_expired,
  response:
    row.status === 'completed' && row.response_status !== null
      ? { status: row.response_status, headers: row.response_headers ?? {}, body: row.response_body ?? 'null' }
      : undefined,
});

const selectRecord = `SELECT request_hash, status, order_id, response_status, response_body::text AS response_body, response_headers,
  locked_until < now() AS lease_expired, expires_at < now() AS expired
  FROM idempotency_keys WHERE client_id = $1 AND key = $2`;

/**
 * The source of truth for idempotency keys. Times are Postgres's own `now()`,
 * so replicas with drifting clocks agree on leases and expiry.
 */
@Injectable()
export class IdempotencyRecords implements IdempotencyStore {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Inserts the in-flight record, or returns the one that is there. A record past retention is replaced. */
  async claim(scope: IdempotencyScope, fingerprint: string, orderId: string, leaseMs: number, ttlMs: number): Promise<Claim> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await this.pool.query(
        `INSERT INTO idempotency_keys (client_id, key, request_hash, status, order_id, locked_until, expires_at)
         VALUES ($1, $2, $3, 'in_flight', $4, now() + make_interval(secs => $5 / 1000.0), now() + make_interval(secs => $6 / 1000.0))
         ON CONFLICT (client_id, key) DO NOTHING`,
        [scope.clientId, scope.key, fingerprint, orderId, leaseMs, ttlMs],
      );
      if (inserted.rowCount === 1) return { kind: 'claimed' };
      const row = await this.findRow(scope);
      if (!row) continue; // swept between the two statements
      if (!row.expired) return { kind: 'exists', record: toRecord(row) };
      await this.pool.query('DELETE FROM idempotency_keys WHERE client_id = $1 AND key = $2 AND expires_at < now()', [scope.clientId, scope.key]);
    }
    const row = await this.findRow(scope);
    if (!row) throw new Error(`idempotency key ${scope.key} could neither be claimed nor found`);
    return { kind: 'exists', record: toRecord(row) };
  }

  async find(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    const row = await this.findRow(scope);
    return row && !row.expired ? toRecord(row) : undefined;
  }

  /** Takes over an in-flight record whose lease ran out; false when another request got there first. */
  async takeOver(scope: IdempotencyScope, leaseMs: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $3 / 1000.0)
       WHERE client_id = $1 AND key = $2 AND status = 'in_flight' AND locked_until < now()`,
      [scope.clientId, scope.key, leaseMs],
    );
    return result.rowCount === 1;
  }

  async complete(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_keys
       SET status = 'completed', response_status = $3, response_body = $4::json, response_headers = $5, completed_at = now()
       WHERE client_id = $1 AND key = $2 AND status = 'in_flight'`,
      [scope.clientId, scope.key, response.status, asJson(response.body), response.headers],
    );
  }

  /** The outcome is unknown: end the lease now so that a retry takes over at once. */
  async release(scope: IdempotencyScope): Promise<void> {
    await this.pool.query(`UPDATE idempotency_keys SET locked_until = now() WHERE client_id = $1 AND key = $2 AND status = 'in_flight'`, [
      scope.clientId,
      scope.key,
    ]);
  }

  /** Deletes up to `batch` records past retention; returns how many. */
  async sweep(batch: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT $1)`,
      [batch],
    );
    return result.rowCount ?? 0;
  }

  private async findRow(scope: IdempotencyScope): Promise<RecordRow | undefined> {
    const { rows } = await this.pool.query<RecordRow>(selectRecord, [scope.clientId, scope.key]);
    return rows[0];
  }
}

/** Bodies are JSON as the upstream sent them; anything else is kept as a JSON string. */
function asJson(body: string): string {
  try {
    JSON.parse(body);
    return body;
  } catch {
    return JSON.stringify(body);
  }
}
