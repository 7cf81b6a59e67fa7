import type { AuthorizationResult, DeclineReason } from '../domain/payment.js';

/** The platform contract's test cards that decline; any other Luhn-valid number is approved. */
const declinedCards: ReadonlyMap<string, DeclineReason> = new Map([
  ['4000000000000002', 'PAYMENT_DECLINED'],
  ['4000000000009995', 'INSUFFICIENT_FUNDS'],
]);

/** The Luhn checksum every card number carries. */
export function isLuhnValid(card: string): boolean {
  if (!/^\d{12,19}$/.test(card)) return false;
  let sum = 0;
  for (let i = 0; i < card.length; i++) {
    let digit = Number(card[card.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * What the simulated provider answers for a card. The gateway already refuses
 * numbers failing the Luhn check; one that slips through is declined here, as
 * a real provider would.
 */
export function cardVerdict(card: string): AuthorizationResult {
  const declined = declinedCards.get(card);
  if (declined) return { approved: false, reason: declined };
  return isLuhnValid(card) ? { approved: true } : { approved: false, reason: 'PAYMENT_DECLINED' };
}
