import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { PollPause, withTransaction } from '@shopfront/postgres';
import { LOGGER, PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { AdvanceSaga } from '../app/advance-saga.js';
import { SAGA_SETTINGS, type SagaSettings } from '../app/settings.js';
import { claimDueSagas, postponeDeadline } from './sagas.repository.js';

/**
 * The saga's timers. A deadline is a column, not a setTimeout: a restarted
 * (or another) orchestrator finds every overdue saga in the table and moves
 * it with DeadlineExpired: a re-send, or giving up and compensating.
 */
@Injectable()
export class DeadlinePoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pause: PollPause;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(AdvanceSaga) private readonly saga: AdvanceSaga,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.pause = new PollPause(settings.pollIntervalMs);
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Runs before RuntimeModule closes the pool (global modules shut down last). */
  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.pause.cut();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.expireDue();
      } catch (error) {
        this.logger.warn({ err: error }, 'deadline poll failed; retrying');
      }
      // A full batch means more may be due: go again at once.
      if (handled < this.settings.pollBatchSize) await this.pause.wait();
    }
  }

  /** One transaction: claim what is due, move each saga inside its own savepoint. */
  async expireDue(): Promise<number> {
    return withTransaction(this.pool, async (tx) => {
      const due = await claimDueSagas(tx, new Date(), this.settings.pollBatchSize);
      for (const orderId of due) {
        await tx.query('SAVEPOINT deadline');
        try {
          await this.saga.advance(tx, orderId, { type: 'DeadlineExpired' }, null);
          await tx.query('RELEASE SAVEPOINT deadline');
        } catch (error) {
          // One saga that cannot be moved must not hold up the others, nor spin the poller.
          await tx.query('ROLLBACK TO SAVEPOINT deadline');
          const until = new Date(Date.now() + this.settings.policy.backoffCapMs);
          this.logger.error({ err: error, orderId, until }, 'could not handle an expired deadline; postponed');
          await postponeDeadline(tx, orderId, until);
        }
      }
      return due.length;
    });
  }
}
