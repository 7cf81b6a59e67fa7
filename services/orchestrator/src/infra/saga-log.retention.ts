import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { LOGGER, PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { SAGA_SETTINGS, type SagaSettings } from '../app/settings.js';

/**
 * Forgets the step-by-step log of sagas settled long ago: saga_log grows by a
 * dozen rows per order, and only an operator debugging a recent saga reads it.
 * The saga row itself stays (it answers duplicates and late replies forever).
 * "Settled" is CANCELLED, or CONFIRMED with nothing since: a customer may still
 * cancel a confirmed order, and its log then starts from the cancellation.
 */
export async function pruneSagaLog(pool: pg.Pool, retentionDays: number): Promise<number> {
  const result = await pool.query(
    `DELETE FROM saga_log l USING sagas s
      WHERE l.order_id = s.order_id
        AND s.status IN ('CONFIRMED', 'CANCELLED')
        AND s.updated_at < now() - make_interval(days => $1)`,
    [retentionDays],
  );
  return result.rowCount ?? 0;
}

/** Runs pruneSagaLog hourly (and once at start), on every replica: the DELETE is idempotent. */
@Injectable()
export class SagaLogRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const prune = () =>
      pruneSagaLog(this.pool, this.settings.logRetentionDays)
        .then((rows) => rows > 0 && this.logger.info({ rows }, 'pruned the saga log'))
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not prune the saga log; will try again'));
    void prune();
    this.timer = setInterval(prune, 60 * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
