import { OrderPlacedV1, upcastOrderPlacedV1, unknownClient } from '@shopfront/contracts';
import type { Upcaster } from '@shopfront/event-store';

/**
 * Stored OrderPlaced v1 events become v2 through the same upcaster as v1 messages on the wire
 * (libs/contracts), except that the store knows the client from the event's metadata, where
 * v1 already recorded it.
 */
export const orderUpcasters: Upcaster[] = [
  {
    type: 'OrderPlaced',
    fromVersion: 1,
    upcast: (data, metadata) =>
      upcastOrderPlacedV1(OrderPlacedV1.parse(data), typeof metadata.clientId === 'string' ? metadata.clientId : unknownClient),
  },
];
