import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { LOGGER, PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { STOCK_STORE, type StockStore } from './ports.js';
import { announceCatalog } from './stock-changes.js';

/** Re-announces the catalog once per start, retrying in the background until the database answers. */
@Injectable()
export class CatalogAnnouncement implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(STOCK_STORE) private readonly stock: StockStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.announceUntilDone();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  private async announceUntilDone(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const count = await announceCatalog(this.stock, this.pool);
        this.logger.info({ products: count }, 'catalog announced');
        return;
      } catch (error) {
        this.logger.warn({ err: error, attempt }, 'could not announce the catalog; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 10_000)).unref());
      }
    }
  }
}
