import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { countInFlight } from './sagas.repository.js';

export const sagasCompleted = new Counter({
  name: 'saga_completed_total',
  help: 'Sagas that reached an end, by outcome (CONFIRMED or CANCELLED) and cancellation reason',
  labelNames: ['outcome', 'reason'],
});

export const sagaDuration = new Histogram({
  name: 'saga_duration_seconds',
  help: 'From the saga start (OrderPlaced) to its end, by outcome',
  labelNames: ['outcome'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});

export const sagaTransitions = new Counter({
  name: 'saga_transitions_total',
  help: 'Saga events by type (StepRetried and StepTimedOut show struggling participants)',
  labelNames: ['event', 'step'],
});

let inFlightSource: (() => Promise<number>) | undefined;

/** Read from the sagas table at scrape time, so it is right after a restart and across replicas. */
export const sagasInFlight = new Gauge({
  name: 'saga_in_flight',
  help: 'Sagas running or compensating',
  async collect() {
    if (inFlightSource) this.set(await inFlightSource().catch(() => Number.NaN));
  },
});

/** Points the in-flight gauge at this application's pool while it is up (metrics are process-wide). */
@Injectable()
export class InFlightGauge implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  onApplicationBootstrap(): void {
    inFlightSource = () => countInFlight(this.pool);
  }

  onApplicationShutdown(): void {
    inFlightSource = undefined;
  }
}
