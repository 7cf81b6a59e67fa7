import { assertNever, type Money, type OrderLine } from '@shopfront/contracts';
import { InventoryError } from './errors.js';

export interface StockLevel {
  sku: string;
  name: string;
  price: Money;
  onHand: number;
  reserved: number;
}

/**
 * RESERVED: units held for the order. COMMITTED: sold (the order was confirmed).
 * RELEASED: given back, or a tombstone when the release came first.
 * REJECTED: refused for lack of stock; remembered so the answer never changes.
 */
export type ReservationStatus = 'RESERVED' | 'COMMITTED' | 'RELEASED' | 'REJECTED';

export interface Reservation {
  orderId: string;
  status: ReservationStatus;
  items: OrderLine[];
  /** Why a REJECTED reservation was refused; null otherwise. */
  detail: string | null;
}

export const available = (level: StockLevel): number => level.onHand - level.reserved;

/** One order may name a SKU on several lines: stock is taken per SKU. */
export function quantitiesBySku(items: OrderLine[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of items) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return totals;
}

export type ReserveOutcome =
  | { kind: 'reserved'; reservation: Reservation; changed: StockLevel[] }
  | { kind: 'alreadyReserved' }
  | { kind: 'outOfStock'; reservation: Reservation; detail: string }
  | { kind: 'rejectedBefore'; detail: string }
  | { kind: 'releasedBefore' };

/**
 * All or nothing: every line is reserved or none is. Idempotent per order: a
 * repeated request gets the first answer, reserved or refused. A request that
 * arrives after its release (a re-sent command overtaken by its compensation)
 * reserves nothing.
 */
export function reserveStock(existing: Reservation | undefined, stock: ReadonlyMap<string, StockLevel>, request: { orderId: string; items: OrderLine[] }): ReserveOutcome {
  if (existing) {
    switch (existing.status) {
      case 'RELEASED':
        return { kind: 'releasedBefore' };
      case 'REJECTED':
        return { kind: 'rejectedBefore', detail: existing.detail ?? 'out of stock' };
      case 'RESERVED':
      case 'COMMITTED':
        return { kind: 'alreadyReserved' };
      default:
        return assertNever(existing.status);
    }
  }
  const rejected = (detail: string): ReserveOutcome => ({
    kind: 'outOfStock',
    reservation: { orderId: request.orderId, status: 'REJECTED', items: request.items, detail },
    detail,
  });
  const changed: StockLevel[] = [];
  for (const [sku, quantity] of quantitiesBySku(request.items)) {
    const level = stock.get(sku);
    if (!level) return rejected(`unknown SKU ${sku}`);
    if (available(level) < quantity) return rejected(`${sku}: ${quantity} wanted, ${available(level)} available`);
    changed.push({ ...level, reserved: level.reserved + quantity });
  }
  return { kind: 'reserved', reservation: { orderId: request.orderId, status: 'RESERVED', items: request.items, detail: null }, changed };
}

/**
 * Always succeeds, so compensations always complete: a reservation is
 * released, a committed one restocked (committing took the units out of both
 * on-hand and reserved, so only on-hand comes back), a missing one tombstoned.
 */
export function releaseStock(existing: Reservation | undefined, stock: ReadonlyMap<string, StockLevel>, orderId: string): { reservation: Reservation; changed: StockLevel[] } {
  if (!existing) return { reservation: { orderId, status: 'RELEASED', items: [], detail: null }, changed: [] };
  if (existing.status === 'RELEASED' || existing.status === 'REJECTED') return { reservation: existing, changed: [] };
  const restock = existing.status === 'COMMITTED';
  const changed = [...quantitiesBySku(existing.items)].flatMap(([sku, quantity]) => {
    const level = stock.get(sku);
    if (!level) return [];
    return restock ? [{ ...level, onHand: level.onHand + quantity }] : [{ ...level, reserved: level.reserved - quantity }];
  });
  return { reservation: { ...existing, status: 'RELEASED' }, changed };
}

/** On confirmation the reserved units are sold: they leave both on-hand and reserved. Anything but a live reservation is left alone. */
export function commitReservation(existing: Reservation | undefined, stock: ReadonlyMap<string, StockLevel>): { reservation: Reservation; changed: StockLevel[] } | undefined {
  if (existing?.status !== 'RESERVED') return undefined;
  const changed = [...quantitiesBySku(existing.items)].flatMap(([sku, quantity]) => {
    const level = stock.get(sku);
    return level ? [{ ...level, onHand: level.onHand - quantity, reserved: level.reserved - quantity }] : [];
  });
  return { reservation: { ...existing, status: 'COMMITTED' }, changed };
}

/** An operator sets stock on hand; never below what is already promised to orders. */
export function setOnHand(level: StockLevel, onHand: number): StockLevel {
  if (onHand < level.reserved) {
    throw new InventoryError('WOULD_OVERSELL', `${level.sku}: ${level.reserved} units are reserved; on hand cannot go below that`);
  }
  return { ...level, onHand };
}
