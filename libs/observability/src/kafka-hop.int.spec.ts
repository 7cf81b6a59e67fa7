/**
 * The trace across two Kafka hops, on the real broker and database: a span
 * enqueues a command; the relay publishes it (PRODUCER); a consumer handles it
 * (CONSUMER) and enqueues a reply; the relay publishes that; a second consumer
 * handles it. One trace, each link pointing where ADR 0014 says it does.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { createMessage, Topics } from '@shopfront/contracts';
import { enqueue, messagingMigrations, MessageConsumer, OutboxRelay } from '@shopfront/messaging';
import { withTransaction } from '@shopfront/postgres';
import { eventually, freshDatabase, kafkaTopics, type TestDatabase, type TestKafka } from '@shopfront/testing';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createLogger } from './logger.js';
import { startTracing } from './tracing.js';

const exporter = new InMemorySpanExporter();
const sdk = startTracing({ serviceName: 'kafka-hop-test', spanProcessors: [new SimpleSpanProcessor({ exporter })], instrumentations: [] });

let db: TestDatabase;
let kafka: TestKafka;
const stops: (() => Promise<void>)[] = [];
const logLines: Record<string, unknown>[] = [];
const logger = createLogger(
  'kafka-hop-test',
  'info',
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);

before(async () => {
  db = await freshDatabase('kafka_hop', messagingMigrations);
  kafka = await kafkaTopics('kafka-hop');
  const relay = new OutboxRelay({ pool: db.pool, kafka: kafka.kafka, service: 'test', topicPrefix: kafka.topicPrefix, pollIntervalMs: 200 });
  await relay.start();
  stops.push(() => relay.stop());
  // Stands in for a participant: answers each ReserveStock with StockReserved, in the handler's transaction.
  const participant = new MessageConsumer({
    kafka: kafka.kafka,
    pool: db.pool,
    name: 'hop-participant',
    topics: [Topics.inventoryCommands],
    topicPrefix: kafka.topicPrefix,
    handle: async (message, tx) => {
      logger.info({ type: message.type }, 'reserving stock');
      const orderId = message.correlationId;
      await enqueue(tx, { topic: Topics.sagaReplies, message: createMessage('StockReserved', { orderId }, { correlationId: orderId, causationId: message.messageId }) });
    },
  });
  const orchestrator = new MessageConsumer({
    kafka: kafka.kafka,
    pool: db.pool,
    name: 'hop-orchestrator',
    topics: [Topics.sagaReplies],
    topicPrefix: kafka.topicPrefix,
    handle: async (message) => {
      logger.info({ type: message.type }, 'reply received');
    },
  });
  for (const consumer of [participant, orchestrator]) {
    await consumer.start();
    stops.push(() => consumer.stop());
  }
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
  await db.drop();
  await sdk.shutdown();
});

const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
const parentOf = (span: ReadableSpan, all: ReadableSpan[]) => all.find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId);

describe('trace context across the outbox and Kafka', () => {
  it('given a command enqueued inside a span, when it travels two hops, then every span is in one trace and each consumer span is the child of a producer span that is the child of the enqueuing span', async () => {
    const orderId = randomUUID();
    const traceId = await trace.getTracer('test').startActiveSpan('place order', async (span) => {
      await withTransaction(db.pool, (tx) =>
        enqueue(tx, { topic: Topics.inventoryCommands, message: createMessage('ReserveStock', { orderId, items: [{ sku: 'SKU-001', quantity: 1 }] }, { correlationId: orderId }) }),
      );
      span.end();
      return span.spanContext().traceId;
    });

    const spans = await eventually(
      () => {
        const found = spansOf(traceId);
        return found.some((span) => span.name === 'saga.replies process') ? found : undefined;
      },
      { what: 'the reply consumed in the same trace', timeoutMs: 30_000 },
    );
    const named = (name: string) => spans.find((span) => span.name === name)!;
    const root = named('place order');
    const commandPublish = named('inventory.commands publish');
    const commandProcess = named('inventory.commands process');
    const replyPublish = named('saga.replies publish');
    const replyProcess = named('saga.replies process');

    assert.equal(commandPublish.kind, SpanKind.PRODUCER);
    assert.equal(parentOf(commandPublish, spans), root, 'the command publish span is a child of the span that enqueued it');
    assert.equal(commandProcess.kind, SpanKind.CONSUMER);
    assert.equal(parentOf(commandProcess, spans), commandPublish, 'the command is processed under its publish span');
    assert.equal(parentOf(replyPublish, spans), commandProcess, 'the reply enqueued by the handler is published under the consumer span');
    assert.equal(parentOf(replyProcess, spans), replyPublish);
    assert.equal(replyProcess.kind, SpanKind.CONSUMER);

    assert.equal(commandProcess.attributes['messaging.system'], 'kafka');
    assert.equal(commandProcess.attributes['messaging.destination.name'], `${kafka.topicPrefix}${Topics.inventoryCommands}`);
    assert.equal(commandProcess.attributes['shopfront.message.type'], 'ReserveStock');
    assert.equal(commandProcess.attributes['order.id'], orderId);
    assert.equal(commandProcess.attributes['saga.id'], orderId);
    assert.equal(typeof commandProcess.attributes['messaging.message.id'], 'string');
    assert.equal(replyProcess.attributes['shopfront.message.type'], 'StockReserved');
  });

  it('given a handler that logs, when it runs under a consumer span, then the log line carries that span\'s trace and span ids', async () => {
    const line = await eventually(() => logLines.find((entry) => entry.msg === 'reserving stock'), { what: 'the handler log line', timeoutMs: 30_000 });
    const processSpan = exporter.getFinishedSpans().find((span) => span.name === 'inventory.commands process' && span.spanContext().traceId === line.trace_id);
    assert.ok(processSpan, 'a consumer span with the logged trace id');
    assert.equal(line.span_id, processSpan.spanContext().spanId);
  });

  it('given a message enqueued outside any span, when relayed and consumed, then its publish span starts a trace of its own that the consumer continues', async () => {
    const orderId = randomUUID();
    await withTransaction(db.pool, (tx) => enqueue(tx, { topic: Topics.sagaReplies, message: createMessage('StockReleased', { orderId }, { correlationId: orderId }) }));
    const consumed = await eventually(
      () => exporter.getFinishedSpans().find((span) => span.name === 'saga.replies process' && span.attributes['order.id'] === orderId),
      { what: 'the untraced message consumed', timeoutMs: 30_000 },
    );
    const publish = exporter.getFinishedSpans().find((span) => span.spanContext().spanId === consumed.parentSpanContext?.spanId);
    assert.equal(publish?.name, 'saga.replies publish');
    assert.equal(publish?.parentSpanContext, undefined, 'no parent: nothing was active when it was enqueued');
  });
});
