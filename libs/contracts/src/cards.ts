import { constants, createPrivateKey, createPublicKey, KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';
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

/** Bound into every token (the OAEP label): ciphertext made for another purpose does not open as a card. */
const label = Buffer.from('shopfront card v1');
const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label };

export const cardPublicKey = (base64Der: string): KeyObject => createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
export const cardPrivateKey = (base64Der: string): KeyObject => createPrivateKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'pkcs8' });

/**
 * A card key from the environment (base64 DER: SPKI for the public half, PKCS#8
 * for the private), for a service's config.ts; a value that is no RSA key is refused there.
 */
export const cardKeyVariable = (half: 'public' | 'private', fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, context) => {
      try {
        return half === 'public' ? cardPublicKey(value) : cardPrivateKey(value);
      } catch {
        context.addIssue({ code: 'custom', message: `must be an RSA ${half} key, ${half === 'public' ? 'SPKI' : 'PKCS#8'} DER, base64-encoded` });
        return z.NEVER;
      }
    });

/** For a production rule: is this the development key (whose private half is in the repository)? */
export const isSameKey = (key: unknown, base64Der: string, half: 'public' | 'private'): boolean =>
  key instanceof KeyObject && key.equals(half === 'public' ? cardPublicKey(base64Der) : cardPrivateKey(base64Der));

/** At the edge: the number in, what the platform may keep out. */
export function sealCard(publicKey: KeyObject, card: string): TokenizedCard {
  const token = `tok_${publicEncrypt({ key: publicKey, ...oaep }, Buffer.from(card, 'utf8')).toString('base64url')}`;
  return { token, last4: card.slice(-4), brand: cardBrand(card) };
}

/** In the payment vault only: the number behind a token, or undefined for one this key did not seal. */
export function openCard(privateKey: KeyObject, token: string): string | undefined {
  if (!token.startsWith('tok_')) return undefined;
  try {
    const card = privateDecrypt({ key: privateKey, ...oaep }, Buffer.from(token.slice(4), 'base64url')).toString('utf8');
    return /^\d{12,19}$/.test(card) ? card : undefined;
  } catch {
    return undefined;
  }
}
