import { Inject, Injectable } from '@nestjs/common';
import { cardBrand, type TokenizedCard } from '@shopfront/contracts';
import { PG_POOL } from '@shopfront/runtime';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { PaymentError } from '../domain/errors.js';

export const VAULT_KEY = Symbol('VAULT_KEY');

/**
 * The simulated provider's vault: a card number in, a token out, as a real
 * provider's tokenization endpoint does. The number is stored only encrypted
 * (AES-256-GCM) and read back only to decide an authorization.
 */
@Injectable()
export class CardVault {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(VAULT_KEY) private readonly key: Buffer,
  ) {}

  async tokenize(card: string): Promise<TokenizedCard> {
    const token = `tok_${randomBytes(18).toString('base64url')}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(token));
    const ciphertext = Buffer.concat([cipher.update(card, 'utf8'), cipher.final()]);
    const tokenized: TokenizedCard = { token, last4: card.slice(-4), brand: cardBrand(card) };
    await this.pool.query('INSERT INTO card_vault (token, ciphertext, iv, auth_tag, last4, brand) VALUES ($1, $2, $3, $4, $5, $6)', [
      token,
      ciphertext,
      iv,
      cipher.getAuthTag(),
      tokenized.last4,
      tokenized.brand,
    ]);
    return tokenized;
  }

  /** The number behind a token; a token this vault never issued (or cannot decrypt) is refused. */
  async reveal(token: string): Promise<string> {
    const { rows } = await this.pool.query<{ ciphertext: Buffer; iv: Buffer; auth_tag: Buffer }>(
      'SELECT ciphertext, iv, auth_tag FROM card_vault WHERE token = $1',
      [token],
    );
    const row = rows[0];
    if (!row) throw new PaymentError('UNKNOWN_CARD_TOKEN', 'the card token is not in the vault');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, row.iv);
      decipher.setAAD(Buffer.from(token));
      decipher.setAuthTag(row.auth_tag);
      return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new PaymentError('UNKNOWN_CARD_TOKEN', 'the card token does not decrypt with this vault key', { cause });
    }
  }
}
