import { constants, createPrivateKey, createPublicKey, KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';
import { z } from 'zod';
import { cardBrand, type TokenizedCard } from './cards.js';

/**
 * Sealing a card number to the payment vault's key and opening it there
 * (cards.ts says why). Node only: the browser's entry (web.ts) leaves it out.
 */

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
