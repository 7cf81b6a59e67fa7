import { Inject, Injectable } from '@nestjs/common';
import { createMessage, Topics, type Message, type MessageData } from '@shopfront/contracts';
import { enqueue, type OutgoingMessage } from '@shopfront/messaging';
import { activeTraceIds, type Logger } from '@shopfront/observability';
import type { Sql } from '@shopfront/postgres';
import { LOGGER } from '@shopfront/runtime';
import { decide, type Decision, type SagaInput } from '../domain/decide.js';
import { evolve, isTerminal, type Saga } from '../domain/saga.js';
import { sagaDuration, sagasCompleted, sagaTransitions } from './metrics.js';
import { SAGA_STORE, type LogEntry, type SagaStore } from './ports.js';
import { SAGA_SETTINGS, type SagaSettings } from './settings.js';

/** The consumed message behind an input; null for a deadline, which comes from the clock. */
export type Cause = Pick<Message, 'messageId' | 'type'> | null;

/**
 * Moves one saga by one input, in the caller's transaction: lock its row,
 * decide, then save the new state, its log and its outgoing commands and
 * timeline records together. The consumer's inbox row (or the poller's
 * claim) commits in the same transaction, so a crash anywhere repeats the
 * whole move or none of it.
 */
@Injectable()
export class AdvanceSaga {
  constructor(
    @Inject(SAGA_STORE) private readonly sagas: SagaStore,
    @Inject(SAGA_SETTINGS) private readonly settings: SagaSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async advance(tx: Sql, orderId: string, input: SagaInput, cause: Cause): Promise<Decision> {
    // Locked until the commit (domain/saga.ts says why that is the saga's one guard): no one can move it between read and write.
    const stored = await this.sagas.findSagaForUpdate(tx, orderId);
    const decision = decide(input, stored?.saga, { now: new Date(), random: Math.random(), policy: this.settings.policy });
    // The active span is the consumer's (continuing the message's trace) or the operator's request.
    const logged = { input: input.type, messageId: cause?.messageId ?? null, traceId: activeTraceIds().trace_id ?? null };
    if (decision.ignored !== undefined || !decision.state) {
      this.logger.info({ orderId, input: input.type, messageId: cause?.messageId, why: decision.ignored }, 'saga input ignored');
      if (stored) {
        const { status, phase } = stored.saga;
        await this.sagas.appendLog(tx, orderId, [{ ...logged, event: 'Ignored', detail: { why: decision.ignored }, status, phase, version: stored.version }]);
      }
      return decision;
    }
    const version = stored ? await this.sagas.updateSaga(tx, decision.state, stored.version) : await this.sagas.insertSaga(tx, decision.state);
    await this.sagas.appendLog(tx, orderId, logEntries(stored?.saga, decision, logged, version));
    await enqueue(tx, outgoing(orderId, decision, cause));
    this.measure(stored?.saga, decision);
    return decision;
  }

  /** Counted before the transaction commits: a rare rollback and retry counts twice, which metrics tolerate. */
  private measure(before: Saga | undefined, { state, events }: Decision): void {
    for (const event of events) sagaTransitions.inc({ event: event.type, step: 'step' in event ? event.step : '' });
    if (!state || !isTerminal(state) || state.status === before?.status) return;
    sagasCompleted.inc({ outcome: state.status, reason: state.reason ?? '' });
    sagaDuration.observe({ outcome: state.status }, (Date.now() - state.startedAt.getTime()) / 1000);
  }
}

/** One log row per event, each with the state it led to. */
function logEntries(before: Saga | undefined, decision: Decision, logged: Pick<LogEntry, 'input' | 'messageId' | 'traceId'>, version: number): LogEntry[] {
  let state = before;
  return decision.events.map((event) => {
    state = evolve(state, event);
    return { ...logged, event: event.type, detail: event, status: state.status, phase: state.phase, version };
  });
}

function outgoing(orderId: string, decision: Decision, cause: Cause): OutgoingMessage[] {
  const causation = { correlationId: orderId, causationId: cause?.messageId ?? null };
  const commands = decision.commands.map(
    (command): OutgoingMessage => ({ topic: command.topic, key: orderId, message: createMessage(command.type, command.data, causation) }),
  );
  const records = decision.records.map(
    (record): OutgoingMessage => ({
      topic: Topics.sagaEvents,
      key: orderId,
      message: createMessage('SagaStepRecorded', { orderId, ...record } satisfies MessageData<'SagaStepRecorded'>, causation),
    }),
  );
  return [...commands, ...records];
}
