import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { deadLetterTopic, parseMessage, type Message, type Topic } from '@shopfront/contracts';
import { withTransaction } from '@shopfront/postgres';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type pg from 'pg';
import { Counter } from 'prom-client';
import { isTransient as defaultIsTransient, MessagingError } from './errors.js';
import { prefixed, reliableProducer } from './kafka.js';
import { contextFromHeaders, messagingTracer, orderIdOf } from './trace-context.js';

export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  attempt: number;
}

/** Applies one message's effect inside `tx`; whatever it enqueues in the outbox commits with it. */
export type MessageHandler = (message: Message, tx: pg.PoolClient, delivery: Delivery) => Promise<void>;

export interface ConsumerOptions {
  kafka: Kafka;
  pool: pg.Pool;
  /** Kafka group id and inbox consumer name: one per logical consumer. */
  name: string;
  topics: Topic[];
  topicPrefix?: string;
  handle: MessageHandler;
  maxAttempts?: number;
  retryBaseMs?: number;
  isTransient?: (error: unknown) => boolean;
  partitionsConsumedConcurrently?: number;
  onError?: (error: unknown, message: Message | undefined, attempt: number) => void;
}

const outcomes = new Counter({
  name: 'messaging_consumed_total',
  help: 'Messages consumed, by consumer, type and outcome',
  labelNames: ['consumer', 'type', 'outcome'],
});

const deadLetters = new Counter({
  name: 'messaging_dead_letters_total',
  help: 'Messages sent to a dead-letter topic, by consumer and source topic',
  labelNames: ['consumer', 'topic'],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An idempotent Kafka consumer. For each message: validate its contract, then
 * in one transaction record its id in the inbox and apply its effect; a
 * duplicate finds its id there and is skipped. Transient failures are retried
 * with jittered backoff up to `maxAttempts`; then, or at once for anything not
 * transient, the message goes to `<topic>.dlq` with the error. The offset
 * moves on only after success or a dead letter the broker acknowledged.
 */
export class MessageConsumer {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;

  constructor(private readonly options: ConsumerOptions) {}

  async start(): Promise<void> {
    const { kafka, name, topics, topicPrefix } = this.options;
    this.producer = kafka.producer(reliableProducer);
    await this.producer.connect();
    // A short session lets a restarted replica take its partitions back within seconds of a crash;
    // handlers heartbeat between retries, so a slow message does not cost the group its member.
    this.consumer = kafka.consumer({ groupId: prefixed(topicPrefix, name), sessionTimeout: 10_000, heartbeatInterval: 2_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: topics.map((topic) => prefixed(topicPrefix, topic)), fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        await this.process(topic, partition, message, heartbeat);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }

  /**
   * Continues the trace the message carries (ADR 0014): a CONSUMER span whose
   * parent is the relay's PRODUCER span, active while the handler runs, so its
   * queries and the messages it enqueues join the same trace.
   */
  private async process(topic: string, partition: number, raw: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    const base = topic.slice((this.options.topicPrefix ?? '').length);
    const parent = contextFromHeaders(raw.headers);
    const span = messagingTracer().startSpan(
      `${base} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.consumer.group.name': this.options.name,
          'messaging.kafka.offset': Number(raw.offset),
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => this.deliver(topic, partition, raw, heartbeat, span));
    } finally {
      span.end();
    }
  }

  private async deliver(topic: string, partition: number, raw: KafkaMessage, heartbeat: () => Promise<void>, span: Span): Promise<void> {
    const { name, pool, handle } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const transient = this.options.isTransient ?? defaultIsTransient;
    const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([key, value]) => [key, String(value ?? '')]));
    let message: Message | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        message = parseMessage(raw.value ?? '');
        const parsed = message;
        span.setAttributes(messageAttributes(parsed));
        const fresh = await withTransaction(pool, async (tx) => {
          const claimed = await tx.query(
            'INSERT INTO inbox (consumer, message_id, message_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
            [name, parsed.messageId, parsed.type],
          );
          if (claimed.rowCount === 0) return false;
          await handle(parsed, tx, { topic, partition, offset: raw.offset, headers, attempt });
          return true;
        });
        outcomes.inc({ consumer: name, type: parsed.type, outcome: fresh ? 'processed' : 'duplicate' });
        span.setAttribute('shopfront.consume.outcome', fresh ? 'processed' : 'duplicate');
        return;
      } catch (error) {
        this.options.onError?.(error, message, attempt);
        span.recordException(error as Error);
        if (!transient(error) || attempt >= maxAttempts) {
          await this.deadLetter(topic, partition, raw, error, attempt);
          outcomes.inc({ consumer: name, type: message?.type ?? 'invalid', outcome: 'dead_lettered' });
          deadLetters.inc({ consumer: name, topic: topic.slice((this.options.topicPrefix ?? '').length) });
          span.setAttributes({ 'shopfront.consume.outcome': 'dead_lettered', 'shopfront.consume.attempts': attempt });
          span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
          return;
        }
        const base = (this.options.retryBaseMs ?? 200) * 2 ** (attempt - 1);
        await sleep(base / 2 + Math.random() * base);
        await heartbeat();
      }
    }
  }

  /** Throws if the dead letter cannot be written: then the offset stays and Kafka redelivers. */
  private async deadLetter(topic: string, partition: number, raw: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    const base = topic.slice((this.options.topicPrefix ?? '').length);
    try {
      await this.producer!.send({
        topic: prefixed(this.options.topicPrefix, deadLetterTopic(base)),
        acks: -1,
        messages: [
          {
            key: raw.key,
            value: raw.value,
            headers: {
              ...raw.headers,
              'x-dlq-consumer': this.options.name,
              'x-dlq-source': `${topic}/${partition}/${raw.offset}`,
              'x-dlq-attempts': String(attempts),
              'x-dlq-error': String((error as Error)?.message ?? error).slice(0, 1000),
              'x-dlq-at': new Date().toISOString(),
            },
          },
        ],
      });
    } catch (cause) {
      throw new MessagingError('DEAD_LETTER_FAILED', `could not dead-letter ${topic}/${partition}/${raw.offset}`, { cause });
    }
  }
}

function messageAttributes(message: Message): Record<string, string> {
  const orderId = orderIdOf(message);
  return {
    'messaging.message.id': message.messageId,
    'shopfront.message.type': message.type,
    ...(orderId ? { 'order.id': orderId, 'saga.id': orderId } : {}),
  };
}
