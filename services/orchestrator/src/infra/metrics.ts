import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { Gauge } from 'prom-client';
import { countInFlight } from './sagas.repository.js';

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
