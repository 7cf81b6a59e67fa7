import { Topics, type MessageData, type TokenizedCard, type Topic } from '@shopfront/contracts';
import { OrchestratorError } from './errors.js';
import type { SagaData } from './saga.js';

/** Commands the orchestrator sends: participants' actions and compensations, and the order's outcome. */
export type CommandType =
  | 'ReserveStock'
  | 'ReleaseStock'
  | 'AuthorizePayment'
  | 'VoidPayment'
  | 'CapturePayment'
  | 'RefundPayment'
  | 'ScheduleShipment'
  | 'CancelShipment'
  | 'ConfirmOrder'
  | 'CancelOrder';

/** Replies participants send on saga.replies. */
export type ReplyType =
  | 'StockReserved'
  | 'StockReservationFailed'
  | 'StockReleased'
  | 'PaymentAuthorized'
  | 'PaymentDeclined'
  | 'PaymentCaptured'
  | 'PaymentVoided'
  | 'PaymentRefunded'
  | 'ShipmentScheduled'
  | 'ShipmentFailed'
  | 'ShipmentCancelled';

/** The replies that say a step could not be done; each carries the order's cancellation reason. */
export type FailureReplyType = 'StockReservationFailed' | 'PaymentDeclined' | 'ShipmentFailed';

export type SagaCommand = { [T in CommandType]: { type: T; topic: Topic; data: MessageData<T> } }[CommandType];

export type StepName = 'reserveStock' | 'authorizePayment' | 'scheduleShipment' | 'capturePayment';

/** What a step's command is built from: the saga's order and what it remembered of OrderPlaced. */
export interface StepContext {
  orderId: string;
  data: SagaData;
}

export interface SagaStep {
  name: StepName;
  /** Doing the step. Re-sent as is when its deadline passes: participants are idempotent per order. */
  action: (saga: StepContext) => SagaCommand;
  succeeded: ReplyType;
  /** The reply that says the step could not be done; null when it cannot fail. */
  failed: FailureReplyType | null;
  /** Undoing the step. Always answered, even when the action never ran (a tombstone). */
  compensation: (saga: StepContext) => SagaCommand;
  compensated: ReplyType;
}

const command = <T extends CommandType>(type: T, topic: Topic, data: MessageData<T>) => ({ type, topic, data }) as SagaCommand;

/**
 * The order saga, once: its steps in the order they run, and for each the
 * compensation that undoes it. A failure compensates the steps already done
 * in reverse order, one at a time.
 */
export const sagaSteps: readonly SagaStep[] = [
  {
    name: 'reserveStock',
    action: ({ orderId, data }) =>
      command('ReserveStock', Topics.inventoryCommands, { orderId, items: data.items.map(({ sku, quantity }) => ({ sku, quantity })) }),
    succeeded: 'StockReserved',
    failed: 'StockReservationFailed', // OUT_OF_STOCK
    compensation: ({ orderId }) => command('ReleaseStock', Topics.inventoryCommands, { orderId }),
    compensated: 'StockReleased',
  },
  {
    name: 'authorizePayment',
    action: ({ orderId, data }) => command('AuthorizePayment', Topics.paymentCommands, { orderId, amount: data.total, card: cardOf(data) }),
    succeeded: 'PaymentAuthorized',
    failed: 'PaymentDeclined', // PAYMENT_DECLINED | INSUFFICIENT_FUNDS
    compensation: ({ orderId }) => command('VoidPayment', Topics.paymentCommands, { orderId }),
    compensated: 'PaymentVoided',
  },
  {
    name: 'scheduleShipment',
    action: ({ orderId, data }) =>
      command('ScheduleShipment', Topics.shippingCommands, {
        orderId,
        address: data.address,
        items: data.items.map(({ sku, quantity }) => ({ sku, quantity })),
      }),
    succeeded: 'ShipmentScheduled',
    failed: 'ShipmentFailed', // SHIPPING_UNAVAILABLE
    compensation: ({ orderId }) => command('CancelShipment', Topics.shippingCommands, { orderId }),
    compensated: 'ShipmentCancelled',
  },
  {
    name: 'capturePayment',
    action: ({ orderId }) => command('CapturePayment', Topics.paymentCommands, { orderId }),
    succeeded: 'PaymentCaptured',
    failed: null,
    compensation: ({ orderId }) => command('RefundPayment', Topics.paymentCommands, { orderId }),
    compensated: 'PaymentRefunded',
  },
];

/** When every step succeeded. */
export const confirmOrder = ({ orderId }: StepContext): SagaCommand => command('ConfirmOrder', Topics.orderCommands, { orderId });

/** After every step done was compensated. */
export const cancelOrder = ({ orderId }: StepContext, reason: MessageData<'CancelOrder'>['reason']): SagaCommand =>
  command('CancelOrder', Topics.orderCommands, { orderId, reason });

export const stepNamed = (name: StepName): SagaStep => sagaSteps.find((step) => step.name === name)!;
export const stepIndexOf = (name: StepName): number => sagaSteps.findIndex((step) => step.name === name);

function cardOf(data: SagaData): TokenizedCard {
  // Forgotten once the payment step is behind the saga, when nothing can send AuthorizePayment again.
  if (data.card === null) throw new OrchestratorError('INVALID_TRANSITION', 'the card was already forgotten: AuthorizePayment cannot be sent again');
  return data.card;
}
