import { Inject, Injectable } from '@nestjs/common';
import { isMessageOf, type Message } from '@shopfront/contracts';
import type { MessageHandlerProvider } from '@shopfront/runtime';
import type pg from 'pg';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/** Choreography: inventory's StockChanged keeps this service's catalog and prices current. */
@Injectable()
export class CatalogUpdatesConsumer implements MessageHandlerProvider {
  readonly handles = ['StockChanged'] as const;

  constructor(@Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels) {}

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, this.handles)) return;
    await this.readModels.upsertCatalogEntry(tx, message.data);
  }
}
