import type { Pool } from '@shopfront/postgres';
import { applyBatch, ensureProjection, type Projection } from './projections.js';
import type { Upcaster } from './upcasting.js';

export interface RunnerOptions {
  pool: Pool;
  projections: Projection[];
  upcasters?: readonly Upcaster[];
  /** How often an idle runner looks for new events. */
  pollIntervalMs?: number;
  onError?: (error: unknown, projection: string) => void;
}

/**
 * Keeps async projections up to date by polling the store's index (an idle
 * poll is one cheap query). Appends send no NOTIFY: it would serialise commits.
 */
export class ProjectionRunner {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RunnerOptions) {}

  async start(): Promise<void> {
    for (const projection of this.options.projections) await ensureProjection(this.options.pool, projection);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let applied = 0;
      for (const projection of this.options.projections) {
        try {
          applied += await applyBatch(this.options.pool, projection, { upcasters: this.options.upcasters });
        } catch (error) {
          this.options.onError?.(error, projection.name);
        }
      }
      if (applied === 0) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs ?? 100);
      this.wake = done;
    });
  }
}
