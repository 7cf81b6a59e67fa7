import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fold, upcast } from '@shopfront/event-store';
import { cancelOrder, confirmOrder, evolve, initialOrder, OrderError, placeOrder, priceLines, requestCancellation, type Order, type OrderEvent } from './order.js';
import { messageSchemas, retiredCardToken } from '@shopfront/contracts';
import { orderUpcasters } from './upcasters.js';

const orderId = '0b0e4d1c-2f35-4c1e-9a55-0c1d2e3f4a5b';
const card = { token: 'tok_test_card_4242_0000000000', last4: '4242', brand: 'visa' as const };
const prices = new Map([['SKU-001', { amount: 1999, currency: 'EUR' }]]);
const placed = {
  orderId,
  clientId: 'client-1',
  customerId: 'cust-1',
  ...priceLines([{ sku: 'SKU-001', quantity: 2 }], prices),
  payment: card,
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
};
const given = (...events: OrderEvent[]): Order => fold(evolve, initialOrder(), events);
const placedEvent = placeOrder(initialOrder(), placed)[0]!;

describe('the order', () => {
  it('given the catalog, when lines are priced, then the total is the sum of quantity × unit price', () => {
    assert.deepEqual(priceLines([{ sku: 'SKU-001', quantity: 2 }], prices).total, { amount: 3998, currency: 'EUR' });
  });

  it('given a SKU the catalog does not know, when priced, then it is refused by name', () => {
    assert.throws(() => priceLines([{ sku: 'SKU-999', quantity: 1 }], prices), (error: unknown) => error instanceof OrderError && error.code === 'UNKNOWN_SKU' && /SKU-999/.test(error.message));
  });

  it('given lines whose total passes a 32-bit amount, when priced, then it is refused before anything is stored', () => {
    const lines = Array.from({ length: 100 }, () => ({ sku: 'SKU-X', quantity: 10_000 }));
    assert.throws(() => priceLines(lines, new Map([['SKU-X', { amount: 2_148, currency: 'EUR' }]])), (error: unknown) => error instanceof OrderError && error.code === 'TOTAL_TOO_LARGE');
  });

  it('given a placed order, when its client places it again, then nothing new is decided; when another client does, it is refused', () => {
    assert.deepEqual(placeOrder(given(placedEvent), placed), []);
    assert.throws(() => placeOrder(given(placedEvent), { ...placed, clientId: 'client-2' }), (error: unknown) => (error as OrderError).code === 'ALREADY_PLACED');
  });

  it('given a pending order, when confirmed twice, then only the first decides an event', () => {
    const events = confirmOrder(given(placedEvent), orderId);
    assert.deepEqual(events.map((event) => event.type), ['OrderConfirmed']);
    assert.deepEqual(confirmOrder(given(placedEvent, ...events), orderId), []);
  });

  it('given a confirmed order, when the customer cancels, then a cancellation is requested once, and a cancelled order cannot be cancelled', () => {
    const confirmed = given(placedEvent, { type: 'OrderConfirmed', data: { orderId } });
    const requested = requestCancellation(confirmed, orderId);
    assert.deepEqual(requested.map((event) => event.type), ['OrderCancellationRequested']);
    assert.throws(() => requestCancellation(given(placedEvent, ...requested), orderId), (error: unknown) => (error as OrderError).code === 'CANNOT_CANCEL');
    const cancelled = given(placedEvent, ...cancelOrder(confirmed, orderId, 'CUSTOMER_CANCELLED'));
    assert.deepEqual([cancelled.status, cancelled.status !== 'NONE' && cancelled.reason], ['CANCELLED', 'CUSTOMER_CANCELLED']);
    assert.throws(() => requestCancellation(cancelled, orderId), OrderError);
  });

  it('given no order, when cancelled by a customer, then it is not found', () => {
    assert.throws(() => requestCancellation(initialOrder(), orderId), (error: unknown) => (error as OrderError).code === 'NOT_FOUND');
  });
});

describe('OrderPlaced v1 → v2 → v3', () => {
  it('given an event stored by the first release, when read, then it has the current shape: Money per line, the client from metadata, no card number', () => {
    const v1 = {
      orderId,
      customerId: 'cust-1',
      lines: [{ sku: 'SKU-001', qty: 2, price: 1999 }, { sku: 'SKU-002', qty: 1, price: 4599 }],
      currency: 'EUR',
      card: '4242424242424242',
      address: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
    };
    const { schemaVersion, data } = upcast('OrderPlaced', 1, v1, { clientId: 'client-7' }, orderUpcasters);
    assert.equal(schemaVersion, 3);
    assert.deepEqual(data, {
      orderId,
      clientId: 'client-7',
      customerId: 'cust-1',
      items: [
        { sku: 'SKU-001', quantity: 2, unitPrice: { amount: 1999, currency: 'EUR' } },
        { sku: 'SKU-002', quantity: 1, unitPrice: { amount: 4599, currency: 'EUR' } },
      ],
      total: { amount: 8597, currency: 'EUR' },
      payment: { token: retiredCardToken, last4: '4242', brand: 'visa' },
      shippingAddress: v1.address,
    });
  });

  it('given a v1 event whose number migration 002 masked, when read, then it is current with the last four and no number', () => {
    const v1 = {
      orderId,
      customerId: 'cust-1',
      lines: [{ sku: 'SKU-001', qty: 1, price: 1999 }],
      currency: 'EUR',
      card: '************4242',
      address: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
    };
    const { schemaVersion, data } = upcast('OrderPlaced', 1, v1, { clientId: 'client-7' }, orderUpcasters);
    assert.equal(schemaVersion, 3);
    assert.deepEqual((data as typeof placed).payment, { token: retiredCardToken, last4: '4242', brand: 'unknown' });
    assert.ok(messageSchemas.OrderPlaced.data.safeParse(data).success, 'valid at the current version');
  });

  it('given a v2 event whose number migration 002 masked, when read, then it keeps last four and carries no number', () => {
    const v2 = { ...placed, payment: { card: '************4444' } };
    const { schemaVersion, data } = upcast('OrderPlaced', 2, v2, {}, orderUpcasters);
    assert.equal(schemaVersion, 3);
    assert.deepEqual((data as typeof placed).payment, { token: retiredCardToken, last4: '4444', brand: 'unknown' });
    assert.ok(messageSchemas.OrderPlaced.data.safeParse(data).success, 'valid at the current version');
  });
});
