import { assertNever, type CancellationReason, type MessageData } from '@shopfront/contracts';
import { deadlineFor, type DeadlinePolicy } from './deadlines.js';
import { OrchestratorError } from './errors.js';
import { assertNoEvent, cancelOrder, confirmOrder, evolve, isTerminal, sagaSteps, stepNamed, type ReplyType, type Saga, type SagaCommand, type SagaEvent } from './saga.js';

export type ReplyInput = { [T in ReplyType]: { type: T; data: MessageData<T> } }[ReplyType];

/** What moves a saga: the order's events, participants' replies, and the clock. */
export type SagaInput =
  | { type: 'OrderPlaced'; data: MessageData<'OrderPlaced'> }
  | { type: 'OrderCancellationRequested'; data: MessageData<'OrderCancellationRequested'> }
  | ReplyInput
  | { type: 'DeadlineExpired' };

export interface DecisionContext {
  now: Date;
  /** In [0, 1): the jitter of any deadline this decision sets. */
  random: number;
  policy: DeadlinePolicy;
}

export interface Decision {
  /** The saga after the input; the same object when the input was ignored. */
  state: Saga | undefined;
  events: SagaEvent[];
  /** To send, in this order, in the transaction that saves `state`. */
  commands: SagaCommand[];
  records: StepRecord[];
  /** Why nothing changed: a duplicate, a stale reply, a deadline not yet due. */
  ignored?: string;
}

/**
 * The saga's one decision function, emmett's argument order: given an input and the state, what
 * happens, what state follows, which commands go out and what the timeline
 * records. After reacting to the input the saga keeps moving until it waits
 * for a reply (one command in flight at a time) or has ended.
 */
export function decide(input: SagaInput, saga: Saga | undefined, context: DecisionContext): Decision {
  const reaction = react(saga, input, context);
  if (typeof reaction === 'string') return { state: saga, events: [], commands: [], records: [], ignored: reaction };
  const decision: Decision = { state: saga, events: [], commands: [], records: [] };
  const apply = (event: SagaEvent) => {
    const state = evolve(decision.state, event);
    const command = commandFor(event, state);
    const record = recordFor(event, state, command);
    decision.state = state;
    decision.events.push(event);
    if (command) decision.commands.push(command);
    if (record) decision.records.push(record);
  };
  reaction.forEach(apply);
  const next = proceed(decision.state!, context);
  if (next) apply(next);
  return decision;
}

/** The events an input causes, or why it causes none. */
function react(saga: Saga | undefined, input: SagaInput, context: DecisionContext): SagaEvent[] | string {
  switch (input.type) {
    case 'OrderPlaced':
      return placedAgain(saga, input.data, context.now);
    case 'OrderCancellationRequested':
      return cancel(saga);
    case 'DeadlineExpired':
      return expire(saga, context);
    case 'StockReserved':
    case 'StockReservationFailed':
    case 'StockReleased':
    case 'PaymentAuthorized':
    case 'PaymentDeclined':
    case 'PaymentCaptured':
    case 'PaymentVoided':
    case 'PaymentRefunded':
    case 'ShipmentScheduled':
    case 'ShipmentFailed':
    case 'ShipmentCancelled':
      return answer(saga, input);
    default:
      return assertNever(input);
  }
}

function started(order: MessageData<'OrderPlaced'>, now: Date): SagaEvent {
  const { orderId, clientId, customerId, items, total, payment, shippingAddress } = order;
  return { type: 'SagaStarted', orderId, at: now, data: { clientId, customerId, items, total, card: payment, address: shippingAddress } };
}

/**
 * The order service re-announces an order that stays PENDING (a message lost
 * with a broker's data, say) under a new message id. No saga: start it. A saga
 * that ended: its ConfirmOrder or CancelOrder never arrived, so send it again
 * (the order service applies either once). A saga still running is on its way.
 */
function placedAgain(saga: Saga | undefined, order: MessageData<'OrderPlaced'>, now: Date): SagaEvent[] | string {
  if (!saga) return [started(order, now)];
  if (isTerminal(saga)) return [{ type: 'OutcomeResent' }];
  return 'the saga already started: a duplicate OrderPlaced';
}

/** A customer's cancellation: waits for a step in flight, and undoes even a confirmed order. */
function cancel(saga: Saga | undefined): SagaEvent[] | string {
  if (!saga) return 'no saga for this order';
  switch (saga.status) {
    case 'RUNNING':
    case 'CONFIRMED':
      return [{ type: 'CancellationRequested', reason: 'CUSTOMER_CANCELLED' }];
    case 'COMPENSATING':
      return `already compensating (${saga.reason})`;
    case 'CANCELLED':
      return 'already cancelled';
    default:
      return assertNever(saga.status);
  }
}

/** Only a reply to the command in flight moves the saga; anything else is a duplicate or arrived late. */
function answer(saga: Saga | undefined, reply: ReplyInput): SagaEvent[] | string {
  if (!saga) return 'no saga for this order';
  const step = sagaSteps[saga.stepIndex]!;
  if (saga.phase === 'ACTION' && reply.type === step.succeeded) return [{ type: 'StepSucceeded', step: step.name }];
  if (saga.phase === 'ACTION' && reply.type === step.failed) return [{ type: 'StepFailed', step: step.name, reason: failureReason(reply)! }];
  if (saga.phase === 'COMPENSATION' && reply.type === step.compensated) return [{ type: 'StepCompensated', step: step.name }];
  const awaited = { ACTION: [step.succeeded, step.failed].filter(Boolean).join(' or '), COMPENSATION: step.compensated, NONE: 'nothing' }[saga.phase];
  return `stale ${reply.type}: the saga is ${saga.status} and awaits ${awaited}`;
}

function failureReason(reply: ReplyInput): CancellationReason | undefined {
  switch (reply.type) {
    case 'StockReservationFailed':
    case 'PaymentDeclined':
    case 'ShipmentFailed':
      return reply.data.reason;
    default:
      return undefined;
  }
}

/**
 * An unanswered command. An action is sent again up to the policy's attempts,
 * then given up (TIMEOUT) and compensated like a done step; while cancelling,
 * it is given up at once rather than pushed again. A compensation is sent
 * again for as long as it takes: undoing must eventually complete.
 */
function expire(saga: Saga | undefined, { now, random, policy }: DecisionContext): SagaEvent[] | string {
  if (!saga || saga.deadlineAt === null || saga.deadlineAt > now) return 'no deadline has passed';
  const step = sagaSteps[saga.stepIndex]!.name;
  const retried = (phase: 'ACTION' | 'COMPENSATION'): SagaEvent => ({
    type: 'StepRetried',
    step,
    phase,
    attempt: saga.attempt + 1,
    deadlineAt: deadlineFor(policy, now, saga.attempt + 1, random),
  });
  switch (saga.phase) {
    case 'COMPENSATION':
      return [retried('COMPENSATION')];
    case 'ACTION':
      if (saga.status === 'RUNNING' && saga.attempt < policy.maxAttempts) return [retried('ACTION')];
      return [{ type: 'StepTimedOut', step, attempts: saga.attempt }];
    case 'NONE':
      return 'nothing awaited';
    default:
      return assertNever(saga.phase);
  }
}

/** What the saga does next once nothing is in flight: the next step, the next compensation, or its end. */
function proceed(saga: Saga, { now, random, policy }: DecisionContext): SagaEvent | undefined {
  if (saga.phase !== 'NONE' || isTerminal(saga)) return undefined;
  const deadlineAt = deadlineFor(policy, now, 1, random);
  if (saga.status === 'RUNNING') {
    const next = sagaSteps[saga.stepsDone.length];
    return next ? { type: 'StepTried', step: next.name, deadlineAt } : { type: 'SagaConfirmed' };
  }
  const last = saga.stepsDone.at(-1);
  if (last) return { type: 'CompensationStarted', step: last, deadlineAt };
  if (!saga.reason) throw new OrchestratorError('INVALID_TRANSITION', `saga ${saga.orderId} compensated without a reason`);
  return { type: 'SagaCancelled', reason: saga.reason };
}

/** One line of the order's timeline; a decision's lines travel together in one SagaStepRecorded. */
export type StepRecord = MessageData<'SagaStepRecorded'>['steps'][number];

/** Records about the saga as a whole, rather than one of its steps, use this step name. */
const wholeSaga = 'saga';

/** The command an event sends, if any, built from the saga's state right after the event. */
function commandFor(event: SagaEvent, saga: Saga): SagaCommand | undefined {
  switch (event.type) {
    case 'StepTried':
      return stepNamed(event.step).action(saga);
    case 'StepRetried':
      return event.phase === 'ACTION' ? stepNamed(event.step).action(saga) : stepNamed(event.step).compensation(saga);
    case 'CompensationStarted':
      return stepNamed(event.step).compensation(saga);
    case 'SagaConfirmed':
      return confirmOrder(saga);
    case 'SagaCancelled':
      return cancelOrder(saga, event.reason);
    case 'OutcomeResent':
      return outcomeOf(saga);
    case 'SagaStarted':
    case 'StepSucceeded':
    case 'StepFailed':
    case 'StepTimedOut':
    case 'CancellationRequested':
    case 'StepCompensated':
      return undefined;
    default:
      return assertNoEvent(event);
  }
}

/** The timeline line an event makes; every transition makes one but the saga's creation. */
function recordFor(event: SagaEvent, saga: Saga, sent: SagaCommand | undefined): StepRecord | undefined {
  switch (event.type) {
    case 'SagaStarted':
      return undefined; // OrderPlaced is already on the timeline; the first StepTried follows at once
    case 'StepTried':
      return { step: event.step, phase: 'TRIED', detail: `${sent?.type} sent` };
    case 'StepSucceeded':
      return { step: event.step, phase: 'SUCCEEDED', detail: stepNamed(event.step).succeeded };
    case 'StepFailed':
      return { step: event.step, phase: 'FAILED', detail: `${stepNamed(event.step).failed}: ${event.reason}` };
    case 'StepTimedOut':
      return { step: event.step, phase: 'TIMED_OUT', detail: `no answer after ${event.attempts} attempt(s); compensating in case it took effect` };
    case 'StepRetried':
      return { step: event.step, phase: 'RETRIED', detail: `${sent?.type} sent again, attempt ${event.attempt}` };
    case 'CancellationRequested':
      return {
        step: wholeSaga,
        phase: 'COMPENSATING',
        detail: saga.phase === 'ACTION' ? `the customer cancelled; waiting for ${stepOf(saga)} to answer first` : 'the customer cancelled',
      };
    case 'CompensationStarted':
      return { step: event.step, phase: 'COMPENSATING', detail: `${sent?.type} sent` };
    case 'StepCompensated':
      return { step: event.step, phase: 'COMPENSATED', detail: stepNamed(event.step).compensated };
    case 'SagaConfirmed':
      return { step: wholeSaga, phase: 'SUCCEEDED', detail: 'every step succeeded; ConfirmOrder sent' };
    case 'SagaCancelled':
      return { step: wholeSaga, phase: 'COMPENSATED', detail: `${event.reason}: every step done is undone; CancelOrder sent` };
    case 'OutcomeResent':
      return { step: wholeSaga, phase: 'RETRIED', detail: `the order was still PENDING after the saga ended; ${sent?.type} sent again` };
    default:
      return assertNoEvent(event);
  }
}

/** What an ended saga told the order service. */
function outcomeOf(saga: Saga): SagaCommand {
  if (saga.status === 'CONFIRMED') return confirmOrder(saga);
  if (saga.status === 'CANCELLED' && saga.reason) return cancelOrder(saga, saga.reason);
  throw new OrchestratorError('INVALID_TRANSITION', `saga ${saga.orderId} is ${saga.status}: it has no outcome to send again`);
}

const stepOf = (saga: Saga) => sagaSteps[saga.stepIndex]!.name;
