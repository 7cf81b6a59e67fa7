import type { MessageData } from '@shopfront/contracts';
import { OrchestratorError } from './errors.js';
import { assertNoEvent, type Saga, type SagaEvent } from './saga.js';
import { cancelOrder, confirmOrder, sagaSteps, stepNamed, type SagaCommand } from './steps.js';

/** A SagaStepRecorded without its orderId: one line of the order's timeline. */
export type StepRecord = Omit<MessageData<'SagaStepRecorded'>, 'orderId'>;

/** Records about the saga as a whole, rather than one of its steps, use this step name. */
export const wholeSaga = 'saga';

/** The command an event sends, if any, built from the saga's state right after the event. */
export function commandFor(event: SagaEvent, saga: Saga): SagaCommand | undefined {
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
export function recordFor(event: SagaEvent, saga: Saga, sent: SagaCommand | undefined): StepRecord | undefined {
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
