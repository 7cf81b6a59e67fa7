import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@shopfront/runtime';
import type { Logger } from '@shopfront/observability';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { GatewayError } from '../domain/errors.js';
import { isDefinitive, resolveExisting, type IdempotencyRecord, type StoredResponse } from '../domain/idempotency.js';
import { idempotencyOutcomes } from './metrics.js';
import { IDEMPOTENCY_LOCKS, IDEMPOTENCY_STORE, type IdempotencyLocks, type IdempotencyScope, type IdempotencyStore } from './ports.js';

export interface Execution {
  response: StoredResponse;
  replayed: boolean;
}

/** Runs the upstream call for the record's order id and returns what to answer (and keep). */
export type Work = (orderId: string) => Promise<StoredResponse>;

/**
 * Executes a request at most once per (client, Idempotency-Key): Redis lock
 * first (cheap refusal of concurrent duplicates), then the Postgres record
 * (the arbiter, and what a retry is replayed from). See ADR 0010.
 */
@Injectable()
export class IdempotentExecution {
  private readonly leaseMs: number;
  private readonly ttlMs: number;

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly records: IdempotencyStore,
    @Inject(IDEMPOTENCY_LOCKS) private readonly locks: IdempotencyLocks,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    // Longer than any call can last (the total upstream timeout), so a live request never loses its lease.
    this.leaseMs = config.UPSTREAM_TOTAL_TIMEOUT_MS + 5_000;
    this.ttlMs = config.IDEMPOTENCY_TTL_HOURS * 3_600_000;
  }

  async run(scope: IdempotencyScope, fingerprint: string, proposedOrderId: string, work: Work): Promise<Execution> {
    const lock = await this.locks.acquire(scope, this.leaseMs);
    try {
      if (lock.kind === 'held') {
        // Someone holds the key right now; Postgres may already have their answer.
        const record = await this.records.find(scope);
        return this.answerExisting(record, fingerprint, false);
      }
      const claim = await this.records.claim(scope, fingerprint, proposedOrderId, this.leaseMs, this.ttlMs);
      if (claim.kind === 'claimed') return { response: await this.execute(scope, proposedOrderId, work), replayed: false };
      const resolution = resolveExisting(claim.record, fingerprint, true);
      if (resolution.kind !== 'takeOver') return this.answerExisting(claim.record, fingerprint, false);
      if (!(await this.records.takeOver(scope, this.leaseMs))) throw inFlight();
      idempotencyOutcomes.inc({ outcome: 'taken_over' });
      this.logger.info({ clientId: scope.clientId, orderId: resolution.orderId }, 'idempotency key taken over after a lost outcome');
      return { response: await this.execute(scope, resolution.orderId, work), replayed: false };
    } finally {
      if (lock.kind === 'acquired') await lock.release();
    }
  }

  private answerExisting(record: IdempotencyRecord | undefined, fingerprint: string, mayTakeOver: boolean): Execution {
    if (!record) throw inFlight(); // the lock holder has not written its record yet
    const resolution = resolveExisting(record, fingerprint, mayTakeOver);
    switch (resolution.kind) {
      case 'replay':
        idempotencyOutcomes.inc({ outcome: 'replayed' });
        return { response: resolution.response, replayed: true };
      case 'keyReused':
        idempotencyOutcomes.inc({ outcome: 'key_reused' });
        throw new GatewayError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
      case 'inFlight':
      case 'takeOver':
        throw inFlight();
    }
  }

  private async execute(scope: IdempotencyScope, orderId: string, work: Work): Promise<StoredResponse> {
    let response: StoredResponse;
    try {
      response = await work(orderId);
    } catch (error) {
      // Unknown outcome (timeout, 5xx, open circuit): no answer is kept, and a retry repeats the call for the same order id.
      idempotencyOutcomes.inc({ outcome: 'unknown_outcome' });
      await this.records.release(scope).catch((cause: unknown) => this.logger.warn({ err: cause }, 'could not release an idempotency lease'));
      throw error;
    }
    idempotencyOutcomes.inc({ outcome: 'executed' });
    if (!isDefinitive(response.status)) {
      await this.records.release(scope);
      return response;
    }
    // If this write fails the answer still stands: the record stays in flight, and a retry after the lease re-sends for the same order id.
    await this.records.complete(scope, response).catch((cause: unknown) => this.logger.warn({ err: cause }, 'could not record an idempotent answer'));
    return response;
  }
}

const inFlight = () => {
  idempotencyOutcomes.inc({ outcome: 'in_flight' });
  return new GatewayError('IDEMPOTENCY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed.', { retryAfterS: 1 });
};
