import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PaymentError } from './errors.js';
import { decideAuthorize, decideCapture, decideRefund, decideVoid, recordAuthorization, type Payment, type PaymentStatus } from './payment.js';

const orderId = '0b0e4d1c-2f35-4c1e-9a55-0c1d2e3f4a5b';
const total = { amount: 3998, currency: 'EUR' };
const authorized = recordAuthorization(orderId, total, { approved: true });
const declined = recordAuthorization(orderId, total, { approved: false, reason: 'INSUFFICIENT_FUNDS' });
const inState = (status: PaymentStatus): Payment => ({ ...authorized, status, capturedAmount: status === 'CAPTURED' || status === 'REFUNDED' ? 3998 : 0, refundedAmount: status === 'REFUNDED' ? 3998 : 0 });
const amounts = (payment: Payment) => [payment.status, payment.authorizedAmount, payment.capturedAmount, payment.refundedAmount];
/** The money invariant: what the customer is out of pocket. */
const charged = (payment: Payment) => payment.capturedAmount - payment.refundedAmount;

describe('authorizing', () => {
  it('given no payment, when authorized, then the provider is asked', () => {
    assert.deepEqual(decideAuthorize(undefined), { kind: 'askProvider' });
  });

  it('given an approval, when recorded, then the total is held and nothing is taken yet', () => {
    assert.deepEqual(amounts(authorized), ['AUTHORIZED', 3998, 0, 0]);
  });

  it('given a decline, when recorded, then nothing is held and the reason is kept', () => {
    assert.deepEqual([...amounts(declined), declined.declineReason], ['DECLINED', 0, 0, 0, 'INSUFFICIENT_FUNDS']);
  });

  it('given a first answer (approved, declined or already captured), when authorized again, then it stands without asking the provider', () => {
    for (const payment of [authorized, declined, inState('CAPTURED')]) assert.deepEqual(decideAuthorize(payment), { kind: 'alreadyDecided', payment });
  });

  it('given a void or refund that came first, when the authorization arrives late, then nothing is charged', () => {
    for (const status of ['VOIDED', 'REFUNDED'] as const) assert.deepEqual(decideAuthorize(inState(status)), { kind: 'compensatedBefore' });
  });
});

describe('capturing', () => {
  it('given an authorization, when captured, then captured equals authorized', () => {
    const decision = decideCapture(authorized, orderId);
    assert.ok(decision.kind === 'changed');
    assert.deepEqual(amounts(decision.payment), ['CAPTURED', 3998, 3998, 0]);
    assert.deepEqual(decision.call, { operation: 'capture', amount: 3998 });
  });

  it('given a capture, when captured again, then the first capture answers and nothing more is taken', () => {
    const captured = inState('CAPTURED');
    assert.deepEqual(decideCapture(captured, orderId), { kind: 'unchanged', payment: captured });
  });

  it('given a void or refund that overtook it, when the capture arrives, then nothing is taken', () => {
    for (const status of ['VOIDED', 'REFUNDED'] as const) assert.deepEqual(decideCapture(inState(status), orderId), { kind: 'compensatedBefore' });
  });

  it('given nothing authorized, when a capture arrives, then it is refused as a command the saga never sends', () => {
    for (const payment of [undefined, declined]) {
      assert.throws(() => decideCapture(payment, orderId), (error: unknown) => error instanceof PaymentError && error.code === 'NOT_AUTHORIZED');
    }
  });
});

describe('voiding', () => {
  it('given an authorization, when voided, then it is released and a late capture takes nothing', () => {
    const decision = decideVoid(authorized, orderId);
    assert.ok(decision.kind === 'changed');
    assert.deepEqual(decision.call, { operation: 'void' });
    assert.deepEqual(decideCapture(decision.payment, orderId), { kind: 'compensatedBefore' });
  });

  it('given nothing yet, when voided, then a tombstone holding nothing makes a late authorization charge nothing', () => {
    const decision = decideVoid(undefined, orderId);
    assert.ok(decision.kind === 'changed');
    assert.deepEqual([decision.call, ...amounts(decision.payment)], [null, 'VOIDED', 0, 0, 0]);
    assert.deepEqual(decideAuthorize(decision.payment), { kind: 'compensatedBefore' });
  });

  it('given a declined, captured, voided or refunded payment, when voided, then it is left as it is (a capture waits for its refund)', () => {
    for (const payment of [declined, inState('CAPTURED'), inState('VOIDED'), inState('REFUNDED')]) assert.deepEqual(decideVoid(payment, orderId), { kind: 'unchanged', payment });
  });
});

describe('refunding', () => {
  it('given a capture, when refunded, then everything captured comes back and the customer is charged nothing', () => {
    const decision = decideRefund(inState('CAPTURED'), orderId);
    assert.ok(decision.kind === 'changed');
    assert.deepEqual(decision.call, { operation: 'refund', amount: 3998 });
    assert.deepEqual([...amounts(decision.payment), charged(decision.payment)], ['REFUNDED', 3998, 3998, 3998, 0]);
  });

  it('given a refund, when refunded again, then nothing more comes back', () => {
    const refunded = inState('REFUNDED');
    assert.deepEqual(decideRefund(refunded, orderId), { kind: 'unchanged', payment: refunded });
  });

  it('given only an authorization (its capture timed out), when a refund comes, then the authorization is voided so a late capture takes nothing', () => {
    const decision = decideRefund(authorized, orderId);
    assert.ok(decision.kind === 'changed');
    assert.deepEqual([decision.call, decision.payment.status, charged(decision.payment)], [{ operation: 'void' }, 'VOIDED', 0]);
    assert.deepEqual(decideCapture(decision.payment, orderId), { kind: 'compensatedBefore' });
  });

  it('given nothing yet, when a refund comes, then a tombstone makes a late authorization charge nothing', () => {
    const decision = decideRefund(undefined, orderId);
    assert.ok(decision.kind === 'changed');
    assert.equal(decision.call, null);
    assert.deepEqual(decideAuthorize(decision.payment), { kind: 'compensatedBefore' });
  });
});
