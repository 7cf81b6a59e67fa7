import type { OrderLine, ShippingAddress } from '@shopfront/contracts';

export type ShipmentStatus = 'SCHEDULED' | 'CANCELLED';

export interface Shipment {
  orderId: string;
  shipmentId: string;
  status: ShipmentStatus;
  /** Null for a tombstone: a cancellation that arrived before any schedule. */
  address: ShippingAddress | null;
  items: OrderLine[];
}

/** Countries no carrier serves. */
export const unservedCountries: ReadonlySet<string> = new Set(['AQ']);

export type ScheduleOutcome =
  | { kind: 'scheduled'; shipment: Shipment }
  | { kind: 'alreadyScheduled'; shipment: Shipment }
  | { kind: 'unavailable'; reason: 'SHIPPING_UNAVAILABLE' }
  | { kind: 'cancelledBefore' };

/**
 * Scheduling is idempotent per order: a second request answers with the first
 * shipment. A request that arrives after the order's cancellation (a retried
 * command overtaken by its compensation) schedules nothing.
 */
export function scheduleShipment(
  existing: Shipment | undefined,
  request: { orderId: string; address: ShippingAddress; items: OrderLine[] },
  newShipmentId: string,
): ScheduleOutcome {
  if (existing?.status === 'CANCELLED') return { kind: 'cancelledBefore' };
  if (existing) return { kind: 'alreadyScheduled', shipment: existing };
  if (unservedCountries.has(request.address.country)) return { kind: 'unavailable', reason: 'SHIPPING_UNAVAILABLE' };
  return { kind: 'scheduled', shipment: { ...request, shipmentId: newShipmentId, status: 'SCHEDULED' } };
}

/**
 * Cancelling always succeeds, so compensations always complete. With nothing
 * scheduled yet it leaves a tombstone, so a late schedule cannot revive it.
 */
export function cancelShipment(existing: Shipment | undefined, orderId: string, newShipmentId: string): Shipment {
  if (!existing) return { orderId, shipmentId: newShipmentId, status: 'CANCELLED', address: null, items: [] };
  return { ...existing, status: 'CANCELLED' };
}
