import type { Money } from '@shopfront/contracts';
import { PaymentError } from './errors.js';

export type PaymentStatus = 'AUTHORIZED' | 'DECLINED' | 'CAPTURED' | 'VOIDED' | 'REFUNDED';
export type DeclineReason = 'PAYMENT_DECLINED' | 'INSUFFICIENT_FUNDS';

/** One order's payment. Amounts are integers in minor units of `currency`. */
export interface Payment {
  orderId: string;
  status: PaymentStatus;
  declineReason: DeclineReason | null;
  currency: string;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
}

/** What the card provider is asked to do; each happens at most once per order (`idempotencyKey`). */
export type ProviderOperation = 'authorize' | 'capture' | 'void' | 'refund';

/** One key per order and operation: the provider answers a repeated key with its first answer. */
export const idempotencyKey = (orderId: string, operation: ProviderOperation): string => `${orderId}:${operation}`;

/** What the card provider answered for an authorization. */
export type AuthorizationResult = { approved: true } | { approved: false; reason: DeclineReason };

export type AuthorizeDecision = { kind: 'askProvider' } | { kind: 'alreadyDecided'; payment: Payment } | { kind: 'compensatedBefore' };

/**
 * Only a first authorization goes to the provider; a repeated one gets the
 * first answer. One that arrives after its void or refund (a re-sent command
 * overtaken by its compensation) charges nothing.
 */
export function decideAuthorize(existing: Payment | undefined): AuthorizeDecision {
  if (!existing) return { kind: 'askProvider' };
  if (existing.status === 'VOIDED' || existing.status === 'REFUNDED') return { kind: 'compensatedBefore' };
  return { kind: 'alreadyDecided', payment: existing };
}

/** The payment as the provider's answer leaves it: an approval holds the amount, a decline holds nothing. */
export function recordAuthorization(orderId: string, amount: Money, result: AuthorizationResult): Payment {
  return {
    orderId,
    status: result.approved ? 'AUTHORIZED' : 'DECLINED',
    declineReason: result.approved ? null : result.reason,
    currency: amount.currency,
    authorizedAmount: result.approved ? amount.amount : 0,
    capturedAmount: 0,
    refundedAmount: 0,
  };
}

/** A call to the provider a settlement needs, made under the order's key for its operation. */
export type ProviderCall = { operation: 'capture' | 'refund'; amount: number } | { operation: 'void' };

/**
 * What a capture, void or refund comes to: the payment as it is to be saved,
 * after the provider call if there is one (`changed`); as it stands
 * (`unchanged`: a repeat, or nothing to do); or nothing at all, because its
 * compensation overtook it (`compensatedBefore`). Either way but the last, the
 * answer is read from `payment`.
 */
export type Settlement = { kind: 'changed'; payment: Payment; call: ProviderCall | null } | { kind: 'unchanged'; payment: Payment } | { kind: 'compensatedBefore' };

/**
 * Capturing takes what was authorized, once. After a void or refund (a
 * re-sent capture that its compensation overtook) it takes nothing.
 */
export function decideCapture(existing: Payment | undefined, orderId: string): Settlement {
  switch (existing?.status) {
    case 'AUTHORIZED':
      return { kind: 'changed', payment: { ...existing, status: 'CAPTURED', capturedAmount: existing.authorizedAmount }, call: { operation: 'capture', amount: existing.authorizedAmount } };
    case 'CAPTURED':
      return { kind: 'unchanged', payment: existing };
    case 'VOIDED':
    case 'REFUNDED':
      return { kind: 'compensatedBefore' };
    case 'DECLINED':
    case undefined:
      throw new PaymentError('NOT_AUTHORIZED', `order ${orderId}: capture of a payment that was never authorized (${existing?.status ?? 'none'})`);
  }
}

/**
 * Voiding releases an authorization. It always answers, so compensations
 * complete: a declined, captured (left to its refund) or already voided
 * payment is left as it is; with nothing yet, a tombstone makes a late
 * authorization charge nothing.
 */
export function decideVoid(existing: Payment | undefined, orderId: string): Settlement {
  if (!existing) return { kind: 'changed', payment: tombstone(orderId), call: null };
  if (existing.status === 'AUTHORIZED') return { kind: 'changed', payment: { ...existing, status: 'VOIDED' }, call: { operation: 'void' } };
  return { kind: 'unchanged', payment: existing };
}

/**
 * Refunding returns everything captured, once. A refund for a capture that
 * never happened (it timed out) voids the authorization instead, so a late
 * capture takes nothing; with nothing yet, a tombstone.
 */
export function decideRefund(existing: Payment | undefined, orderId: string): Settlement {
  if (!existing) return { kind: 'changed', payment: tombstone(orderId), call: null };
  if (existing.status === 'CAPTURED') {
    return { kind: 'changed', payment: { ...existing, status: 'REFUNDED', refundedAmount: existing.capturedAmount }, call: { operation: 'refund', amount: existing.capturedAmount } };
  }
  if (existing.status === 'AUTHORIZED') return { kind: 'changed', payment: { ...existing, status: 'VOIDED' }, call: { operation: 'void' } };
  return { kind: 'unchanged', payment: existing };
}

/** Compensation commands carry no amount: a tombstone holds none, in the platform's currency. */
const tombstone = (orderId: string): Payment => ({
  orderId,
  status: 'VOIDED',
  declineReason: null,
  currency: 'EUR',
  authorizedAmount: 0,
  capturedAmount: 0,
  refundedAmount: 0,
});
