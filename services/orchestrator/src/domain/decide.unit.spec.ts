import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplyInput } from './decide.js';
import { cancellation, order, orderId, placed, policy, reply, SagaRun, startedAt, successes } from '../test/sagas.js';

describe('the saga, forward', () => {
  it('given no saga, when OrderPlaced arrives, then it reserves the order lines with a deadline one step timeout away', () => {
    const run = placed();
    assert.deepEqual(run.sent, [
      { type: 'ReserveStock', topic: 'inventory.commands', data: { orderId, items: [{ sku: 'SKU-001', quantity: 2 }, { sku: 'SKU-002', quantity: 1 }] } },
    ]);
    assert.equal(run.state?.status, 'RUNNING');
    assert.equal(run.state?.phase, 'ACTION');
    assert.equal(run.state?.attempt, 1);
    const wait = run.state!.deadlineAt!.getTime() - startedAt.getTime();
    assert.ok(wait >= policy.stepTimeoutMs && wait <= policy.stepTimeoutMs * 1.25, `waits ${wait} ms`);
    assert.deepEqual(run.records, [{ step: 'reserveStock', phase: 'TRIED', detail: 'ReserveStock sent' }]);
  });

  it('given every step succeeds, when the replies arrive, then the steps run in order and the order is confirmed', () => {
    const run = placed().feed(...successes);
    assert.deepEqual(run.sentTypes(), ['ReserveStock', 'AuthorizePayment', 'ScheduleShipment', 'CapturePayment', 'ConfirmOrder']);
    assert.deepEqual(run.sent.at(-1), { type: 'ConfirmOrder', topic: 'order.commands', data: { orderId } });
    assert.equal(run.state?.status, 'CONFIRMED');
    assert.equal(run.state?.phase, 'NONE');
    assert.equal(run.state?.deadlineAt, null);
    assert.deepEqual(run.state?.stepsDone, ['reserveStock', 'authorizePayment', 'scheduleShipment', 'capturePayment']);
    assert.deepEqual(run.timeline(), [
      'reserveStock TRIED',
      'reserveStock SUCCEEDED',
      'authorizePayment TRIED',
      'authorizePayment SUCCEEDED',
      'scheduleShipment TRIED',
      'scheduleShipment SUCCEEDED',
      'capturePayment TRIED',
      'capturePayment SUCCEEDED',
      'saga SUCCEEDED',
    ]);
  });

  it('given stock reserved, then the payment is authorized for the order total with its card, and the shipment carries the address and lines', () => {
    const run = placed().feed(...successes.slice(0, 2));
    assert.deepEqual(run.sent[1], { type: 'AuthorizePayment', topic: 'payment.commands', data: { orderId, amount: { amount: 4498, currency: 'EUR' }, card: { token: 'tok_test_card_4242_0000000000', last4: '4242', brand: 'visa' } } });
    assert.deepEqual(run.sent[2], {
      type: 'ScheduleShipment',
      topic: 'shipping.commands',
      data: { orderId, address: order.shippingAddress, items: [{ sku: 'SKU-001', quantity: 2 }, { sku: 'SKU-002', quantity: 1 }] },
    });
  });

  it('given the payment was authorized, then the saga no longer keeps the card token', () => {
    const run = placed().feed(reply('StockReserved'));
    assert.equal(run.state?.data.card?.token, 'tok_test_card_4242_0000000000');
    run.feed(reply('PaymentAuthorized'));
    assert.equal(run.state?.data.card, null);
  });

  it('given a saga that is waiting, when nothing else happens, then exactly one command is in flight at a time', () => {
    const run = new SagaRun();
    run.feed({ type: 'OrderPlaced', data: order });
    for (const success of successes) {
      assert.equal(run.last?.commands.length, 1);
      run.feed(success);
    }
    assert.equal(run.last?.commands.length, 1);
  });
});

describe('the saga, when a step fails', () => {
  it('given no stock, when StockReservationFailed arrives, then the order is cancelled at once: nothing to undo', () => {
    const run = placed().feed(reply('StockReservationFailed'));
    assert.deepEqual(run.sentTypes(1), ['CancelOrder']);
    assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'OUT_OF_STOCK' });
    assert.equal(run.state?.status, 'CANCELLED');
    assert.deepEqual(run.timeline().slice(1), ['reserveStock FAILED', 'saga COMPENSATED']);
  });

  for (const reason of ['PAYMENT_DECLINED', 'INSUFFICIENT_FUNDS'] as const) {
    it(`given a payment declined with ${reason}, when the stock is released, then the order is cancelled with ${reason}`, () => {
      const run = placed().feed(reply('StockReserved'), reply('PaymentDeclined', { reason }));
      assert.deepEqual(run.sentTypes(2), ['ReleaseStock']);
      assert.equal(run.state?.status, 'COMPENSATING');
      run.feed(reply('StockReleased'));
      assert.deepEqual(run.sentTypes(2), ['ReleaseStock', 'CancelOrder']);
      assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason });
      assert.equal(run.state?.status, 'CANCELLED');
      assert.deepEqual(run.state?.stepsDone, []);
    });
  }

  it('given shipping unavailable, then the payment is voided, and only once it is voided is the stock released', () => {
    const run = placed().feed(reply('StockReserved'), reply('PaymentAuthorized'), reply('ShipmentFailed'));
    assert.deepEqual(run.sentTypes(3), ['VoidPayment']);
    run.feed(reply('PaymentVoided'));
    assert.deepEqual(run.sentTypes(3), ['VoidPayment', 'ReleaseStock']);
    run.feed(reply('StockReleased'));
    assert.deepEqual(run.sentTypes(3), ['VoidPayment', 'ReleaseStock', 'CancelOrder']);
    assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'SHIPPING_UNAVAILABLE' });
    assert.deepEqual(run.timeline().slice(5), [
      'scheduleShipment FAILED',
      'authorizePayment COMPENSATING',
      'authorizePayment COMPENSATED',
      'reserveStock COMPENSATING',
      'reserveStock COMPENSATED',
      'saga COMPENSATED',
    ]);
  });
});

describe('the saga, when the customer cancels', () => {
  const compensatedBy: Record<string, ReplyInput> = {
    ReleaseStock: reply('StockReleased'),
    VoidPayment: reply('PaymentVoided'),
    CancelShipment: reply('ShipmentCancelled'),
    RefundPayment: reply('PaymentRefunded'),
  };
  // For a cancellation while each step is in flight and that step then succeeds: what is undone, in order.
  const whileInFlight = [
    { step: 'reserveStock', undo: ['ReleaseStock'] },
    { step: 'authorizePayment', undo: ['VoidPayment', 'ReleaseStock'] },
    { step: 'scheduleShipment', undo: ['CancelShipment', 'VoidPayment', 'ReleaseStock'] },
    { step: 'capturePayment', undo: ['RefundPayment', 'CancelShipment', 'VoidPayment', 'ReleaseStock'] },
  ];
  whileInFlight.forEach(({ step, undo }, index) => {
    it(`given ${step} in flight, when the customer cancels, then the saga waits for its reply and then undoes it and every step before`, () => {
      const run = placed().feed(...successes.slice(0, index), cancellation);
      assert.deepEqual(run.last?.commands, [], 'nothing is sent while the step is in flight');
      assert.equal(run.state?.status, 'COMPENSATING');
      assert.equal(run.state?.phase, 'ACTION');
      const before = run.sent.length;
      run.feed(successes[index]!);
      for (const [i, compensation] of undo.entries()) {
        assert.equal(run.sentTypes(before).length, i + 1, 'one compensation at a time');
        assert.equal(run.sent.at(-1)?.type, compensation);
        run.feed(compensatedBy[compensation]!);
      }
      assert.deepEqual(run.sentTypes(before), [...undo, 'CancelOrder']);
      assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'CUSTOMER_CANCELLED' });
      assert.equal(run.state?.status, 'CANCELLED');
    });
  });

  it('given a cancellation while a step is in flight, when that step fails, then only earlier steps are undone and the reason stays CUSTOMER_CANCELLED', () => {
    const run = placed().feed(reply('StockReserved'), cancellation, reply('PaymentDeclined'));
    assert.deepEqual(run.sentTypes(2), ['ReleaseStock']);
    run.feed(reply('StockReleased'));
    assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'CUSTOMER_CANCELLED' });
  });

  it('given a confirmed order, when the customer cancels, then refund, cancel shipment, void and release run in that order, then CancelOrder', () => {
    const run = placed().feed(...successes);
    const before = run.sent.length;
    run.feed(cancellation, reply('PaymentRefunded'), reply('ShipmentCancelled'), reply('PaymentVoided'), reply('StockReleased'));
    assert.deepEqual(run.sentTypes(before), ['RefundPayment', 'CancelShipment', 'VoidPayment', 'ReleaseStock', 'CancelOrder']);
    assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'CUSTOMER_CANCELLED' });
    assert.equal(run.state?.status, 'CANCELLED');
  });

  it('given a saga already compensating for a failure, when the customer cancels, then nothing changes and the first reason stays', () => {
    const run = placed().feed(reply('StockReserved'), reply('PaymentDeclined'));
    const before = run.state;
    run.feed(cancellation);
    assert.equal(run.state, before);
    assert.match(run.last?.ignored ?? '', /already compensating/);
    run.feed(reply('StockReleased'));
    assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'PAYMENT_DECLINED' });
  });

  it('given a cancelled saga, when the customer cancels again, then it is ignored', () => {
    const run = placed().feed(reply('StockReservationFailed'), cancellation);
    assert.equal(run.last?.ignored, 'already cancelled');
    assert.deepEqual(run.last?.commands, []);
  });

  it('given no saga for the order, when a cancellation arrives, then it is ignored', () => {
    const run = new SagaRun().feed(cancellation);
    assert.equal(run.state, undefined);
    assert.equal(run.last?.ignored, 'no saga for this order');
  });
});
