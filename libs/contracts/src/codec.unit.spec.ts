import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNever, ContractError, createMessage, isMessageOf, parseMessage, passesLuhn, PlaceOrderRequest } from './index.js';

const orderId = '6f1c8a4e-7f0e-4b8a-9d7c-2a1b3c4d5e6f';

describe('message contracts', () => {
  it('given a valid message, when it crosses the wire, then the consumer reads the same message back', () => {
    const sent = createMessage('StockReserved', { orderId }, { correlationId: orderId });
    const received = parseMessage(Buffer.from(JSON.stringify(sent)));
    assert.deepEqual(received, sent);
    assert.equal(received.schemaVersion, 1);
  });

  it('given data that breaks the schema, when a producer creates it, then it is refused', () => {
    assert.throws(() => createMessage('StockReserved', { orderId: 'not-a-uuid' }, { correlationId: 'x' }), (error: unknown) => {
      return error instanceof ContractError && error.code === 'INVALID_SHAPE';
    });
  });

  it('given an unknown type, a wrong version, bad data or no JSON, when consumed, then each is a typed ContractError', () => {
    const valid = createMessage('StockReleased', { orderId }, { correlationId: orderId });
    const codes = [
      { ...valid, type: 'StockTeleported' },
      { ...valid, schemaVersion: 9 },
      { ...valid, data: { orderId: 42 } },
      'not json {',
    ].map((raw) => {
      try {
        parseMessage(typeof raw === 'string' ? raw : JSON.stringify(raw));
        return 'accepted';
      } catch (error) {
        return (error as ContractError).code;
      }
    });
    assert.deepEqual(codes, ['UNKNOWN_TYPE', 'UNSUPPORTED_VERSION', 'INVALID_SHAPE', 'NOT_JSON']);
  });

  it('given a message of another type, when narrowed, then the handler does not claim it', () => {
    const message = createMessage('StockReleased', { orderId }, { correlationId: orderId });
    assert.equal(isMessageOf(message, ['StockReleased']), true);
    assert.equal(isMessageOf(message, ['StockReserved', 'StockReservationFailed']), false);
    assert.throws(() => assertNever(message as never), ContractError);
  });
});

describe('the order request', () => {
  const valid = {
    customerId: 'cust-1',
    items: [{ sku: 'SKU-001', quantity: 2 }],
    payment: { card: '4242424242424242' },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
  };

  it("given the contract's example, when validated, then it passes", () => {
    assert.equal(PlaceOrderRequest.safeParse(valid).success, true);
  });

  it('given the contract test cards, when checked with Luhn, then all pass and a typo fails', () => {
    assert.deepEqual(['4242424242424242', '4000000000000002', '4000000000009995', '4242424242424241'].map(passesLuhn), [true, true, true, false]);
  });

  it('given each rule broken, when validated, then the error names the field', () => {
    const broken = (patch: object) => PlaceOrderRequest.safeParse({ ...valid, ...patch }).error?.issues.map((issue) => issue.path.join('.'));
    assert.deepEqual(broken({ items: [{ sku: 'SKU-001', quantity: 0 }] }), ['items.0.quantity']);
    assert.deepEqual(broken({ items: Array.from({ length: 101 }, () => ({ sku: 'SKU-001', quantity: 1 })) }), ['items']);
    assert.deepEqual(broken({ payment: { card: '4242424242424241' } }), ['payment.card']);
    assert.deepEqual(broken({ shippingAddress: { ...valid.shippingAddress, country: 'XX' } }), ['shippingAddress.country']);
    assert.deepEqual(broken({ items: [] }), ['items']);
  });
});
