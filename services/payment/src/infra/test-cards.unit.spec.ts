import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardVerdict, isLuhnValid } from './test-cards.js';

describe("the simulated provider's cards", () => {
  it("given the contract's test cards, when authorized, then approved, PAYMENT_DECLINED and INSUFFICIENT_FUNDS", () => {
    assert.deepEqual(cardVerdict('4242424242424242'), { approved: true });
    assert.deepEqual(cardVerdict('4000000000000002'), { approved: false, reason: 'PAYMENT_DECLINED' });
    assert.deepEqual(cardVerdict('4000000000009995'), { approved: false, reason: 'INSUFFICIENT_FUNDS' });
  });

  it('given any other Luhn-valid number, when authorized, then approved', () => {
    for (const card of ['5555555555554444', '378282246310005', '6011111111111117']) assert.deepEqual(cardVerdict(card), { approved: true }, card);
  });

  it('given a number failing the Luhn check, when authorized, then declined', () => {
    assert.deepEqual(cardVerdict('4242424242424241'), { approved: false, reason: 'PAYMENT_DECLINED' });
  });

  it('given numbers of every kind, when checked, then only those with a valid checksum and 12 to 19 digits pass', () => {
    assert.deepEqual(
      ['4242424242424242', '4000000000000002', '4242424242424243', '79927398713', '424242424242424a', ''].map(isLuhnValid),
      [true, true, false, false, false, false],
    );
  });
});
