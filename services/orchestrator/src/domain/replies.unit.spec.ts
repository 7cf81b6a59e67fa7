import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { order, placed, reply, SagaRun, successes } from '../test/sagas.js';

/** A reply that is not for the command in flight changes nothing and sends nothing. */
function assertIgnored(run: SagaRun, pattern: RegExp) {
  assert.deepEqual(run.last?.commands, []);
  assert.deepEqual(run.last?.records, []);
  assert.match(run.last?.ignored ?? '(not ignored)', pattern);
}

describe('the saga, given stale or duplicate replies', () => {
  it('given a step succeeded, when the same reply arrives again, then nothing happens: no double transition', () => {
    const run = placed().feed(reply('StockReserved'));
    const before = run.state;
    run.feed(reply('StockReserved'));
    assert.equal(run.state, before);
    assert.deepEqual(run.sentTypes(), ['ReserveStock', 'AuthorizePayment']);
    assertIgnored(run, /stale StockReserved: the saga is RUNNING and awaits PaymentAuthorized or PaymentDeclined/);
  });

  it('given a reply for a step that has not started, then it is ignored', () => {
    const run = placed().feed(reply('ShipmentScheduled'));
    assertIgnored(run, /stale ShipmentScheduled/);
    assert.equal(run.state?.stepIndex, 0);
  });

  it('given an action in flight, when a compensation reply arrives, then it is ignored', () => {
    assertIgnored(placed().feed(reply('StockReleased')), /stale StockReleased/);
  });

  it('given a compensation in flight, when the action reply of that step arrives late, then it is ignored', () => {
    const run = placed().feed(reply('StockReserved'), reply('PaymentDeclined'), reply('StockReserved'));
    assertIgnored(run, /stale StockReserved: the saga is COMPENSATING and awaits StockReleased/);
    assert.equal(run.state?.phase, 'COMPENSATION');
  });

  it('given a compensation in flight, when the reply of another compensation arrives, then it is ignored', () => {
    const run = placed().feed(reply('StockReserved'), reply('PaymentAuthorized'), reply('ShipmentFailed'), reply('StockReleased'));
    assertIgnored(run, /awaits PaymentVoided/);
    assert.deepEqual(run.state?.stepsDone, ['reserveStock', 'authorizePayment']);
  });

  it('given a failure reply of a step already done, then it does not undo it', () => {
    const run = placed().feed(reply('StockReserved'), reply('StockReservationFailed'));
    assertIgnored(run, /stale StockReservationFailed/);
    assert.equal(run.state?.status, 'RUNNING');
  });

  it('given a saga that ended, when any reply arrives, then it is ignored', () => {
    const confirmed = placed().feed(...successes, reply('PaymentCaptured'));
    assertIgnored(confirmed, /the saga is CONFIRMED and awaits nothing/);
    const cancelled = placed().feed(reply('StockReservationFailed'), reply('StockReleased'));
    assertIgnored(cancelled, /the saga is CANCELLED and awaits nothing/);
  });

  it('given no saga for the order, when a reply arrives, then it is ignored', () => {
    const run = new SagaRun().feed(reply('StockReserved'));
    assert.equal(run.state, undefined);
    assertIgnored(run, /no saga for this order/);
  });

  it('given a saga already started, when OrderPlaced arrives again, then it is ignored', () => {
    const run = placed().feed({ type: 'OrderPlaced', data: order });
    assertIgnored(run, /already started/);
    assert.deepEqual(run.sentTypes(), ['ReserveStock']);
  });

  it('given a saga that ended, when the order is re-announced, then its outcome is sent again and nothing else changes', () => {
    const confirmed = placed().feed(...successes);
    const before = confirmed.state;
    const sent = confirmed.sent.length;
    confirmed.feed({ type: 'OrderPlaced', data: order });
    assert.deepEqual(confirmed.sentTypes(sent), ['ConfirmOrder']);
    assert.deepEqual(confirmed.state, before);
    assert.equal(confirmed.last?.records[0]?.phase, 'RETRIED');

    const cancelled = placed().feed(reply('StockReservationFailed'));
    const count = cancelled.sent.length;
    cancelled.feed({ type: 'OrderPlaced', data: order });
    assert.deepEqual(cancelled.sent.slice(count), [cancelled.sent.at(-2)]);
    assert.deepEqual(cancelled.sent.at(-1)?.data, { orderId: order.orderId, reason: 'OUT_OF_STOCK' });
  });
});
