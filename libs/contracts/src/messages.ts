import { z } from 'zod';
import { TokenizedCard } from './cards.js';
import { CancellationReason, Money, OrderLine, PricedLine, ShippingAddress } from './money.js';

const orderId = z.string().uuid();
const ByOrder = z.object({ orderId });

/**
 * Every message the platform exchanges: type literal → current schema version
 * and data shape. One table, so producers and consumers cannot drift apart.
 */
export const messageSchemas = {
  // order.events
  OrderPlaced: {
    // v3: the payment is a token from the payment service's vault, never the number (ADR 0015).
    version: 3,
    data: z.object({
      orderId,
      clientId: z.string().min(1),
      customerId: z.string().min(1),
      items: z.array(PricedLine).min(1).max(100),
      total: Money,
      payment: TokenizedCard,
      shippingAddress: ShippingAddress,
    }),
  },
  OrderCancellationRequested: { version: 1, data: ByOrder },
  OrderConfirmed: { version: 1, data: ByOrder },
  OrderCancelled: { version: 1, data: ByOrder.extend({ reason: CancellationReason }) },

  // order.commands
  ConfirmOrder: { version: 1, data: ByOrder },
  CancelOrder: { version: 1, data: ByOrder.extend({ reason: CancellationReason }) },

  // inventory.commands and their replies
  ReserveStock: { version: 1, data: ByOrder.extend({ items: z.array(OrderLine).min(1) }) },
  ReleaseStock: { version: 1, data: ByOrder },
  StockReserved: { version: 1, data: ByOrder },
  StockReservationFailed: {
    version: 1,
    data: ByOrder.extend({ reason: z.literal('OUT_OF_STOCK'), detail: z.string() }),
  },
  StockReleased: { version: 1, data: ByOrder },

  // payment.commands and their replies
  AuthorizePayment: {
    version: 2,
    data: ByOrder.extend({ amount: Money, card: TokenizedCard }),
  },
  CapturePayment: { version: 1, data: ByOrder },
  VoidPayment: { version: 1, data: ByOrder },
  RefundPayment: { version: 1, data: ByOrder },
  PaymentAuthorized: { version: 1, data: ByOrder.extend({ amount: Money }) },
  PaymentDeclined: {
    version: 1,
    data: ByOrder.extend({ reason: z.enum(['PAYMENT_DECLINED', 'INSUFFICIENT_FUNDS']) }),
  },
  PaymentCaptured: { version: 1, data: ByOrder.extend({ amount: Money }) },
  PaymentVoided: { version: 1, data: ByOrder },
  PaymentRefunded: { version: 1, data: ByOrder.extend({ amount: Money }) },

  // shipping.commands and their replies
  ScheduleShipment: {
    version: 1,
    data: ByOrder.extend({ address: ShippingAddress, items: z.array(OrderLine).min(1) }),
  },
  CancelShipment: { version: 1, data: ByOrder },
  ShipmentScheduled: { version: 1, data: ByOrder.extend({ shipmentId: z.string().uuid() }) },
  ShipmentFailed: { version: 1, data: ByOrder.extend({ reason: z.literal('SHIPPING_UNAVAILABLE') }) },
  ShipmentCancelled: { version: 1, data: ByOrder },

  // saga.events
  SagaStepRecorded: {
    version: 1,
    data: ByOrder.extend({
      step: z.string().min(1),
      phase: z.enum(['TRIED', 'SUCCEEDED', 'FAILED', 'COMPENSATING', 'COMPENSATED', 'TIMED_OUT', 'RETRIED']),
      detail: z.string().optional(),
    }),
  },

  // inventory.events
  StockChanged: {
    version: 1,
    data: z.object({
      sku: z.string().min(1),
      name: z.string().min(1),
      price: Money,
      onHand: z.number().int().nonnegative(),
      reserved: z.number().int().nonnegative(),
      available: z.number().int(),
    }),
  },
} as const satisfies Record<string, { version: number; data: z.ZodType }>;

export type MessageType = keyof typeof messageSchemas;
export type MessageData<T extends MessageType> = z.infer<(typeof messageSchemas)[T]['data']>;

export const isMessageType = (type: string): type is MessageType =>
  Object.prototype.hasOwnProperty.call(messageSchemas, type);
