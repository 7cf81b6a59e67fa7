import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { byType, Consumer, type MessageHandlerProvider } from '@shopfront/runtime';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/** Choreography: inventory's StockChanged keeps this service's catalog and prices current. */
@Injectable()
// Availability shown to shoppers may lag (docs/contract.md): each batch waits for the next few
// StockChanged instead of committing one transaction per message.
@Consumer({ name: 'order.catalog', topics: [Topics.inventoryEvents], lingerMs: 200 })
export class CatalogUpdatesConsumer implements MessageHandlerProvider {
  readonly on = byType<'StockChanged'>({ StockChanged: (message, tx) => this.readModels.upsertCatalogEntry(tx, message.data) });

  constructor(@Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels) {}
}
