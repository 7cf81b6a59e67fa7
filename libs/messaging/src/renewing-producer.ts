import { MessagingError } from './errors.js';
import type { OutgoingMessage, ProducerConnection } from './producer.js';

/**
 * An idempotent producer replaced after a failed send. A producer keeps its
 * id and sequence numbers for its whole life: once the broker refuses them
 * (OUT_OF_ORDER_SEQUENCE_NUMBER after a send whose outcome was lost,
 * UNKNOWN_PRODUCER_ID after a broker lost its producer state), every later
 * send to that partition fails the same way and the outbox behind it never
 * drains. A new producer has a new id and starts its sequences again;
 * whatever the failed send did deliver is sent again, and the consumers'
 * inboxes drop the repeats.
 *
 * Renewing after any failure keeps the rule simple: after a broker outage it
 * costs one InitProducerId once the broker answers again. Until then the
 * renewal fails, and the next send tries it again.
 */
export class RenewingProducer {
  private producer: ProducerConnection | undefined;
  private broken = false;

  constructor(
    private readonly open: () => ProducerConnection,
    private readonly onRenewed: () => void = () => undefined,
  ) {}

  async connect(): Promise<void> {
    this.producer = await this.connected();
  }

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    // Disconnected (the relay stopped): never opened again behind the caller's back.
    if (!this.producer) throw new MessagingError('RELAY_FAILED', 'the producer is not connected');
    if (this.broken) await this.renew();
    try {
      await this.producer!.send(messages);
    } catch (error) {
      this.broken = true;
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close().catch(() => undefined);
  }

  /** The new producer first: while the broker is down this throws and the old one stays, still broken. */
  private async renew(): Promise<void> {
    const next = await this.connected();
    const old = this.producer;
    this.producer = next;
    this.broken = false;
    await old?.close().catch(() => undefined);
    this.onRenewed();
  }

  private async connected(): Promise<ProducerConnection> {
    const producer = this.open();
    try {
      await producer.ready();
      return producer;
    } catch (error) {
      await producer.close().catch(() => undefined);
      throw error;
    }
  }
}
