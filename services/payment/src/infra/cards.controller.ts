import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { CardNumber } from '@shopfront/contracts';
import { ZodValidationPipe } from '@shopfront/http';
import { z } from 'zod';
import { CardVault } from './card-vault.js';

const TokenizeCard = z.strictObject({ card: CardNumber });

/**
 * `POST /cards` (internal credential): the provider's tokenization, called by
 * the gateway before an order goes further. Answers the token, brand and last
 * four; the number stays in the vault.
 */
@Controller('cards')
export class CardsController {
  constructor(@Inject(CardVault) private readonly vault: CardVault) {}

  @Post()
  @HttpCode(201)
  tokenize(@Body(new ZodValidationPipe(TokenizeCard)) body: z.infer<typeof TokenizeCard>) {
    return this.vault.tokenize(body.card);
  }
}
