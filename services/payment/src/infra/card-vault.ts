import { Inject, Injectable } from '@nestjs/common';
import { openCard } from '@shopfront/contracts';
import type { KeyObject } from 'node:crypto';
import { PaymentError } from '../domain/errors.js';

export const CARD_PRIVATE_KEY = Symbol('CARD_PRIVATE_KEY');

/**
 * The only place a card number is read back: the simulated provider opens the
 * token the gateway sealed to this service's public key (ADR 0017), decides,
 * and keeps nothing but the decision.
 */
@Injectable()
export class CardVault {
  constructor(@Inject(CARD_PRIVATE_KEY) private readonly privateKey: KeyObject) {}

  reveal(token: string): string {
    const card = openCard(this.privateKey, token);
    if (card === undefined) throw new PaymentError('UNKNOWN_CARD_TOKEN', 'the card token was not sealed to this vault');
    return card;
  }
}
