import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadlineFor } from './deadlines.js';
import { cancellation, orderId, placed, policy, reply, successes } from '../test/sagas.js';

const waitOf = (attempt: number, random: number) => deadlineFor(policy, new Date(0), attempt, random).getTime();

describe('deadlineFor', () => {
  it('given a first send, then it waits the step timeout plus at most a quarter more of jitter', () => {
    assert.equal(waitOf(1, 0), 1_000);
    assert.equal(waitOf(1, 0.999), 1_250);
  });

  it('given later sends, then each waits twice as long as the one before', () => {
    assert.deepEqual([1, 2, 3, 4].map((attempt) => waitOf(attempt, 0)), [1_000, 2_000, 4_000, 8_000]);
  });

  it('given many sends, then no wait is longer than the cap, jitter included', () => {
    for (const attempt of [4, 5, 10, 60, 2_000]) assert.ok(waitOf(attempt, 0.999) <= policy.backoffCapMs, `attempt ${attempt}`);
    assert.equal(waitOf(2_000, 0), policy.backoffCapMs);
  });
});

describe('the saga, when a deadline passes', () => {
  it('given the deadline is not yet due, when the poller looks, then nothing happens', () => {
    const run = placed();
    const before = run.state;
    run.now = new Date(run.state!.deadlineAt!.getTime() - 1);
    run.feed({ type: 'DeadlineExpired' });
    assert.equal(run.state, before);
    assert.equal(run.last?.ignored, 'no deadline has passed');
  });

  it('given an unanswered action with attempts left, then the same command is sent again and the next wait is longer', () => {
    const run = placed().feed(reply('StockReserved'));
    run.expire();
    assert.deepEqual(run.sentTypes(1), ['AuthorizePayment', 'AuthorizePayment']);
    assert.deepEqual(run.sent[2], run.sent[1], 'participants dedupe by orderId: the retry is the same command');
    assert.equal(run.state?.attempt, 2);
    const wait = run.state!.deadlineAt!.getTime() - run.now.getTime();
    assert.ok(wait >= 2_000 && wait <= 2_500, `waits ${wait} ms`);
    assert.deepEqual(run.records.at(-1), { step: 'authorizePayment', phase: 'RETRIED', detail: 'AuthorizePayment sent again, attempt 2' });
  });

  it('given an action unanswered after every attempt, then it times out and is compensated with the steps before it, reason TIMEOUT', () => {
    const run = placed().feed(reply('StockReserved')).expire(policy.maxAttempts);
    assert.deepEqual(run.sentTypes(1), ['AuthorizePayment', 'AuthorizePayment', 'AuthorizePayment', 'VoidPayment']);
    assert.equal(run.state?.reason, 'TIMEOUT');
    run.feed(reply('PaymentVoided'), reply('StockReleased'));
    assert.deepEqual(run.sentTypes(5), ['ReleaseStock', 'CancelOrder']);
    assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'TIMEOUT' });
    assert.deepEqual(run.timeline().slice(2), [
      'authorizePayment TRIED',
      'authorizePayment RETRIED',
      'authorizePayment RETRIED',
      'authorizePayment TIMED_OUT',
      'authorizePayment COMPENSATING',
      'authorizePayment COMPENSATED',
      'reserveStock COMPENSATING',
      'reserveStock COMPENSATED',
      'saga COMPENSATED',
    ]);
  });

  it('given the first step times out, then the stock is released anyway, in case the reservation happened', () => {
    const run = placed().expire(policy.maxAttempts).feed(reply('StockReleased'));
    assert.deepEqual(run.sentTypes(), ['ReserveStock', 'ReserveStock', 'ReserveStock', 'ReleaseStock', 'CancelOrder']);
  });

  it('given the capture times out, then every step is undone from the capture back', () => {
    const run = placed().feed(...successes.slice(0, 3)).expire(policy.maxAttempts);
    const before = run.sent.length;
    run.feed(reply('PaymentRefunded'), reply('ShipmentCancelled'), reply('PaymentVoided'), reply('StockReleased'));
    assert.deepEqual(run.sentTypes(before - 1), ['RefundPayment', 'CancelShipment', 'VoidPayment', 'ReleaseStock', 'CancelOrder']);
  });

  it('given an unanswered compensation, then it is sent again for as long as it takes, never more than the cap apart', () => {
    const run = placed().feed(reply('StockReserved'), reply('PaymentDeclined')).expire(12);
    assert.deepEqual(new Set(run.sentTypes(2)), new Set(['ReleaseStock']));
    assert.equal(run.sentTypes(2).length, 13);
    assert.equal(run.state?.status, 'COMPENSATING');
    assert.equal(run.state?.attempt, 13);
    assert.ok(run.state!.deadlineAt!.getTime() - run.now.getTime() <= policy.backoffCapMs);
    run.feed(reply('StockReleased'));
    assert.equal(run.state?.status, 'CANCELLED');
  });

  it('given a cancellation waiting on a step, when its deadline passes, then it is not pushed again but given up and compensated, reason CUSTOMER_CANCELLED', () => {
    const run = placed().feed(reply('StockReserved'), cancellation).expire();
    assert.deepEqual(run.sentTypes(1), ['AuthorizePayment', 'VoidPayment']);
    run.feed(reply('PaymentVoided'), reply('StockReleased'));
    assert.deepEqual(run.sent.at(-1)?.data, { orderId, reason: 'CUSTOMER_CANCELLED' });
  });

  it('given a step that timed out, when its reply finally arrives, then it is ignored: the compensation already covers it', () => {
    const run = placed().feed(reply('StockReserved')).expire(policy.maxAttempts);
    const before = run.state;
    run.feed(reply('PaymentAuthorized'));
    assert.equal(run.state, before);
    assert.match(run.last?.ignored ?? '', /stale PaymentAuthorized/);
  });

  it('given a retried authorization, then it still carries the card; once the step times out the card is forgotten', () => {
    const run = placed().feed(reply('StockReserved')).expire(2);
    const retry = run.sent.at(-1);
    assert.equal(retry?.type === 'AuthorizePayment' && retry.data.card.token, 'tok_test_card_4242_0000000000');
    run.expire();
    assert.equal(run.state?.data.card, null);
  });

  it('given a saga that ended, then no deadline is left and a late expiry is ignored', () => {
    for (const run of [placed().feed(...successes), placed().feed(reply('StockReservationFailed'))]) {
      assert.equal(run.state?.deadlineAt, null);
      run.feed({ type: 'DeadlineExpired' });
      assert.equal(run.last?.ignored, 'no deadline has passed');
    }
  });
});
