import { Topics, type CancellationReason, type MessageData, type Money, type PricedLine, type ShippingAddress, type TokenizedCard, type Topic } from '@shopfront/contracts';
import { OrchestratorError } from './errors.js';

/*
 * The order saga as data: the commands it sends and the replies it awaits,
 * its steps and their compensations, its state, and the events `evolve`
 * folds into that state. How an input moves it: decide.ts.
 *
 * Concurrency: one guard, the saga's row lock (SELECT … FOR UPDATE, to the commit): it serialises every move, and the
 * deadline poller's SKIP LOCKED leans on it. A saga not yet created has no row to lock: there its primary key decides.
 */

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

/** Where the saga is headed: forward, back, or done one way or the other. */
export type SagaStatus = 'RUNNING' | 'COMPENSATING' | 'CONFIRMED' | 'CANCELLED';
/** What the current step waits for: its action's reply, its compensation's reply, or nothing. */
export type SagaPhase = 'ACTION' | 'COMPENSATION' | 'NONE';

export const terminalStatuses: readonly SagaStatus[] = ['CONFIRMED', 'CANCELLED'];

/** What the commands need from OrderPlaced, kept with the saga so a retry can rebuild them. */
export interface SagaData {
  clientId: string;
  customerId: string;
  items: PricedLine[];
  total: Money;
  /** The payment service's token for the card (never the number); null once no longer needed. */
  card: TokenizedCard | null;
  address: ShippingAddress;
}

export interface Saga {
  orderId: string;
  status: SagaStatus;
  phase: SagaPhase;
  /** Index in sagaSteps of the step in flight (or the last one that was). */
  stepIndex: number;
  /** Steps whose effect is, or may be, in place, in the order they ran: what a failure compensates. */
  stepsDone: StepName[];
  reason: CancellationReason | null;
  /** How many times the current command was sent. */
  attempt: number;
  /** When the current command counts as unanswered; null when nothing is awaited. */
  deadlineAt: Date | null;
  startedAt: Date;
  data: SagaData;
}

/** What happened to a saga: the facts `evolve` folds into its state and the log records. */
export type SagaEvent =
  | { type: 'SagaStarted'; orderId: string; data: SagaData; at: Date }
  | { type: 'StepTried'; step: StepName; deadlineAt: Date }
  | { type: 'StepSucceeded'; step: StepName }
  | { type: 'StepFailed'; step: StepName; reason: CancellationReason }
  | { type: 'StepTimedOut'; step: StepName; attempts: number }
  | { type: 'StepRetried'; step: StepName; phase: 'ACTION' | 'COMPENSATION'; attempt: number; deadlineAt: Date }
  | { type: 'CancellationRequested'; reason: 'CUSTOMER_CANCELLED' }
  | { type: 'CompensationStarted'; step: StepName; deadlineAt: Date }
  | { type: 'StepCompensated'; step: StepName }
  | { type: 'SagaConfirmed' }
  | { type: 'SagaCancelled'; reason: CancellationReason }
  /** The order service still saw the order PENDING after the saga ended: its outcome was lost on the way. */
  | { type: 'OutcomeResent' };

export const isTerminal = (saga: Saga): boolean => terminalStatuses.includes(saga.status);

/** Applies one event to the saga's state. Pure; knows nothing of commands or time. */
export function evolve(saga: Saga | undefined, event: SagaEvent): Saga {
  if (event.type === 'SagaStarted') {
    if (saga) throw new OrchestratorError('INVALID_TRANSITION', `saga ${saga.orderId} already started`);
    return {
      orderId: event.orderId,
      status: 'RUNNING',
      phase: 'NONE',
      stepIndex: 0,
      stepsDone: [],
      reason: null,
      attempt: 0,
      deadlineAt: null,
      startedAt: event.at,
      data: event.data,
    };
  }
  if (!saga) throw new OrchestratorError('INVALID_TRANSITION', `${event.type} before the saga started`);
  const idle = { phase: 'NONE', attempt: 0, deadlineAt: null } as const;
  switch (event.type) {
    case 'StepTried':
      return { ...saga, phase: 'ACTION', stepIndex: stepIndexOf(event.step), attempt: 1, deadlineAt: event.deadlineAt };
    case 'StepSucceeded':
      return leaving(event.step, { ...saga, ...idle, stepsDone: [...saga.stepsDone, event.step] });
    case 'StepFailed':
      return leaving(event.step, { ...saga, ...idle, status: 'COMPENSATING', reason: saga.reason ?? event.reason });
    case 'StepTimedOut':
      // Unanswered is not undone: the step may have taken effect, so it is compensated like a done one.
      return leaving(event.step, { ...saga, ...idle, status: 'COMPENSATING', reason: saga.reason ?? 'TIMEOUT', stepsDone: [...saga.stepsDone, event.step] });
    case 'StepRetried':
      return { ...saga, attempt: event.attempt, deadlineAt: event.deadlineAt };
    case 'CancellationRequested':
      return { ...saga, status: 'COMPENSATING', reason: saga.reason ?? event.reason };
    case 'CompensationStarted':
      return { ...saga, phase: 'COMPENSATION', stepIndex: stepIndexOf(event.step), attempt: 1, deadlineAt: event.deadlineAt };
    case 'StepCompensated':
      return { ...saga, ...idle, stepsDone: saga.stepsDone.filter((step) => step !== event.step) };
    case 'SagaConfirmed':
      return { ...saga, ...idle, status: 'CONFIRMED', data: { ...saga.data, card: null } };
    case 'SagaCancelled':
      return { ...saga, ...idle, status: 'CANCELLED', reason: event.reason, data: { ...saga.data, card: null } };
    case 'OutcomeResent':
      return saga;
    default:
      return assertNoEvent(event);
  }
}

/** Once the payment step answered (or gave up), the card number is never needed again: forget it. */
const leaving = (step: StepName, saga: Saga): Saga => (step === 'authorizePayment' ? { ...saga, data: { ...saga.data, card: null } } : saga);

/** Ends every switch over saga events: a new event type that is not handled fails to compile. */
export function assertNoEvent(event: never): never {
  throw new OrchestratorError('INVALID_TRANSITION', `unknown saga event ${JSON.stringify(event)}`);
}
