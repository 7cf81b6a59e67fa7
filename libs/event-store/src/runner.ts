import { PollPause, type Pool } from '@shopfront/postgres';
import { applyBatch, ensureProjection, hasPendingEvents, type Projection } from './projections.js';
import { onAppend } from './store.js';
import type { Upcaster } from './upcasting.js';

export interface RunnerOptions {
  pool: Pool;
  projections: Projection[];
  upcasters?: readonly Upcaster[];
  /** How often a busy runner looks for new events. */
  pollIntervalMs?: number;
  /** How rarely an idle one does (events appended by another replica wait at most this long). */
  idlePollIntervalMs?: number;
  /** Events per transaction; a full batch means more wait, and the next one is read at once. */
  batchSize?: number;
  onError?: (error: unknown, projection: string) => void;
}

/**
 * Keeps async projections up to date by polling the store's index. Appends send
 * no NOTIFY: it would serialise commits. A poll first asks, without a lock,
 * whether anything waits (hasPendingEvents); a runner that finds nothing backs
 * off (busy interval doubling up to the idle one) and an
 * append in this process brings it back to the busy interval at once. A runner
 * that has caught up waits the busy interval before it looks again, so that what
 * is appended meanwhile comes in one transaction, not one look and one
 * transaction per append. A runner whose last round applied something skips the
 * question: under steady load the answer is nearly always yes, and asking is a
 * transaction of its own (half of the runner's, every busy interval). The cost is
 * one empty apply when the load stops.
 */
export class ProjectionRunner {
  private running = false;
  private idleRounds = 0;
  private pause: PollPause | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: RunnerOptions) {}

  async start(): Promise<void> {
    for (const projection of this.options.projections) await ensureProjection(this.options.pool, projection);
    this.running = true;
    this.unsubscribe = onAppend(() => {
      // The append has not committed yet: poll again soon, at the busy pace.
      if (this.idleRounds > 1) this.pause?.cut();
      this.idleRounds = 0;
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.pause?.cut();
    await this.loop;
  }

  private async run(): Promise<void> {
    const busy = this.options.pollIntervalMs ?? 100;
    const idle = Math.max(busy, this.options.idlePollIntervalMs ?? 2_000);
    const batchSize = this.options.batchSize ?? 500;
    /** Projections whose last round applied events: they go straight to applyBatch. */
    const flowing = new Set<Projection>();
    while (this.running) {
      let applied = 0;
      let full = false;
      for (const projection of this.options.projections) {
        try {
          if (!flowing.has(projection) && !(await hasPendingEvents(this.options.pool, projection))) continue;
          const count = await applyBatch(this.options.pool, projection, { upcasters: this.options.upcasters, batchSize });
          if (count > 0) flowing.add(projection);
          else flowing.delete(projection);
          applied += count;
          full ||= count >= batchSize;
        } catch (error) {
          flowing.delete(projection);
          this.options.onError?.(error, projection.name);
        }
      }
      if (full) {
        this.idleRounds = 0;
        continue; // more is waiting: read it now
      }
      if (applied > 0) this.idleRounds = 0;
      this.pause = new PollPause(Math.min(busy * 2 ** this.idleRounds, idle));
      this.idleRounds++;
      await this.pause.wait();
    }
  }
}
