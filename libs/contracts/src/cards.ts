import { z } from 'zod';

/**
 * What the platform keeps of a card past the edge (docs/contract.md): the
 * provider's token, the brand and the last four digits. Never the number.
 */
export const CardBrand = z.enum(['visa', 'mastercard', 'amex', 'discover', 'unknown']);
export type CardBrand = z.infer<typeof CardBrand>;

export const CardToken = z.string().regex(/^tok_[A-Za-z0-9_-]{22,64}$/, 'a card token the payment service issued');

export const TokenizedCard = z.strictObject({
  token: CardToken,
  last4: z.string().regex(/^\d{4}$/),
  brand: CardBrand,
});
export type TokenizedCard = z.infer<typeof TokenizedCard>;

/** The brand from the number's issuer prefix (IIN ranges), for display only. */
export function cardBrand(card: string): CardBrand {
  if (/^4/.test(card)) return 'visa';
  const four = Number(card.slice(0, 4));
  if (/^5[1-5]/.test(card) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (/^3[47]/.test(card)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(card)) return 'discover';
  return 'unknown';
}
