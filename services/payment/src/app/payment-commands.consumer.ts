import { Inject } from '@nestjs/common';
import { assertNever, createMessage, Topics, type Causation, type Message } from '@shopfront/contracts';
import type { Logger } from '@shopfront/observability';
import { LOGGER, Participant, type MessageHandlerProvider, type MessageOf, type TypeRoutes } from '@shopfront/runtime';
import type pg from 'pg';
import {
  decideAuthorize,
  decideCapture,
  decideRefund,
  decideVoid,
  idempotencyKey,
  recordAuthorization,
  type Payment,
  type ProviderCall,
  type Settlement,
} from '../domain/payment.js';
import { CARD_PROVIDER, PAYMENT_STORE, type CardProvider, type PaymentStore } from './ports.js';

/**
 * Carries out the orchestrator's payment commands, each under the order's
 * payment lock, and answers on saga.replies. The provider is called inside the
 * command's transaction but keeps its own records: if this transaction rolls
 * back after the call, the retry reaches the provider with the same idempotency
 * key and gets the first answer instead of a second charge.
 */
@Participant({
  name: 'payment.commands',
  topic: Topics.paymentCommands,
  lock: 'payment',
  commands: { AuthorizePayment: 'authorize', CapturePayment: 'capture', VoidPayment: 'voidPayment', RefundPayment: 'refund' },
})
export class PaymentCommandsConsumer implements MessageHandlerProvider {
  declare readonly on: TypeRoutes; // built by @Participant

  constructor(
    @Inject(PAYMENT_STORE) private readonly payments: PaymentStore,
    @Inject(CARD_PROVIDER) private readonly provider: CardProvider,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async authorize(message: MessageOf<'AuthorizePayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const { orderId, amount, card } = message.data;
    const decision = decideAuthorize(await this.payments.findPayment(tx, orderId));
    switch (decision.kind) {
      case 'askProvider': {
        const payment = recordAuthorization(orderId, amount, await this.provider.authorize(idempotencyKey(orderId, 'authorize'), card.token, amount.amount));
        await this.payments.savePayment(tx, payment);
        return authorizationAnswer(payment, causation);
      }
      case 'alreadyDecided':
        return authorizationAnswer(decision.payment, causation);
      case 'compensatedBefore':
        this.logger.info({ orderId }, 'authorization arrived after its compensation; nothing charged');
        return;
      default:
        return assertNever(decision);
    }
  }

  async capture(message: MessageOf<'CapturePayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const payment = await this.settle(tx, message, decideCapture);
    return payment && createMessage('PaymentCaptured', { orderId: payment.orderId, amount: { amount: payment.capturedAmount, currency: payment.currency } }, causation);
  }

  async voidPayment(message: MessageOf<'VoidPayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const payment = await this.settle(tx, message, decideVoid);
    return payment && createMessage('PaymentVoided', { orderId: payment.orderId }, causation);
  }

  async refund(message: MessageOf<'RefundPayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const payment = await this.settle(tx, message, decideRefund);
    return payment && createMessage('PaymentRefunded', { orderId: payment.orderId, amount: { amount: payment.refundedAmount, currency: payment.currency } }, causation);
  }

  /** Carries out a settlement: the provider call it needs, then the payment saved; undefined when there is nothing to answer. */
  private async settle(
    tx: pg.PoolClient,
    { type, data: { orderId } }: MessageOf<'CapturePayment' | 'VoidPayment' | 'RefundPayment'>,
    decide: (existing: Payment | undefined, orderId: string) => Settlement,
  ): Promise<Payment | undefined> {
    const settlement = decide(await this.payments.findPayment(tx, orderId), orderId);
    switch (settlement.kind) {
      case 'changed':
        if (settlement.call) await this.call(orderId, settlement.call);
        await this.payments.savePayment(tx, settlement.payment);
        return settlement.payment;
      case 'unchanged':
        return settlement.payment;
      case 'compensatedBefore':
        this.logger.info({ orderId, command: type }, 'command arrived after its compensation; nothing taken');
        return undefined;
      default:
        return assertNever(settlement);
    }
  }

  private call(orderId: string, call: ProviderCall): Promise<void> {
    const key = idempotencyKey(orderId, call.operation);
    switch (call.operation) {
      case 'capture':
        return this.provider.capture(key, call.amount);
      case 'refund':
        return this.provider.refund(key, call.amount);
      case 'void':
        return this.provider.void(key);
      default:
        return assertNever(call);
    }
  }
}

function authorizationAnswer(payment: Payment, causation: Causation): Message {
  const { orderId } = payment;
  return payment.status === 'DECLINED'
    ? createMessage('PaymentDeclined', { orderId, reason: payment.declineReason ?? 'PAYMENT_DECLINED' }, causation)
    : createMessage('PaymentAuthorized', { orderId, amount: { amount: payment.authorizedAmount, currency: payment.currency } }, causation);
}
