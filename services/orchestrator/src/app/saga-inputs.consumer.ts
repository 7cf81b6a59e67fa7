import { Inject, Injectable } from '@nestjs/common';
import { createMessage, Topics, type Message, type MessageData } from '@shopfront/contracts';
import { enqueue, type OutgoingMessage } from '@shopfront/messaging';
import { activeTraceIds, type Logger } from '@shopfront/observability';
import type { Sql } from '@shopfront/postgres';
import { byType, Consumer, LOGGER, type MessageHandlerProvider, type MessageOf, type TypeRoutes } from '@shopfront/runtime';
import type pg from 'pg';
import { decide, type Decision, type SagaInput } from '../domain/decide.js';
import { evolve, isTerminal, type ReplyType, type Saga } from '../domain/saga.js';
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
  if (decision.records.length === 0) return commands;
  // One message for the whole move, its lines in order: the timeline's readers take them together.
  const recorded = createMessage('SagaStepRecorded', { orderId, steps: decision.records } satisfies MessageData<'SagaStepRecorded'>, causation);
  return [...commands, { topic: Topics.sagaEvents, key: orderId, message: recorded }];
}

/*
 * The saga's inputs from Kafka, as two consumers (two groups, two inboxes):
 * the order's events and the participants' replies. Both move sagas batch by
 * batch in the same way, through AdvanceSaga above, which also serves the
 * deadline poller and the operator, which have no batches.
 */

/**
 * Every saga a batch names is locked and read once before its first message
 * and written once after its last.
 */
abstract class SagaInputConsumer implements MessageHandlerProvider {
  abstract readonly on: TypeRoutes;

  constructor(
    @Inject(AdvanceSaga) private readonly saga: AdvanceSaga,
    @Inject(SAGA_STORE) private readonly sagas: SagaStore,
  ) {}

  /** Each input moves the saga of its order (or is logged as ignored, a stale or duplicate one). */
  protected async advance(message: MessageOf<'OrderPlaced' | 'OrderCancellationRequested' | ReplyType>, tx: pg.PoolClient): Promise<void> {
    await this.saga.advance(tx, message.data.orderId, message, message);
  }

  openBatch(messages: Message[], tx: pg.PoolClient): Promise<void> {
    return this.sagas.lockSagasOfBatch(tx, messages.filter((message) => this.on.handles.includes(message.type)).map((message) => (message.data as { orderId: string }).orderId));
  }

  /** Held until the batch's end, so the sagas go with its log and outbox rows; a saga started concurrently (a rebalance under way) fails it as transient. */
  closeBatch(tx: pg.PoolClient): Promise<void> {
    return this.sagas.writeSagasOfBatch(tx);
  }
}

/** `orchestrator.order-events`: starts a saga on OrderPlaced and cancels it on the customer's request. */
@Injectable()
@Consumer({ name: 'orchestrator.order-events', topics: [Topics.orderEvents] })
export class OrderEventsConsumer extends SagaInputConsumer {
  /** The order events that move a saga; OrderConfirmed and OrderCancelled are its own outcomes coming back. */
  readonly on = byType<'OrderPlaced' | 'OrderCancellationRequested'>({
    OrderPlaced: (message, tx) => this.advance(message, tx),
    OrderCancellationRequested: (message, tx) => this.advance(message, tx),
  });
}

/** `orchestrator.replies`: every participant's answer moves the saga it belongs to (or is ignored as stale). */
@Injectable()
@Consumer({ name: 'orchestrator.replies', topics: [Topics.sagaReplies] })
export class SagaRepliesConsumer extends SagaInputConsumer {
  /** Every reply some step waits for (ReplyType): each one advances its saga. */
  readonly on = byType<ReplyType>({
    StockReserved: (message, tx) => this.advance(message, tx),
    StockReservationFailed: (message, tx) => this.advance(message, tx),
    StockReleased: (message, tx) => this.advance(message, tx),
    PaymentAuthorized: (message, tx) => this.advance(message, tx),
    PaymentDeclined: (message, tx) => this.advance(message, tx),
    PaymentCaptured: (message, tx) => this.advance(message, tx),
    PaymentVoided: (message, tx) => this.advance(message, tx),
    PaymentRefunded: (message, tx) => this.advance(message, tx),
    ShipmentScheduled: (message, tx) => this.advance(message, tx),
    ShipmentFailed: (message, tx) => this.advance(message, tx),
    ShipmentCancelled: (message, tx) => this.advance(message, tx),
  });
}
