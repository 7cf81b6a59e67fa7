import { z } from 'zod';

/**
 * What the platform keeps of a card past the edge (docs/contract.md): a token,
 * the brand and the last four digits. Never the number.
 *
 * The token is the number sealed to the payment vault's public key
 * (RSA-OAEP-SHA256), as a processor's client-side encryption does: the
 * gateway can seal but not open, events and topics carry only ciphertext, and
 * only the payment service, holding the private key, reads the number back to
 * authorize. No call is needed to tokenize, so orders are accepted while the
 * payment service is down (ADR 0017).
 *
 * Schemas only: this file is part of the browser's entry (web.ts); sealing and
 * opening, which need node:crypto, are in card-seal.ts.
 */
export const CardBrand = z.enum(['visa', 'mastercard', 'amex', 'discover', 'unknown']);
export type CardBrand = z.infer<typeof CardBrand>;

export const CardToken = z.string().regex(/^tok_[A-Za-z0-9_-]{22,512}$/, 'a card token sealed by the gateway');

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
