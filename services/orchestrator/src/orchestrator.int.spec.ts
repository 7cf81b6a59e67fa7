/**
 * The orchestrator's Nest application on real Postgres and Kafka, driven the
 * way the platform drives it: OrderPlaced on order.events, and a scripted
 * participant answering the commands it reads from the command topics.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { createMessage, Topics } from '@shopfront/contracts';
import { startHttpService } from '@shopfront/http';
import { messagingMigrations, prefixed, RecordPublisher } from '@shopfront/messaging';
import { createLogger } from '@shopfront/observability';
import { readMigrations } from '@shopfront/postgres';
import { anOrderPlaced, callService, eventually, freshDatabase, kafkaTopics, testKafkaBrokers, type TestDatabase, type TestKafka } from '@shopfront/testing';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadOrchestratorConfig } from './config.js';
import { OrchestratorModule } from './orchestrator.module.js';
import { answerLikeAParticipant, replyTo, ScriptedParticipant, type Script } from './test/participants.js';

const stepTimeoutMs = 2_000;
const forever = { timeoutMs: 40_000, intervalMs: 100 };

let db: TestDatabase;
let kafka: TestKafka;
let publisher: RecordPublisher;
let participant: ScriptedParticipant;
let app: INestApplication | undefined;

async function startOrchestrator(): Promise<INestApplication> {
  const config = loadOrchestratorConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    STEP_TIMEOUT_MS: String(stepTimeoutMs),
    STEP_MAX_ATTEMPTS: '3',
    STEP_BACKOFF_CAP_MS: '4000',
    DEADLINE_POLL_MS: '100',
    CHAOS_ENABLED: 'false',
  });
  const logger = createLogger('orchestrator', process.env.LOG_LEVEL ?? 'warn');
  const started = await startHttpService(OrchestratorModule.register(config, logger), { name: 'orchestrator', port: 0, host: '127.0.0.1', logger, chaosEnabled: false, access: { kind: 'internal', secret: config.INTERNAL_AUTH_SECRET } });
  const url = await started.getUrl();
  await eventually(async () => (await fetch(`${url}/health/ready`)).ok, { what: 'orchestrator ready', timeoutMs: 30_000, intervalMs: 200 });
  return started;
}

before(async () => {
  const migrations = await readMigrations(fileURLToPath(new URL('../migrations', import.meta.url)));
  db = await freshDatabase('orchestrator', [...messagingMigrations, ...migrations]);
  kafka = await kafkaTopics('orchestrator');
  publisher = new RecordPublisher(kafka.kafka);
  await publisher.connect();
  participant = new ScriptedParticipant(kafka.kafka, kafka.topicPrefix);
  await participant.start();
  app = await startOrchestrator();
});

after(async () => {
  await app?.close();
  await participant?.stop();
  await publisher?.disconnect();
  await db?.drop();
});

/** Publishes OrderPlaced as the order service would, with the participant scripted first. */
async function placeOrder(scripts: Parameters<ScriptedParticipant['script']>[1] = {}): Promise<string> {
  const orderId = randomUUID();
  participant.script(orderId, scripts);
  await publish(createMessage('OrderPlaced', orderPlaced(orderId), { correlationId: orderId }));
  return orderId;
}

const orderPlaced = (orderId: string) => anOrderPlaced(orderId);

async function publish(message: ReturnType<typeof createMessage>): Promise<void> {
  const orderId = (message.data as { orderId: string }).orderId;
  await publisher.publish(prefixed(kafka.topicPrefix, Topics.orderEvents), [{ key: orderId, value: JSON.stringify(message) }]);
}

const ended = (orderId: string) =>
  eventually(() => participant.commandTypes(orderId).some((type) => type === 'ConfirmOrder' || type === 'CancelOrder'), { ...forever, what: `saga ${orderId} ended` });

const cancelReason = (orderId: string) => {
  const cancel = participant.commands(orderId).find((command) => command.type === 'CancelOrder');
  return cancel?.type === 'CancelOrder' ? cancel.data.reason : undefined;
};

/** Consecutive re-sends of one command collapse: what is asserted is the saga's order of work. */
/** Each command type at its first send, and the sends after that. */
const firstSends = (types: string[]) => types.filter((type, i) => types.indexOf(type) === i);
const repeats = (types: string[]) => types.filter((type, i) => types.indexOf(type) !== i);

async function sagaLog(orderId: string, event: string, step?: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM saga_log WHERE order_id = $1 AND event = $2 AND ($3::text IS NULL OR detail->>'step' = $3)",
    [orderId, event, step ?? null],
  );
  return rows[0]!.n;
}

/** A script that answers only once `release()` is called. */
function held(): { script: Script; release: () => Promise<void>; arrived: Promise<void> } {
  let answer: () => Promise<void> = async () => undefined;
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  return {
    script: (command) => {
      answer = () => participant.reply(...answerLikeAParticipant(command));
      arrive();
      return [];
    },
    release: () => answer(),
    arrived,
  };
}

describe('orchestrator on real Postgres and Kafka', () => {
  it('given every participant succeeds, when an order is placed, then the steps run in order, the order is confirmed and the timeline recorded', async () => {
    const orderId = await placeOrder();
    await ended(orderId);
    assert.deepEqual(participant.commandTypes(orderId), ['ReserveStock', 'AuthorizePayment', 'ScheduleShipment', 'CapturePayment', 'ConfirmOrder']);
    await eventually(() => participant.timeline(orderId).includes('saga SUCCEEDED'), { what: 'timeline complete' });
    assert.deepEqual(participant.timeline(orderId), [
      'reserveStock TRIED', 'reserveStock SUCCEEDED', 'authorizePayment TRIED', 'authorizePayment SUCCEEDED', 'scheduleShipment TRIED',
      'scheduleShipment SUCCEEDED', 'capturePayment TRIED', 'capturePayment SUCCEEDED', 'saga SUCCEEDED',
    ]);
    // Nine lines in five messages: OrderPlaced and each of the four replies is one move of the saga.
    assert.equal(participant.timelineMessages(orderId), 5);
    const response = await callService(await app!.getUrl(), `/sagas/${orderId}`);
    const saga = (await response.json()) as { status: string; deadlineAt: unknown; data: { card: unknown }; log: { event: string }[] };
    assert.equal(saga.status, 'CONFIRMED');
    assert.equal(saga.deadlineAt, null);
    assert.equal(saga.data.card, null);
    assert.equal(saga.log.at(-1)?.event, 'SagaConfirmed');
    const metrics = await (await fetch(`${await app!.getUrl()}/metrics`)).text();
    assert.match(metrics, /saga_completed_total\{outcome="CONFIRMED",reason="",service="orchestrator"\} [1-9]/);
    assert.match(metrics, /saga_in_flight\{service="orchestrator"\} \d+/);
  });

  it('given a saga that ended, when the order service re-announces the order, then its outcome is sent again and nothing else', async () => {
    const orderId = await placeOrder({ AuthorizePayment: (command) => [replyTo(command, 'PaymentDeclined', { reason: 'PAYMENT_DECLINED' })] });
    await ended(orderId);
    const before = participant.commandTypes(orderId);
    await publish(createMessage('OrderPlaced', orderPlaced(orderId), { correlationId: orderId }));
    await eventually(() => participant.commandTypes(orderId).length > before.length, { ...forever, what: 'the outcome sent again' });
    await eventually(async () => (await sagaLog(orderId, 'OutcomeResent')) === 1, { what: 'the repeat logged' });
    assert.deepEqual(participant.commandTypes(orderId), [...before, 'CancelOrder']);
    assert.equal(cancelReason(orderId), 'PAYMENT_DECLINED');
  });

  it('given the payment is declined, then the stock is released and the order cancelled with the decline reason', async () => {
    const orderId = await placeOrder({ AuthorizePayment: (command) => [replyTo(command, 'PaymentDeclined', { reason: 'INSUFFICIENT_FUNDS' })] });
    await ended(orderId);
    assert.deepEqual(participant.commandTypes(orderId), ['ReserveStock', 'AuthorizePayment', 'ReleaseStock', 'CancelOrder']);
    assert.equal(cancelReason(orderId), 'INSUFFICIENT_FUNDS');
  });

  it('given shipping is unavailable, then the payment is voided, then the stock released, then the order cancelled', async () => {
    const orderId = await placeOrder({ ScheduleShipment: (command) => [replyTo(command, 'ShipmentFailed', { reason: 'SHIPPING_UNAVAILABLE' })] });
    await ended(orderId);
    assert.deepEqual(participant.commandTypes(orderId), ['ReserveStock', 'AuthorizePayment', 'ScheduleShipment', 'VoidPayment', 'ReleaseStock', 'CancelOrder']);
    assert.equal(cancelReason(orderId), 'SHIPPING_UNAVAILABLE');
  });

  it('given the payment service never answers, then the authorization is re-sent up to the attempts, then compensated with reason TIMEOUT', async () => {
    const orderId = await placeOrder({ AuthorizePayment: () => [] });
    await ended(orderId);
    assert.deepEqual(participant.commandTypes(orderId), ['ReserveStock', 'AuthorizePayment', 'AuthorizePayment', 'AuthorizePayment', 'VoidPayment', 'ReleaseStock', 'CancelOrder']);
    assert.equal(cancelReason(orderId), 'TIMEOUT');
    assert.equal(await sagaLog(orderId, 'StepRetried', 'authorizePayment'), 2);
    assert.equal(await sagaLog(orderId, 'StepTimedOut', 'authorizePayment'), 1);
  });

  it('given a reply delivered twice (same message, and a copy with a new id), then the saga moves once', async () => {
    const orderId = await placeOrder({
      ReserveStock: (command) => {
        const reserved = replyTo(command, 'StockReserved', {});
        return [reserved, reserved, replyTo(command, 'StockReserved', {})];
      },
    });
    await ended(orderId);
    assert.deepEqual(participant.commandTypes(orderId), ['ReserveStock', 'AuthorizePayment', 'ScheduleShipment', 'CapturePayment', 'ConfirmOrder']);
    assert.equal(await sagaLog(orderId, 'StepSucceeded', 'reserveStock'), 1);
    assert.equal(await sagaLog(orderId, 'Ignored'), 1, 'the copy with a new id reached the saga and was ignored; the redelivery stopped at the inbox');
  });

  it('given the customer cancels while the payment is in flight, then the saga waits for it, voids it, releases the stock and cancels', async () => {
    const payment = held();
    const orderId = await placeOrder({ AuthorizePayment: payment.script });
    await payment.arrived;
    await publish(createMessage('OrderCancellationRequested', { orderId }, { correlationId: orderId }));
    await eventually(async () => (await sagaLog(orderId, 'CancellationRequested')) === 1, { what: 'cancellation recorded' });
    await payment.release();
    await ended(orderId);
    assert.deepEqual(participant.commandTypes(orderId), ['ReserveStock', 'AuthorizePayment', 'VoidPayment', 'ReleaseStock', 'CancelOrder']);
    assert.equal(cancelReason(orderId), 'CUSTOMER_CANCELLED');
  });

  it('given the orchestrator stops mid-saga and the reply arrives while it is down, when it starts again, then the saga carries on', async () => {
    const shipment = held();
    const orderId = await placeOrder({ ScheduleShipment: shipment.script });
    await shipment.arrived;
    await app!.close();
    app = undefined;
    await shipment.release();
    app = await startOrchestrator();
    await ended(orderId);
    // The restarted poller may find the shipment's deadline passed before the reply is read: a re-send, then a
    // stale reply. The re-send travels on shipping.commands, CapturePayment on payment.commands: Kafka orders
    // each topic, not the two together, so the participant may read the re-send after CapturePayment. The
    // first sends follow the saga (each caused by the previous reply); only the step in flight may repeat.
    const types = participant.commandTypes(orderId);
    assert.deepEqual(firstSends(types), ['ReserveStock', 'AuthorizePayment', 'ScheduleShipment', 'CapturePayment', 'ConfirmOrder']);
    assert.deepEqual([...new Set(repeats(types))].filter((type) => type !== 'ScheduleShipment'), [], `only ScheduleShipment may be re-sent: ${types.join(', ')}`);
  });

  it('given a deadline that passes while the orchestrator is down, when it starts again, then the command is re-sent: timers are rows', async () => {
    let sends = 0;
    const firstSend = held();
    const orderId = await placeOrder({ AuthorizePayment: (command) => (++sends === 1 ? firstSend.script(command) : answerLikeAParticipant(command)) });
    await firstSend.arrived;
    await app!.close();
    app = undefined;
    await new Promise((resolve) => setTimeout(resolve, stepTimeoutMs * 1.5));
    app = await startOrchestrator();
    await ended(orderId);
    assert.deepEqual(participant.commandTypes(orderId), ['ReserveStock', 'AuthorizePayment', 'AuthorizePayment', 'ScheduleShipment', 'CapturePayment', 'ConfirmOrder']);
    assert.equal(await sagaLog(orderId, 'StepRetried', 'authorizePayment'), 1);
  });
});
