import { Inject, Injectable } from '@nestjs/common';
import { FaultInjector } from '@shopfront/http';
import { TransientError } from '@shopfront/messaging';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import type { CardProvider } from '../app/ports.js';
import { PaymentError } from '../domain/errors.js';
import type { AuthorizationResult, ProviderOperation } from '../domain/payment.js';
import { CardVault } from './card-vault.js';
import { cardVerdict } from './test-cards.js';

/** The fault target chaos drills use for the provider (`PUT /admin/faults/payment-provider`). */
export const providerFaultTarget = 'payment-provider';

/**
 * A card provider simulated in-process. Its ledger is written on its own
 * connection, outside the caller's transaction, as a real provider's would be:
 * a payment-service crash after the call cannot undo it, and the idempotency
 * key makes the retry harmless. Faults make it slow or failing, and a failure
 * is transient for the caller. Half of the failures strike after the provider
 * did the work (the answer is lost on the way back), the case where only the
 * idempotency key stands between a retry and a second charge.
 */
@Injectable()
export class SimulatedCardProvider implements CardProvider {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(FaultInjector) private readonly faults: FaultInjector,
    @Inject(CardVault) private readonly vault: CardVault,
  ) {}

  async authorize(key: string, cardToken: string, amount: number): Promise<AuthorizationResult> {
    const verdict = cardVerdict(this.numberBehind(cardToken));
    const outcome = await this.call(key, 'authorize', verdict.approved ? amount : 0, verdict.approved ? 'APPROVED' : verdict.reason);
    // The ledger's first answer wins, whatever this call's card says.
    if (outcome === 'APPROVED') return { approved: true };
    return { approved: false, reason: outcome === 'INSUFFICIENT_FUNDS' ? 'INSUFFICIENT_FUNDS' : 'PAYMENT_DECLINED' };
  }

  /** A token the vault cannot open reads as no number at all: declined, as a real provider would. */
  private numberBehind(cardToken: string): string {
    try {
      return this.vault.reveal(cardToken);
    } catch (error) {
      if (error instanceof PaymentError && error.code === 'UNKNOWN_CARD_TOKEN') return '';
      throw error;
    }
  }

  async capture(key: string, amount: number): Promise<void> {
    await this.call(key, 'capture', amount, 'CAPTURED');
  }

  async void(key: string): Promise<void> {
    await this.call(key, 'void', 0, 'VOIDED');
  }

  async refund(key: string, amount: number): Promise<void> {
    await this.call(key, 'refund', amount, 'REFUNDED');
  }

  private async call(key: string, operation: ProviderOperation, amount: number, outcome: string): Promise<string> {
    const fault = await this.faults.apply(providerFaultTarget).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (fault !== undefined && Math.random() < 0.5) throw unavailable(fault);
    const recorded = await this.record(key, operation, amount, outcome);
    if (fault !== undefined) throw unavailable(fault);
    return recorded;
  }

  /** Records the operation once per key and returns the first outcome recorded for it. */
  private async record(key: string, operation: ProviderOperation, amount: number, outcome: string): Promise<string> {
    const inserted = await this.pool.query<{ outcome: string }>(
      `INSERT INTO provider_ledger (idempotency_key, operation, amount, outcome) VALUES ($1, $2, $3, $4)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING outcome`,
      [key, operation, amount, outcome],
    );
    if (inserted.rows[0]) return inserted.rows[0].outcome;
    // A separate statement: its snapshot sees the row that won, even one committed while the insert waited.
    const first = await this.pool.query<{ outcome: string }>('SELECT outcome FROM provider_ledger WHERE idempotency_key = $1', [key]);
    return first.rows[0]!.outcome;
  }
}

const unavailable = (cause: unknown) => new TransientError('card provider unavailable', { cause });
