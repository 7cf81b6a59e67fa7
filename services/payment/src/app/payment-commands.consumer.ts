import { Inject, Injectable } from '@nestjs/common';
import { assertNever, createMessage, Topics, type Causation, type Message } from '@shopfront/contracts';
import type { Logger } from '@shopfront/observability';
import { Consumer, LOGGER, participantHandlers, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type pg from 'pg';
import { CARD_PROVIDER, idempotencyKey, type CardProvider } from '../domain/card-provider.js';
import { decideAuthorize, decideCapture, decideRefund, decideVoid, recordAuthorization, type Payment } from '../domain/payment.js';
import { PAYMENT_STORE, type PaymentStore } from './ports.js';

/**
 * Carries out the orchestrator's payment commands, each under the order's
 * payment lock, and answers on saga.replies. The provider is called inside the
 * command's transaction but keeps its own records: if this transaction rolls
 * back after the call, the retry reaches the provider with the same idempotency
 * key and gets the first answer instead of a second charge.
 */
@Injectable()
@Consumer({ name: 'payment.commands', topics: [Topics.paymentCommands] })
export class PaymentCommandsConsumer implements MessageHandlerProvider {
  readonly on = participantHandlers<PaymentCommandType>({
    lockFor: (orderId) => `payment:${orderId}`,
    replyTo: Topics.sagaReplies,
    handlers: {
      AuthorizePayment: (message, tx, causation) => this.authorize(message, tx, causation),
      CapturePayment: (message, tx, causation) => this.capture(message, tx, causation),
      VoidPayment: (message, tx, causation) => this.voidPayment(message, tx, causation),
      RefundPayment: (message, tx, causation) => this.refund(message, tx, causation),
    },
  });

  constructor(
    @Inject(PAYMENT_STORE) private readonly payments: PaymentStore,
    @Inject(CARD_PROVIDER) private readonly provider: CardProvider,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private async authorize(message: MessageOf<'AuthorizePayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const { orderId } = message.data;
    const existing = await this.payments.findPayment(tx, orderId);
    const decision = decideAuthorize(existing);
    switch (decision.kind) {
      case 'askProvider': {
        const { amount, card } = message.data;
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

  private async capture(message: MessageOf<'CapturePayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const { orderId } = message.data;
    const existing = await this.payments.findPayment(tx, orderId);
    const decision = decideCapture(existing, orderId);
    switch (decision.kind) {
      case 'capture':
        await this.provider.capture(idempotencyKey(orderId, 'capture'), decision.payment.capturedAmount);
        await this.payments.savePayment(tx, decision.payment);
        return createMessage('PaymentCaptured', { orderId, amount: captured(decision.payment) }, causation);
      case 'alreadyCaptured':
        return createMessage('PaymentCaptured', { orderId, amount: captured(decision.payment) }, causation);
      case 'compensatedBefore':
        this.logger.info({ orderId }, 'capture arrived after its compensation; nothing taken');
        return;
      default:
        return assertNever(decision);
    }
  }

  private async voidPayment(message: MessageOf<'VoidPayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const { orderId } = message.data;
    const existing = await this.payments.findPayment(tx, orderId);
    const decision = decideVoid(existing, orderId);
    switch (decision.kind) {
      case 'void':
        await this.provider.void(idempotencyKey(orderId, 'void'));
        await this.payments.savePayment(tx, decision.payment);
        break;
      case 'tombstone':
        await this.payments.savePayment(tx, decision.payment);
        break;
      case 'nothingToVoid':
        break;
      default:
        return assertNever(decision);
    }
    return createMessage('PaymentVoided', { orderId }, causation);
  }

  private async refund(message: MessageOf<'RefundPayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const { orderId } = message.data;
    const existing = await this.payments.findPayment(tx, orderId);
    const decision = decideRefund(existing, orderId);
    switch (decision.kind) {
      case 'refund':
        await this.provider.refund(idempotencyKey(orderId, 'refund'), decision.payment.refundedAmount);
        await this.payments.savePayment(tx, decision.payment);
        break;
      case 'voidInstead':
        await this.provider.void(idempotencyKey(orderId, 'void'));
        await this.payments.savePayment(tx, decision.payment);
        break;
      case 'tombstone':
        await this.payments.savePayment(tx, decision.payment);
        break;
      case 'nothingToRefund':
        break;
      default:
        return assertNever(decision);
    }
    const { refundedAmount, currency } = decision.payment;
    return createMessage('PaymentRefunded', { orderId, amount: { amount: refundedAmount, currency } }, causation);
  }
}

type PaymentCommandType = 'AuthorizePayment' | 'CapturePayment' | 'VoidPayment' | 'RefundPayment';

const captured = (payment: Payment) => ({ amount: payment.capturedAmount, currency: payment.currency });

function authorizationAnswer(payment: Payment, causation: Causation): Message {
  const { orderId } = payment;
  return payment.status === 'DECLINED'
    ? createMessage('PaymentDeclined', { orderId, reason: payment.declineReason ?? 'PAYMENT_DECLINED' }, causation)
    : createMessage('PaymentAuthorized', { orderId, amount: { amount: payment.authorizedAmount, currency: payment.currency } }, causation);
}

