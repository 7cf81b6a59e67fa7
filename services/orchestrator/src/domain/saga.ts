import type { CancellationReason, Money, PricedLine, ShippingAddress, TokenizedCard } from '@shopfront/contracts';
import { OrchestratorError } from './errors.js';
import { stepIndexOf, type StepName } from './steps.js';

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
