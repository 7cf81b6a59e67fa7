import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { PollPause, withTransaction } from '@shopfront/postgres';
import { LOGGER, PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { AdvanceSaga } from '../app/saga-inputs.consumer.js';
import { SAGA_SETTINGS, type SagaSettings } from '../app/settings.js';
import { claimDueSagas, nextDeadlineInMs, postponeDeadline } from './sagas.repository.js';

/**
 * The saga's timers. A deadline is a column, not a setTimeout: a restarted
 * (or another) orchestrator finds every overdue saga in the table and moves
 * it with DeadlineExpired: a re-send, or giving up and compensating.
 */
@Injectable()
export class DeadlinePoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop: Promise<void> | undefined;
  private pause: PollPause | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(AdvanceSaga) private readonly saga: AdvanceSaga,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Runs before RuntimeModule closes the pool (global modules shut down last). */
  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.pause?.cut();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { pollIntervalMs, policy } = this.settings;
    while (this.running) {
      let round = { handled: 0, nextDueInMs: null as number | null };
      try {
        round = await this.expireDue();
      } catch (error) {
        this.logger.warn({ err: error }, 'deadline poll failed; retrying');
      }
      // A full batch means more may be due: go again at once.
      if (round.handled >= this.settings.pollBatchSize) continue;
      // Each poll is a transaction: sleep until the earliest deadline set. A saga started meanwhile
      // gets a deadline at least one step timeout away, so no deadline is missed by more than the poll.
      const untilNext = round.nextDueInMs ?? policy.stepTimeoutMs;
      this.pause = new PollPause(Math.min(Math.max(untilNext, pollIntervalMs), policy.stepTimeoutMs));
      await this.pause.wait();
    }
  }

  /** One transaction: claim what is due, move each saga inside its own savepoint; say when the next one is due. */
  async expireDue(): Promise<{ handled: number; nextDueInMs: number | null }> {
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
      return { handled: due.length, nextDueInMs: await nextDeadlineInMs(tx) };
    });
  }
}
