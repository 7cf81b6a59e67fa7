import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InventoryError } from './errors.js';
import { available, commitReservation, releaseStock, reserveStock, setOnHand, type Reservation, type StockLevel } from './stock.js';

const orderId = '0b0e4d1c-2f35-4c1e-9a55-0c1d2e3f4a5b';
const level = (sku: string, onHand: number, reserved = 0): StockLevel => ({ sku, name: sku, price: { amount: 100, currency: 'EUR' }, onHand, reserved });
const stockOf = (...levels: StockLevel[]) => new Map(levels.map((entry) => [entry.sku, entry]));
const reservation = (status: Reservation['status'], items = [{ sku: 'A', quantity: 2 }]): Reservation => ({ orderId, status, items, detail: null });
const levelsOf = (changed: StockLevel[]) => changed.map((entry) => [entry.sku, entry.onHand, entry.reserved]);

describe('reserveStock', () => {
  it('given enough of every SKU, when reserved, then each SKU is reserved by its total over all lines', () => {
    const outcome = reserveStock(undefined, stockOf(level('A', 5), level('B', 2)), { orderId, items: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 2 }, { sku: 'A', quantity: 1 }] });
    assert.equal(outcome.kind, 'reserved');
    assert.deepEqual(outcome.kind === 'reserved' && levelsOf(outcome.changed), [['A', 5, 3], ['B', 2, 2]]);
    assert.equal(outcome.kind === 'reserved' && outcome.reservation.status, 'RESERVED');
  });

  it('given exactly the units left, when reserved, then they are reserved and none remain available', () => {
    const outcome = reserveStock(undefined, stockOf(level('A', 5, 3)), { orderId, items: [{ sku: 'A', quantity: 2 }] });
    assert.equal(outcome.kind === 'reserved' && available(outcome.changed[0]!), 0);
  });

  it('given one SKU short, when reserved, then nothing is reserved, the refusal is remembered and the reason names the SKU', () => {
    const outcome = reserveStock(undefined, stockOf(level('A', 5), level('B', 3, 2)), { orderId, items: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }] });
    assert.equal(outcome.kind, 'outOfStock');
    assert.equal(outcome.kind === 'outOfStock' && outcome.detail, 'B: 2 wanted, 1 available');
    assert.deepEqual(outcome.kind === 'outOfStock' && [outcome.reservation.status, outcome.reservation.detail], ['REJECTED', 'B: 2 wanted, 1 available']);
  });

  it('given an unknown SKU, when reserved, then it is out of stock and names the SKU', () => {
    const outcome = reserveStock(undefined, stockOf(level('A', 5)), { orderId, items: [{ sku: 'A', quantity: 1 }, { sku: 'Z', quantity: 1 }] });
    assert.equal(outcome.kind === 'outOfStock' && outcome.detail, 'unknown SKU Z');
  });

  it('given a reservation already made or committed, when the command comes again, then it answers reserved and reserves nothing more', () => {
    for (const status of ['RESERVED', 'COMMITTED'] as const) {
      assert.deepEqual(reserveStock(reservation(status), stockOf(level('A', 5, 2)), { orderId, items: [{ sku: 'A', quantity: 2 }] }), { kind: 'alreadyReserved' });
    }
  });

  it('given a refused reservation, when the command comes again after a restock, then it is refused again with the first reason', () => {
    const refused = { ...reservation('REJECTED'), detail: 'A: 2 wanted, 0 available' };
    assert.deepEqual(reserveStock(refused, stockOf(level('A', 100)), { orderId, items: refused.items }), { kind: 'rejectedBefore', detail: 'A: 2 wanted, 0 available' });
  });

  it('given a release that came first (a tombstone), when the reservation arrives late, then nothing is reserved', () => {
    assert.deepEqual(reserveStock(reservation('RELEASED', []), stockOf(level('A', 5)), { orderId, items: [{ sku: 'A', quantity: 1 }] }), { kind: 'releasedBefore' });
  });
});

describe('releaseStock', () => {
  it('given a reservation, when released, then the units are available again', () => {
    const { reservation: released, changed } = releaseStock(reservation('RESERVED'), stockOf(level('A', 5, 2)), orderId);
    assert.equal(released.status, 'RELEASED');
    assert.deepEqual(levelsOf(changed), [['A', 5, 0]]);
  });

  it('given a confirmed order, when committed and later released, then units are sold and then restocked', () => {
    const committed = commitReservation(reservation('RESERVED'), stockOf(level('A', 5, 2)))!;
    assert.deepEqual([committed.reservation.status, levelsOf(committed.changed)], ['COMMITTED', [['A', 3, 0]]]);
    const { changed } = releaseStock(committed.reservation, stockOf(committed.changed[0]!), orderId);
    assert.deepEqual(levelsOf(changed), [['A', 5, 0]]);
  });

  it('given no reservation, when released, then a tombstone is left and no stock moves', () => {
    const { reservation: tombstone, changed } = releaseStock(undefined, stockOf(level('A', 5)), orderId);
    assert.deepEqual([tombstone.status, tombstone.items, changed], ['RELEASED', [], []]);
  });

  it('given a released or refused reservation, when released again, then nothing moves and the record is unchanged', () => {
    for (const status of ['RELEASED', 'REJECTED'] as const) {
      const existing = reservation(status);
      assert.deepEqual(releaseStock(existing, stockOf(level('A', 5, 2)), orderId), { reservation: existing, changed: [] });
    }
  });
});

describe('commitReservation', () => {
  it('given anything but a live reservation, when a confirmation arrives, then nothing is committed', () => {
    for (const existing of [undefined, reservation('RELEASED'), reservation('REJECTED'), reservation('COMMITTED')]) {
      assert.equal(commitReservation(existing, stockOf(level('A', 5, 2))), undefined);
    }
  });
});

describe('setOnHand', () => {
  it('given reserved units, when an operator sets on-hand below them, then it is refused as an oversell', () => {
    assert.throws(() => setOnHand(level('A', 5, 3), 2), (error: unknown) => error instanceof InventoryError && error.code === 'WOULD_OVERSELL');
  });

  it('given reserved units, when an operator sets on-hand to exactly them, then it is accepted with nothing available', () => {
    const updated = setOnHand(level('A', 5, 3), 3);
    assert.deepEqual([updated.onHand, updated.reserved, available(updated)], [3, 3, 0]);
  });
});
