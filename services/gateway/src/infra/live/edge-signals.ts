import type { Message } from '@shopfront/contracts';
import type { OrdersInFlight } from '../../domain/admission.js';
import type { CatalogCache } from '../catalog/catalog-cache.js';
import type { FeedObserver } from './order-feed.js';

/** What the edge learns from the broker feed (ADR 0020): the saga backlog, and when the catalog changed. */
export function edgeSignals(inFlight: OrdersInFlight, catalog: CatalogCache): FeedObserver {
  return (message: Message) => {
    const now = Date.now();
    switch (message.type) {
      case 'OrderPlaced':
        return inFlight.placed(message.data.orderId, now);
      case 'OrderConfirmed':
      case 'OrderCancelled':
        return inFlight.ended(message.data.orderId, now);
      case 'StockChanged':
        return catalog.changed(now);
      default:
        return; // the other messages of these topics tell the edge nothing
    }
  };
}
