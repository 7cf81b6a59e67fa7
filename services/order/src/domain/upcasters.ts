import { OrderPlacedV1, upcastOrderPlacedV1, upcastOrderPlacedV2, unknownClient } from '@shopfront/contracts';
import type { Upcaster } from '@shopfront/event-store';
import { z } from 'zod';

/**
 * Migration 002 of this service masked the card numbers of stored v1 and v2 events to their last
 * four ("************4242", ADR 0017); the store reads a masked value as it read the number. The
 * wire's schemas stay as published: no masked number ever travels.
 */
const storedCard = z.string().regex(/^(\d{12,19}|\*{8,15}\d{4})$/);
const StoredOrderPlacedV1 = OrderPlacedV1.safeExtend({ card: storedCard });
type OrderPlacedV2 = Parameters<typeof upcastOrderPlacedV2>[0];

/**
 * Stored OrderPlaced events become current through the same upcasters as messages on the wire
 * (libs/contracts), except that the store knows a v1 event's client from the event's metadata,
 * where v1 already recorded it. v2 → v3 keeps the brand and last four and a retired token, so a
 * replayed saga could only be declined, never charge a number read back from an event.
 */
export const orderUpcasters: Upcaster[] = [
  {
    type: 'OrderPlaced',
    fromVersion: 1,
    upcast: (data, metadata) =>
      upcastOrderPlacedV1(StoredOrderPlacedV1.parse(data), typeof metadata.clientId === 'string' ? metadata.clientId : unknownClient),
  },
  {
    type: 'OrderPlaced',
    fromVersion: 2,
    upcast: (data) => upcastOrderPlacedV2(data as OrderPlacedV2),
  },
];
