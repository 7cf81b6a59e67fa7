/**
 * The history checker: given what every client was told during a drill, and
 * the platform's own records once quiet, the contract's invariants that a
 * count of orders cannot see. Pure: no I/O, so each check is unit-tested with
 * hand-made histories (checker.unit.spec.ts).
 */
import { isAccepted, isIndefinite, type CancelOperation, type FinalOrder, type FinalState, type History, type Line } from './history.js';
import type { Operation, OrderStatus, PlaceOperation, ReadOperation, StockRow, StockSetOperation } from './history.js';

export type Invariant = 'order-lost' | 'status-order' | 'read-your-writes' | 'stock' | 'money' | 'shipment' | 'idempotency';

/** Each with the contract's number (PLATFORM.md, "Invariants that hold at quiescence") where it has one. */
export const invariantTitles: Record<Invariant, string> = {
  'order-lost': '1 every accepted order exists and ends CONFIRMED or CANCELLED',
  'status-order': 'statuses seen by clients never go backwards',
  'read-your-writes': 'after a 202, a read by the same client never answers 404',
  stock: '2 stock conserved per SKU, never oversold, nothing left reserved',
  money: '3 captured − refunded = total (0 if cancelled), never charged twice',
  shipment: '4 one active shipment per confirmed order, none per cancelled',
  idempotency: '6 one idempotency key, one order, one body',
};

export interface Violation {
  invariant: Invariant;
  explanation: string;
  /** The operations that prove it, in the order they happened. */
  operations: Operation[];
}

export function checkHistory(history: History, final: FinalState): Violation[] {
  const index = indexHistory(history.operations);
  return [
    ...lostOrders(index, final),
    ...statusesBackwards(index, final),
    ...readYourWrites(index),
    ...stockBalance(index, final),
    ...money(index, final),
    ...shipments(index, final),
    ...idempotency(index),
  ].map((violation) => ({ ...violation, operations: [...violation.operations].sort((a, b) => a.invokedAt - b.invokedAt) }));
}

interface Index {
  places: PlaceOperation[];
  /** Accepted places by the orderId their answer named (replays included). */
  placedAs: Map<string, PlaceOperation[]>;
  reads: Map<string, ReadOperation[]>;
  cancels: Map<string, CancelOperation[]>;
  stockSets: StockSetOperation[];
}

function indexHistory(operations: Operation[]): Index {
  const index: Index = { places: [], placedAs: new Map(), reads: new Map(), cancels: new Map(), stockSets: [] };
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
  for (const operation of operations) {
    if (operation.kind === 'place') {
      index.places.push(operation);
      const orderId = isAccepted(operation.outcome) ? operation.outcome.orderId : undefined;
      if (orderId) push(index.placedAs, orderId, operation);
    } else if (operation.kind === 'read') push(index.reads, operation.orderId, operation);
    else if (operation.kind === 'cancel') push(index.cancels, operation.orderId, operation);
    else index.stockSets.push(operation);
  }
  return index;
}

const placesOf = (index: Index, orderId: string) => index.placedAs.get(orderId) ?? [];

function lostOrders(index: Index, final: FinalState): Violation[] {
  const violations: Violation[] = [];
  const orders = new Map(final.orders.map((order) => [order.orderId, order]));
  for (const [orderId, places] of index.placedAs) {
    const order = orders.get(orderId);
    const missing = final.missing.find((entry) => entry.orderId === orderId);
    if (!order) violations.push({ invariant: 'order-lost', explanation: `order ${orderId} was accepted but ${missing ? `its final read answered ${missing.status}` : 'is not in the final state'}`, operations: places });
    else if (order.status === 'PENDING') violations.push({ invariant: 'order-lost', explanation: `order ${orderId} was accepted and is still PENDING at quiescence`, operations: places });
  }
  return violations;
}

/** A cancellation that was accepted, or got no definite answer, may have taken effect. */
const mayHaveCancelled = (cancel: CancelOperation) => isAccepted(cancel.outcome) || isIndefinite(cancel.outcome);

/**
 * May a client that saw `earlier` (in an answer completed before its next
 * request began) then see `later`? PENDING only moves forward; the two
 * terminal states never turn into each other, except CONFIRMED → CANCELLED by
 * the customer's cancellation (the contract allows cancelling while the
 * shipment has not left).
 */
function mayFollow(earlier: OrderStatus, later: OrderStatus, cancelled: boolean): boolean {
  if (earlier === later || earlier === 'PENDING') return true;
  return earlier === 'CONFIRMED' && later === 'CANCELLED' && cancelled;
}

function statusesBackwards(index: Index, final: FinalState): Violation[] {
  const violations: Violation[] = [];
  const finalStatus = new Map(final.orders.map((order) => [order.orderId, order.status]));
  const orderIds = new Set([...index.reads.keys(), ...index.cancels.keys(), ...finalStatus.keys()]);
  for (const orderId of orderIds) {
    const seen = (index.reads.get(orderId) ?? []).filter((read) => read.outcome.status === 200 && read.outcome.orderStatus);
    const cancels = index.cancels.get(orderId) ?? [];
    const cancelledBy = (moment: number) => cancels.some((cancel) => mayHaveCancelled(cancel) && cancel.invokedAt < moment);
    const statusOf = (read: ReadOperation) => (read.outcome as { orderStatus: OrderStatus }).orderStatus;
    // The final read comes after every operation: it is the last observation.
    const later: { read?: ReadOperation; status: OrderStatus; invokedAt: number; completedAt: number }[] = seen.map((read) => ({ read, status: statusOf(read), invokedAt: read.invokedAt, completedAt: read.completedAt }));
    const last = finalStatus.get(orderId);
    if (last) later.push({ status: last, invokedAt: final.readAt, completedAt: Number.POSITIVE_INFINITY });
    for (const second of later) {
      const first = seen.find((read) => read.completedAt < second.invokedAt && !mayFollow(statusOf(read), second.status, cancelledBy(second.completedAt)));
      if (!first) continue;
      const where = second.read ? `read #${second.read.id}` : 'the final state';
      violations.push({
        invariant: 'status-order',
        explanation: `order ${orderId} was ${statusOf(first)} in read #${first.id}, then ${second.status} in ${where}${statusOf(first) === 'CONFIRMED' && second.status === 'CANCELLED' ? ' with no cancellation that could have taken effect' : ''}`,
        operations: [first, ...(second.read ? [second.read] : []), ...cancels],
      });
      break; // one proof per order is enough
    }
    const accepted = cancels.find((cancel) => isAccepted(cancel.outcome));
    if (accepted && last === 'CONFIRMED') violations.push({ invariant: 'status-order', explanation: `order ${orderId}: cancellation #${accepted.id} was accepted (202) yet the order ends CONFIRMED`, operations: [...placesOf(index, orderId).slice(0, 1), accepted] });
  }
  return violations;
}

function readYourWrites(index: Index): Violation[] {
  const violations: Violation[] = [];
  for (const [orderId, places] of index.placedAs) {
    for (const read of index.reads.get(orderId) ?? []) {
      const place = places.find((candidate) => candidate.clientKey === read.clientKey && candidate.completedAt < read.invokedAt);
      if (place && read.outcome.status === 404) {
        violations.push({ invariant: 'read-your-writes', explanation: `order ${orderId} was accepted in #${place.id}, then read #${read.id} by the same client answered 404`, operations: [place, read] });
        break;
      }
    }
  }
  return violations;
}

const unitsOf = (lines: Line[], sku: string) => lines.filter((line) => line.sku === sku).reduce((sum, line) => sum + line.quantity, 0);

function oversold(row: StockRow, when: string): string | undefined {
  if (row.available < 0) return `${row.sku} ${when}: available ${row.available} is negative`;
  if (row.reserved < 0 || row.reserved > row.onHand) return `${row.sku} ${when}: ${row.reserved} reserved of ${row.onHand} on hand`;
  if (row.available !== row.onHand - row.reserved) return `${row.sku} ${when}: available ${row.available} is not on hand ${row.onHand} − reserved ${row.reserved}`;
  return undefined;
}

function stockBalance(index: Index, final: FinalState): Violation[] {
  const violations: Violation[] = [];
  const start = new Map(final.inventoryAtStart.map((row) => [row.sku, row]));
  for (const [when, rows] of [['at the start', final.inventoryAtStart], ['at the end', final.inventoryAtEnd]] as const) {
    for (const row of rows) {
      const problem = oversold(row, when);
      if (problem) violations.push({ invariant: 'stock', explanation: problem, operations: [] });
    }
  }
  // An order whose final status is unknown already breaks invariant 1; its SKUs' balance would only repeat that.
  const unknown = new Set(final.missing.flatMap((entry) => placesOf(index, entry.orderId).flatMap((place) => place.lines.map((line) => line.sku))));
  for (const end of final.inventoryAtEnd) {
    const ordersOfSku = final.orders.filter((order) => unitsOf(order.lines, end.sku) > 0);
    const firstPlaces = (orders: FinalOrder[]) => orders.flatMap((order) => placesOf(index, order.orderId).slice(0, 1));
    if (end.reserved !== 0) {
      violations.push({ invariant: 'stock', explanation: `${end.sku}: ${end.reserved} units still reserved at quiescence`, operations: firstPlaces(ordersOfSku.filter((order) => order.status === 'PENDING')) });
    }
    const before = start.get(end.sku);
    // Units reserved at the start belong to orders of before the drill, whose outcome it cannot know.
    if (!before || before.reserved !== 0 || unknown.has(end.sku)) continue;
    const baseline = stockBaseline(index, end.sku, before, ordersOfSku);
    if (!baseline) continue;
    const sold = baseline.counted.filter((order) => order.status === 'CONFIRMED');
    const units = sold.reduce((sum, order) => sum + unitsOf(order.lines, end.sku), 0);
    const expected = baseline.onHand - units;
    if (end.onHand === expected) continue;
    const difference = end.onHand - expected;
    violations.push({
      invariant: 'stock',
      explanation: `${end.sku}: ${baseline.onHand} on hand ${baseline.set ? `when set by #${baseline.set.id}` : 'at the start'}, ${units} units sold to ${sold.length} confirmed orders, so ${expected} expected; ${end.onHand} at the end (${Math.abs(difference)} unit(s) ${difference < 0 ? 'lost' : 'appeared'})`,
      operations: [...(baseline.set ? [baseline.set] : []), ...firstPlaces(sold)],
    });
  }
  return violations;
}

/**
 * What on-hand stock the SKU's balance starts from, and the orders that count
 * against it: the starting stock and every order, or, after an operator set
 * the stock, that value and the orders placed after it. Undefined when the
 * history cannot tell (a set with no definite answer, or an order in flight
 * across it): no balance is claimed rather than a false one.
 */
function stockBaseline(index: Index, sku: string, start: StockRow, orders: FinalOrder[]): { onHand: number; counted: FinalOrder[]; set?: StockSetOperation } | undefined {
  const sets = index.stockSets.filter((set) => set.sku === sku && (isAccepted(set.outcome) || isIndefinite(set.outcome)));
  if (sets.length === 0) return { onHand: start.onHand, counted: orders };
  const set = sets.reduce((latest, candidate) => (candidate.completedAt > latest.completedAt ? candidate : latest));
  if (!isAccepted(set.outcome)) return undefined;
  const counted: FinalOrder[] = [];
  for (const order of orders) {
    const places = placesOf(index, order.orderId);
    if (places.length > 0 && places.every((place) => place.invokedAt > set.completedAt)) {
      counted.push(order);
      continue;
    }
    const settledBefore = (index.reads.get(order.orderId) ?? []).some((read) => read.completedAt < set.invokedAt && read.outcome.status === 200 && read.outcome.orderStatus && read.outcome.orderStatus !== 'PENDING');
    const cancelledAfter = (index.cancels.get(order.orderId) ?? []).some((cancel) => cancel.completedAt > set.invokedAt);
    if (!settledBefore || cancelledAfter) return undefined;
  }
  return { onHand: set.onHand, counted, set };
}

function money(index: Index, final: FinalState): Violation[] {
  const violations: Violation[] = [];
  for (const order of final.orders) {
    if (order.status === 'PENDING') continue;
    const payments = final.payments.filter((payment) => payment.orderId === order.orderId);
    const proof = [...placesOf(index, order.orderId).slice(0, 1), ...(index.cancels.get(order.orderId) ?? [])];
    const charged = payments.filter((payment) => payment.capturedAmount > 0);
    if (charged.length > 1) violations.push({ invariant: 'money', explanation: `order ${order.orderId} charged ${charged.length} times: ${charged.map((payment) => payment.capturedAmount).join(' + ')}`, operations: proof });
    const overRefunded = payments.find((payment) => payment.refundedAmount > payment.capturedAmount);
    if (overRefunded) violations.push({ invariant: 'money', explanation: `order ${order.orderId}: refunded ${overRefunded.refundedAmount} of ${overRefunded.capturedAmount} captured`, operations: proof });
    const captured = payments.reduce((sum, payment) => sum + payment.capturedAmount, 0);
    const refunded = payments.reduce((sum, payment) => sum + payment.refundedAmount, 0);
    const expected = order.status === 'CONFIRMED' ? order.total : 0;
    if (captured - refunded !== expected) {
      violations.push({ invariant: 'money', explanation: `order ${order.orderId} ${order.status}: captured ${captured} − refunded ${refunded} = ${captured - refunded}, expected ${expected}`, operations: proof });
    }
  }
  return violations;
}

function shipments(index: Index, final: FinalState): Violation[] {
  const violations: Violation[] = [];
  for (const order of final.orders) {
    if (order.status === 'PENDING') continue;
    const active = final.shipments.filter((shipment) => shipment.orderId === order.orderId && shipment.status !== 'CANCELLED').length;
    const expected = order.status === 'CONFIRMED' ? 1 : 0;
    if (active !== expected) violations.push({ invariant: 'shipment', explanation: `order ${order.orderId} ${order.status} has ${active} active shipment(s), expected ${expected}`, operations: placesOf(index, order.orderId).slice(0, 1) });
  }
  return violations;
}

function idempotency(index: Index): Violation[] {
  const violations: Violation[] = [];
  const byKey = new Map<string, PlaceOperation[]>();
  for (const place of index.places) {
    if (place.idempotencyKey === null || !isAccepted(place.outcome) || !place.outcome.orderId) continue;
    const key = `${place.clientKey} ${place.idempotencyKey}`;
    byKey.set(key, [...(byKey.get(key) ?? []), place]);
  }
  for (const places of byKey.values()) {
    const key = places[0]!.idempotencyKey;
    const orders = firstOfEach(places, (place) => (place.outcome as { orderId: string }).orderId);
    if (orders.length > 1) violations.push({ invariant: 'idempotency', explanation: `idempotency key ${key} was answered with ${orders.length} different orders`, operations: orders });
    const bodies = firstOfEach(places, (place) => place.bodyDigest);
    if (bodies.length > 1) violations.push({ invariant: 'idempotency', explanation: `idempotency key ${key} accepted ${bodies.length} different bodies (the contract answers 422 to a second one)`, operations: bodies });
  }
  for (const [orderId, places] of index.placedAs) {
    const keys = firstOfEach(places, (place) => `${place.clientKey} ${place.idempotencyKey}`);
    if (keys.length > 1) violations.push({ invariant: 'idempotency', explanation: `order ${orderId} was the answer to ${keys.length} different idempotency keys`, operations: keys });
  }
  return violations;
}

/** The first operation of each distinct value of `of`: one witness per order, body or key. */
function firstOfEach(places: PlaceOperation[], of: (place: PlaceOperation) => string): PlaceOperation[] {
  const first = new Map<string, PlaceOperation>();
  for (const place of places) if (!first.has(of(place))) first.set(of(place), place);
  return [...first.values()];
}

/** The violation and its proof, one operation a line, times relative to `origin` (the drill's start). */
export function formatViolation(violation: Violation, origin = violation.operations[0]?.invokedAt ?? 0, shown = 8): string {
  const lines = [`✖ [${invariantTitles[violation.invariant]}] ${violation.explanation}`];
  for (const operation of violation.operations.slice(0, shown)) lines.push(`    ${describe(operation, origin)}`);
  if (violation.operations.length > shown) lines.push(`    … and ${violation.operations.length - shown} more`);
  return lines.join('\n');
}

function describe(operation: Operation, origin: number): string {
  const time = `${String(Math.round(operation.invokedAt - origin)).padStart(7)} → ${String(Math.round(operation.completedAt - origin)).padEnd(7)} ms`;
  const outcome = operation.outcome;
  const answer = typeof outcome.status === 'number' ? [outcome.status, 'orderId' in outcome ? outcome.orderId : undefined, 'orderStatus' in outcome ? outcome.orderStatus : undefined, 'replayed' in outcome && outcome.replayed ? 'replayed' : undefined].filter(Boolean).join(' ') : `${outcome.status}${outcome.message ? ` (${outcome.message})` : ''}`;
  const what = (() => {
    switch (operation.kind) {
      case 'place':
        return `place  key ${operation.idempotencyKey ?? '(none)'} ${operation.customerId} ${operation.lines.map((line) => `${line.sku}×${line.quantity}`).join(',')}`;
      case 'read':
        return `read   ${operation.orderId}`;
      case 'cancel':
        return `cancel ${operation.orderId}`;
      case 'set-stock':
        return `set    ${operation.sku} on hand ${operation.onHand}`;
    }
  })();
  return `#${String(operation.id).padEnd(4)} ${time}  ${operation.clientKey.padEnd(9)} ${what} → ${answer}`;
}
