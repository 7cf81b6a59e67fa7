import { z } from 'zod';
import { TokenizedCard } from './cards.js';
import { CancellationReason, Money, OrderLine, ShippingAddress } from './money.js';
import { OrderPlacedV1, OrderPlacedV2, OrderPlacedV3, retiredCard, upcastOrderPlacedV1, upcastOrderPlacedV2 } from './order-placed.js';
import { Topics } from './topics.js';
import { currentVersion, message, versioned, type MessageSpec } from './versioning.js';

const orderId = z.string().uuid();
const ByOrder = z.object({ orderId });
/** One line of the saga's timeline: a step (or `saga`, the whole) and what happened to it. */
const StepLine = z.object({
  step: z.string().min(1),
  phase: z.enum(['TRIED', 'SUCCEEDED', 'FAILED', 'COMPENSATING', 'COMPENSATED', 'TIMED_OUT', 'RETRIED']),
  detail: z.string().optional(),
});
const card = z.string().regex(/^\d{12,19}$/);

const orderEvent = { kind: 'event', topic: Topics.orderEvents, key: 'orderId', producer: 'order' } as const;
const command = (topic: MessageSpec['topic'], consumer: MessageSpec['producer']) =>
  ({ kind: 'command', topic, key: 'orderId', producer: 'orchestrator', consumers: [consumer] }) as const;
const reply = (producer: MessageSpec['producer']) =>
  ({ kind: 'reply', topic: Topics.sagaReplies, key: 'orderId', producer, consumers: ['orchestrator'] }) as const;

/**
 * Every message the platform exchanges: type literal → every published version of its data,
 * the upcasters between them, its topic, key, producer and consumers. One table, so producers,
 * consumers, the compatibility check and docs/asyncapi.yaml cannot drift apart.
 * A new version is appended with `.next(schema, upcaster?)`; a published one is never edited.
 */
export const messageCatalog = {
  // order.events
  OrderPlaced: message(
    { ...orderEvent, consumers: ['orchestrator'], summary: 'An order was accepted: the saga starts.' },
    versioned(OrderPlacedV1)
      .next(OrderPlacedV2, (v1) => upcastOrderPlacedV1(v1))
      // v3: the payment is a token sealed at the edge, never the number (ADR 0017).
      .next(OrderPlacedV3, (v2) => upcastOrderPlacedV2(v2)),
  ),
  OrderCancellationRequested: message({ ...orderEvent, consumers: ['orchestrator'], summary: 'The customer asked to cancel a pending order.' }, versioned(ByOrder)),
  OrderConfirmed: message({ ...orderEvent, consumers: ['inventory'], summary: 'The order is confirmed: inventory commits its reservation.' }, versioned(ByOrder)),
  OrderCancelled: message(
    { ...orderEvent, consumers: [], summary: 'The order ended cancelled, with the reason.' },
    versioned(ByOrder.extend({ reason: CancellationReason })),
  ),

  // order.commands
  ConfirmOrder: message({ ...command(Topics.orderCommands, 'order'), summary: 'Every saga step succeeded.' }, versioned(ByOrder)),
  CancelOrder: message(
    { ...command(Topics.orderCommands, 'order'), summary: 'The saga compensated: cancel with the reason.' },
    versioned(ByOrder.extend({ reason: CancellationReason })),
  ),

  // inventory.commands and their replies
  ReserveStock: message({ ...command(Topics.inventoryCommands, 'inventory'), summary: 'Reserve every line.' }, versioned(ByOrder.extend({ items: z.array(OrderLine).min(1) }))),
  ReleaseStock: message({ ...command(Topics.inventoryCommands, 'inventory'), summary: 'Compensation: release the reservation.' }, versioned(ByOrder)),
  StockReserved: message({ ...reply('inventory'), summary: 'Every line is reserved.' }, versioned(ByOrder)),
  StockReservationFailed: message(
    { ...reply('inventory'), summary: 'A line could not be reserved.' },
    versioned(ByOrder.extend({ reason: z.literal('OUT_OF_STOCK'), detail: z.string() })),
  ),
  StockReleased: message({ ...reply('inventory'), summary: 'The reservation is released (or there was none: a tombstone).' }, versioned(ByOrder)),

  // payment.commands and their replies
  AuthorizePayment: message(
    { ...command(Topics.paymentCommands, 'payment'), summary: 'Authorize the order total on the card.' },
    versioned(ByOrder.extend({ amount: Money, card }))
      // v2: a sealed token instead of the number (ADR 0017). Not forward compatible by design: a v1
      // payment service cannot read a token, so payment is upgraded before the orchestrator. A v1
      // command still in flight is read with a retired token and declined, never charged.
      .next(ByOrder.extend({ amount: Money, card: TokenizedCard }), (v1) => ({ ...v1, card: retiredCard(v1.card) }), { breaksForward: 'a v1 payment service cannot read a token; upgrade payment before the orchestrator (ADR 0017)' }),
  ),
  CapturePayment: message({ ...command(Topics.paymentCommands, 'payment'), summary: 'Capture the authorization.' }, versioned(ByOrder)),
  VoidPayment: message({ ...command(Topics.paymentCommands, 'payment'), summary: 'Compensation: void the authorization.' }, versioned(ByOrder)),
  RefundPayment: message({ ...command(Topics.paymentCommands, 'payment'), summary: 'Compensation: refund the capture.' }, versioned(ByOrder)),
  PaymentAuthorized: message({ ...reply('payment'), summary: 'The amount is authorized.' }, versioned(ByOrder.extend({ amount: Money }))),
  PaymentDeclined: message(
    { ...reply('payment'), summary: 'The provider declined the card.' },
    versioned(ByOrder.extend({ reason: z.enum(['PAYMENT_DECLINED', 'INSUFFICIENT_FUNDS']) })),
  ),
  PaymentCaptured: message({ ...reply('payment'), summary: 'The amount is captured.' }, versioned(ByOrder.extend({ amount: Money }))),
  PaymentVoided: message({ ...reply('payment'), summary: 'The authorization is voided (or a tombstone).' }, versioned(ByOrder)),
  PaymentRefunded: message({ ...reply('payment'), summary: 'The amount is refunded.' }, versioned(ByOrder.extend({ amount: Money }))),

  // shipping.commands and their replies
  ScheduleShipment: message(
    { ...command(Topics.shippingCommands, 'shipping'), summary: 'Schedule the shipment to the address.' },
    versioned(ByOrder.extend({ address: ShippingAddress, items: z.array(OrderLine).min(1) })),
  ),
  CancelShipment: message({ ...command(Topics.shippingCommands, 'shipping'), summary: 'Compensation: cancel the shipment.' }, versioned(ByOrder)),
  ShipmentScheduled: message({ ...reply('shipping'), summary: 'The shipment is scheduled.' }, versioned(ByOrder.extend({ shipmentId: z.string().uuid() }))),
  ShipmentFailed: message({ ...reply('shipping'), summary: 'No carrier serves the address.' }, versioned(ByOrder.extend({ reason: z.literal('SHIPPING_UNAVAILABLE') }))),
  ShipmentCancelled: message({ ...reply('shipping'), summary: 'The shipment is cancelled (or a tombstone).' }, versioned(ByOrder)),

  // saga.events
  SagaStepRecorded: message(
    { kind: 'event', topic: Topics.sagaEvents, key: 'orderId', producer: 'orchestrator', consumers: ['order'], summary: "What one move of the saga did, step by step, for the order's timeline." },
    versioned(ByOrder.extend(StepLine.shape))
      // v2: one message per move of the saga (an input and what follows it), its lines in order, instead
      // of one per line: a reply that ends one step and starts the next is one message, not two (issue 15).
      .next(ByOrder.extend({ steps: z.array(StepLine).min(1) }), ({ orderId, ...line }) => ({ orderId, steps: [line] })),
  ),

  // inventory.events
  StockChanged: message(
    { kind: 'event', topic: Topics.inventoryEvents, key: 'sku', producer: 'inventory', consumers: ['order'], summary: "A SKU's stock or price changed: the order service's catalog." },
    versioned(
      z.object({
        sku: z.string().min(1),
        name: z.string().min(1),
        price: Money,
        onHand: z.number().int().nonnegative(),
        reserved: z.number().int().nonnegative(),
        available: z.number().int(),
      }),
    ),
  ),
} as const satisfies Record<string, MessageSpec>;

type Catalog = typeof messageCatalog;
export type MessageType = keyof Catalog;
export type MessageData<T extends MessageType> = z.infer<Catalog[T]['history']['current']>;

/** The current version of every type: what producers write (`createMessage`) and consumers decide on. */
export const messageSchemas = Object.fromEntries(
  Object.entries(messageCatalog).map(([type, spec]) => [type, { version: currentVersion(spec), data: spec.history.current }]),
) as { [T in MessageType]: { version: number; data: Catalog[T]['history']['current'] } };

export const isMessageType = (type: string): type is MessageType =>
  Object.prototype.hasOwnProperty.call(messageCatalog, type);
