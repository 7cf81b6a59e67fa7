import { PollPause, type Pool } from '@shopfront/postgres';
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
  private readonly pause: PollPause;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.pause = new PollPause(options.pollIntervalMs ?? 100);
  }

  async start(): Promise<void> {
    for (const projection of this.options.projections) await ensureProjection(this.options.pool, projection);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pause.cut();
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
      if (applied === 0) await this.pause.wait();
    }
  }
}
