import { MessagingError } from './errors.js';
import { openProducer, type ProducerConnection } from './producer.js';
import type { Broker } from './broker.js';

/** A record to put on a topic as it is: a redriven dead letter's bytes and headers, a test's message. */
export interface OutgoingRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
}

/**
 * Publishes records directly, outside any outbox, through the reliable (idempotent, ordered)
 * producer with acks=all. For what has no transaction of its own to join: an operator's redrive
 * or replay, a test driving a service. A service's own messages go through the outbox (ADR 0004).
 */
export class RecordPublisher {
  private producer: ProducerConnection | undefined;

  constructor(private readonly broker: Broker) {}

  async connect(): Promise<void> {
    // Kept before it is ready, so that a disconnect after a failed connect still closes it.
    this.producer = openProducer(this.broker);
    await this.producer.ready();
  }

  /** Resolves once every in-sync replica has them; throws if the broker did not take them. */
  async publish(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (!this.producer) throw new MessagingError('NOT_CONNECTED', 'the publisher is not connected');
    await this.producer.send(records.map((record) => ({ topic, ...record })));
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close();
  }
}
