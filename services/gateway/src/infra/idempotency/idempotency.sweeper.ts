import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { LOGGER } from '@shopfront/runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config.js';
import { IdempotencyRecords } from './idempotency.repository.js';

const batch = 1_000;

/**
 * Deletes records past retention, in small batches so the table is never
 * locked for long. Every replica sweeps; a DELETE of already-deleted rows is harmless.
 */
@Injectable()
export class IdempotencySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly records: IdempotencyRecords,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().then(
        () => (this.sweeping = undefined),
      );
    }, this.config.IDEMPOTENCY_CLEANUP_INTERVAL_MS);
    this.timer.unref();
  }

  async sweep(): Promise<number> {
    let total = 0;
    try {
      for (let deleted = batch; deleted === batch; total += deleted) deleted = await this.records.sweep(batch);
      if (total > 0) this.logger.info({ deleted: total }, 'expired idempotency keys swept');
    } catch (error) {
      this.logger.warn({ err: error }, 'sweeping idempotency keys failed; next interval retries');
    }
    return total;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}
