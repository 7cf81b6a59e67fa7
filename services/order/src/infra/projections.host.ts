import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ProjectionRunner } from '@shopfront/event-store';
import type { Logger } from '@shopfront/observability';
import { LOGGER, PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { orderUpcasters } from '../domain/upcasters.js';
import { clientOrders } from './client-orders.projection.js';

/** The asynchronous projections of this service, kept running beside the HTTP side. */
export const asyncProjections = [clientOrders];

@Injectable()
export class ProjectionsHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runner: ProjectionRunner;

  constructor(@Inject(PG_POOL) pool: pg.Pool, @Inject(LOGGER) logger: Logger) {
    this.runner = new ProjectionRunner({
      pool,
      projections: asyncProjections,
      upcasters: orderUpcasters,
      onError: (error, projection) => logger.warn({ err: error, projection }, 'projection batch failed; retrying'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
