import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistory, formatViolation, type Invariant } from './checker.js';
import { isIndefinite, type FinalState, type History, type Operation, type Outcome } from './history.js';

/**
 * A small clean drill, times in ms from 0. o1 (SKU-001 × 2, 3998) is placed,
 * replayed, read PENDING then CONFIRMED. o2 (SKU-002 × 1, 1999) is confirmed,
 * cancelled by its customer and refunded. A third checkout timed out and made
 * nothing. Stock: 10 → 8 for SKU-001, 5 → 5 for SKU-002.
 */
function scenario(): { history: History; final: FinalState } {
  const client = 'dev-key-1';
  const timed = (id: number, invokedAt: number, completedAt: number, outcome: Outcome) => ({ id, invokedAt, completedAt, clientKey: client, outcome });
  const place = (id: number, at: number, key: string, sku: string, quantity: number, outcome: Outcome): Operation => ({ ...timed(id, at, at + 10, outcome), kind: 'place', idempotencyKey: key, customerId: 'cust-1', lines: [{ sku, quantity }], bodyDigest: `body-${key}` });
  const read = (id: number, at: number, orderId: string, outcome: Outcome): Operation => ({ ...timed(id, at, at + 5, outcome), kind: 'read', orderId });
  const operations: Operation[] = [
    place(1, 0, 'k1', 'SKU-001', 2, { status: 202, orderId: 'o1', orderStatus: 'PENDING' }),
    place(2, 20, 'k1', 'SKU-001', 2, { status: 202, orderId: 'o1', orderStatus: 'PENDING', replayed: true }),
    read(3, 30, 'o1', { status: 200, orderStatus: 'PENDING' }),
    place(4, 40, 'k2', 'SKU-002', 1, { status: 202, orderId: 'o2', orderStatus: 'PENDING' }),
    read(5, 60, 'o2', { status: 200, orderStatus: 'CONFIRMED' }),
    { ...timed(6, 70, 80, { status: 202, orderId: 'o2' }), kind: 'cancel', orderId: 'o2' },
    read(7, 100, 'o1', { status: 200, orderStatus: 'CONFIRMED' }),
    place(8, 120, 'k3', 'SKU-003', 1, { status: 'timeout' }),
    read(9, 200, 'o2', { status: 200, orderStatus: 'CANCELLED' }),
  ];
  const stock = (sku: string, onHand: number, reserved = 0) => ({ sku, onHand, reserved, available: onHand - reserved });
  return {
    history: { drill: 'unit', startedAt: 0, operations },
    final: {
      readAt: 1_000,
      inventoryAtStart: [stock('SKU-001', 10), stock('SKU-002', 5), stock('SKU-003', 5)],
      inventoryAtEnd: [stock('SKU-001', 8), stock('SKU-002', 5), stock('SKU-003', 5)],
      orders: [
        { orderId: 'o1', clientKey: client, status: 'CONFIRMED', total: 3998, lines: [{ sku: 'SKU-001', quantity: 2 }] },
        { orderId: 'o2', clientKey: client, status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED', total: 1999, lines: [{ sku: 'SKU-002', quantity: 1 }] },
      ],
      missing: [],
      payments: [
        { orderId: 'o1', status: 'CAPTURED', authorizedAmount: 3998, capturedAmount: 3998, refundedAmount: 0 },
        { orderId: 'o2', status: 'REFUNDED', authorizedAmount: 1999, capturedAmount: 1999, refundedAmount: 1999 },
      ],
      shipments: [
        { orderId: 'o1', status: 'SCHEDULED' },
        { orderId: 'o2', status: 'CANCELLED' },
      ],
    },
  };
}

const broken = (history: History, final: FinalState): Invariant[] => [...new Set(checkHistory(history, final).map((violation) => violation.invariant))];
const operation = (history: History, id: number) => history.operations.find((candidate) => candidate.id === id)!;
const stockOf = (final: FinalState, sku: string) => final.inventoryAtEnd.find((row) => row.sku === sku)!;

describe('checkHistory', () => {
  it('finds nothing in a clean drill: replays, a cancellation after confirmation, a checkout with no answer', () => {
    const { history, final } = scenario();
    assert.deepEqual(checkHistory(history, final), []);
  });

  describe('1 no accepted order lost', () => {
    it('catches an accepted order the final state does not have', () => {
      const { history, final } = scenario();
      final.orders = final.orders.filter((order) => order.orderId !== 'o1');
      final.missing = [{ orderId: 'o1', status: 404 }];
      const violations = checkHistory(history, final);
      assert.deepEqual([...new Set(violations.map((violation) => violation.invariant))], ['order-lost']);
      assert.match(violations[0]!.explanation, /o1 was accepted but its final read answered 404/);
      assert.deepEqual(violations[0]!.operations.map((proof) => proof.id), [1, 2]);
    });

    it('catches an accepted order still PENDING at quiescence', () => {
      const { history, final } = scenario();
      final.orders[0]!.status = 'PENDING';
      assert.ok(broken(history, final).includes('order-lost'));
    });
  });

  describe('statuses never go backwards', () => {
    it('catches a read that shows PENDING after another read showed CONFIRMED', () => {
      const { history, final } = scenario();
      history.operations.push({ id: 10, kind: 'read', orderId: 'o1', invokedAt: 300, completedAt: 305, clientKey: 'dev-key-1', outcome: { status: 200, orderStatus: 'PENDING' } });
      const violations = checkHistory(history, final);
      assert.deepEqual(broken(history, final), ['status-order']);
      assert.deepEqual(violations[0]!.operations.map((proof) => proof.id), [7, 10]);
    });

    it('lets concurrent reads answer in either order', () => {
      const { history, final } = scenario();
      Object.assign(operation(history, 7), { invokedAt: 100, completedAt: 400 });
      history.operations.push({ id: 10, kind: 'read', orderId: 'o1', invokedAt: 150, completedAt: 160, clientKey: 'dev-key-1', outcome: { status: 200, orderStatus: 'PENDING' } });
      assert.deepEqual(checkHistory(history, final), []);
    });

    it('catches CONFIRMED turning CANCELLED with no cancellation that could have taken effect', () => {
      const { history, final } = scenario();
      operation(history, 6).outcome = { status: 409 };
      assert.deepEqual(broken(history, final), ['status-order']);
    });

    it('allows CONFIRMED → CANCELLED after a cancellation that got no answer', () => {
      const { history, final } = scenario();
      operation(history, 6).outcome = { status: 'timeout' };
      assert.deepEqual(checkHistory(history, final), []);
    });

    it('catches a CANCELLED order read CONFIRMED later, in the final state', () => {
      const { history, final } = scenario();
      final.orders[1]!.status = 'CONFIRMED';
      final.payments[1]!.refundedAmount = 0;
      final.shipments[1]!.status = 'SCHEDULED';
      const violations = checkHistory(history, final).filter((violation) => violation.invariant === 'status-order');
      assert.match(violations[0]!.explanation, /o2 was CANCELLED in read #9, then CONFIRMED in the final state/);
      assert.match(violations[1]!.explanation, /cancellation #6 was accepted \(202\) yet the order ends CONFIRMED/);
    });
  });

  it('read-your-writes: catches a 404 to the client whose order was accepted', () => {
    const { history, final } = scenario();
    history.operations.push({ id: 10, kind: 'read', orderId: 'o1', invokedAt: 15, completedAt: 18, clientKey: 'dev-key-1', outcome: { status: 404 } });
    assert.deepEqual(broken(history, final), ['read-your-writes']);
  });

  describe('2 stock', () => {
    it('catches a unit lost: on hand at the end is not start minus units sold', () => {
      const { history, final } = scenario();
      Object.assign(stockOf(final, 'SKU-001'), { onHand: 7, available: 7 });
      const violations = checkHistory(history, final);
      assert.deepEqual(broken(history, final), ['stock']);
      assert.match(violations[0]!.explanation, /SKU-001: 10 on hand at the start, 2 units sold to 1 confirmed orders, so 8 expected; 7 at the end \(1 unit\(s\) lost\)/);
    });

    it('catches units left reserved at quiescence', () => {
      const { history, final } = scenario();
      Object.assign(stockOf(final, 'SKU-003'), { reserved: 1, available: 4 });
      const violations = checkHistory(history, final);
      assert.deepEqual(violations.map((violation) => violation.explanation), ['SKU-003: 1 units still reserved at quiescence']);
    });

    it('catches a SKU oversold: more reserved than on hand, available negative', () => {
      const { history, final } = scenario();
      Object.assign(final.inventoryAtStart.find((row) => row.sku === 'SKU-003')!, { reserved: 6, available: -1 });
      const violations = checkHistory(history, final);
      assert.deepEqual(broken(history, final), ['stock']);
      assert.match(violations[0]!.explanation, /^SKU-003 at the start: /);
    });

    it('balances from an operator restock made before the orders', () => {
      const { history, final } = scenario();
      history.operations.push({ id: 10, kind: 'set-stock', sku: 'SKU-001', onHand: 50, invokedAt: -20, completedAt: -10, clientKey: 'admin-key', outcome: { status: 200 } });
      Object.assign(stockOf(final, 'SKU-001'), { onHand: 48, available: 48 });
      assert.deepEqual(checkHistory(history, final), []);
      Object.assign(stockOf(final, 'SKU-001'), { onHand: 8, available: 8 });
      assert.deepEqual(broken(history, final), ['stock']);
    });

    it('claims no balance across a restock made while an order was in flight', () => {
      const { history, final } = scenario();
      history.operations.push({ id: 10, kind: 'set-stock', sku: 'SKU-001', onHand: 50, invokedAt: 50, completedAt: 55, clientKey: 'admin-key', outcome: { status: 200 } });
      Object.assign(stockOf(final, 'SKU-001'), { onHand: 49, available: 49 });
      assert.deepEqual(checkHistory(history, final), []);
    });

    it('counts an order found for a checkout that got no answer', () => {
      const { history, final } = scenario();
      final.orders.push({ orderId: 'o3', clientKey: 'dev-key-1', status: 'CONFIRMED', total: 1999, lines: [{ sku: 'SKU-003', quantity: 1 }], discovered: true });
      final.payments.push({ orderId: 'o3', status: 'CAPTURED', authorizedAmount: 1999, capturedAmount: 1999, refundedAmount: 0 });
      final.shipments.push({ orderId: 'o3', status: 'SCHEDULED' });
      assert.deepEqual(broken(history, final), ['stock']);
      Object.assign(stockOf(final, 'SKU-003'), { onHand: 4, available: 4 });
      assert.deepEqual(checkHistory(history, final), []);
    });
  });

  describe('3 money', () => {
    it('catches a confirmed order whose capture is not its total', () => {
      const { history, final } = scenario();
      final.payments[0]!.capturedAmount = 1999;
      assert.deepEqual(broken(history, final), ['money']);
    });

    it('catches a cancelled order not refunded', () => {
      const { history, final } = scenario();
      final.payments[1]!.refundedAmount = 0;
      assert.deepEqual(broken(history, final), ['money']);
    });

    it('catches an order charged twice even when the second charge was refunded', () => {
      const { history, final } = scenario();
      final.payments.push({ orderId: 'o1', status: 'REFUNDED', authorizedAmount: 3998, capturedAmount: 3998, refundedAmount: 3998 });
      const violations = checkHistory(history, final);
      assert.deepEqual(broken(history, final), ['money']);
      assert.match(violations[0]!.explanation, /o1 charged 2 times/);
    });
  });

  describe('4 shipments', () => {
    it('catches a second active shipment of a confirmed order', () => {
      const { history, final } = scenario();
      final.shipments.push({ orderId: 'o1', status: 'SCHEDULED' });
      assert.deepEqual(broken(history, final), ['shipment']);
    });

    it('catches an active shipment of a cancelled order', () => {
      const { history, final } = scenario();
      final.shipments[1]!.status = 'SCHEDULED';
      assert.deepEqual(broken(history, final), ['shipment']);
    });
  });

  describe('6 idempotency', () => {
    it('catches a replay answered with another order', () => {
      const { history, final } = scenario();
      operation(history, 2).outcome = { status: 202, orderId: 'o9', orderStatus: 'PENDING' };
      final.missing.push({ orderId: 'o9', status: 404 });
      const violations = checkHistory(history, final).filter((violation) => violation.invariant === 'idempotency');
      assert.match(violations[0]!.explanation, /key k1 was answered with 2 different orders/);
      assert.deepEqual(violations[0]!.operations.map((proof) => proof.id), [1, 2]);
    });

    it('catches another body accepted under the same key', () => {
      const { history, final } = scenario();
      Object.assign(operation(history, 2), { bodyDigest: 'another' });
      assert.deepEqual(broken(history, final), ['idempotency']);
    });

    it('catches one order answered to two keys', () => {
      const { history, final } = scenario();
      Object.assign(operation(history, 2), { idempotencyKey: 'k7', bodyDigest: 'body-k7' });
      assert.deepEqual(broken(history, final), ['idempotency']);
    });
  });
});

describe('formatViolation', () => {
  it('names the invariant, explains, and lists the proof with times from the origin', () => {
    const { history, final } = scenario();
    final.shipments.push({ orderId: 'o1', status: 'SCHEDULED' });
    const text = formatViolation(checkHistory(history, final)[0]!, history.startedAt);
    const [title, proof] = text.split('\n');
    assert.equal(title, '✖ [4 one active shipment per confirmed order, none per cancelled] order o1 CONFIRMED has 2 active shipment(s), expected 1');
    assert.match(proof!, /^ {4}#1 +0 → 10 +ms +dev-key-1 place +key k1 cust-1 SKU-001×2 → 202 o1 PENDING$/);
  });
});

describe('outcomes', () => {
  it('counts a 503 that admission control answered as a refusal, and any other 5xx or no answer as open', () => {
    assert.equal(isIndefinite({ status: 503, refused: true }), false);
    assert.equal(isIndefinite({ status: 503 }), true);
    assert.equal(isIndefinite({ status: 504 }), true);
    assert.equal(isIndefinite({ status: 'timeout' }), true);
    assert.equal(isIndefinite({ status: 202, orderId: 'o1' }), false);
  });
});
