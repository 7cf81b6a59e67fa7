import { Producer } from '@platformatic/kafka';
import { clientOf, type Broker } from './broker.js';
import { reliableProducer } from './kafka.js';

/** A record to put on a topic (the topic as the broker names it, prefix included). */
export interface OutgoingMessage {
  topic: string;
  key?: Buffer | string | null | undefined;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer> | undefined;
}

/** One idempotent producer with acks=all, as this library's senders (relay, publisher, dead letters) use it. */
export interface ProducerConnection {
  /** Resolves once the broker gave the producer its id; throws while the broker does not answer. */
  ready(): Promise<void>;
  /** Resolves once every in-sync replica has them; per topic and key, in the order given. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

const bytes = (value: Buffer | string): Buffer => (typeof value === 'string' ? Buffer.from(value) : value);

export function openProducer(broker: Broker): ProducerConnection {
  const producer = new Producer({ ...clientOf(broker), ...reliableProducer });
  return {
    ready: async () => {
      await producer.initIdempotentProducer({});
    },
    send: async (messages) => {
      await producer.send({
        messages: messages.map(({ topic, key, value, headers }) => ({
          topic,
          key: key == null ? undefined : bytes(key),
          value: value == null ? undefined : bytes(value),
          // Bytes for names too: the client takes a header named by a string for a send that never settles.
          headers: headers ? new Map(Object.entries(headers).map(([name, header]) => [Buffer.from(name), bytes(header)])) : undefined,
        })),
      });
    },
    close: async () => {
      await producer.close();
    },
  };
}
