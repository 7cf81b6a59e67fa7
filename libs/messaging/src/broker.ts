import type { Admin, Kafka } from 'kafkajs';

declare const opaque: unique symbol;

/**
 * The platform's handle on the Kafka cluster (`createKafka`). Opaque on purpose (ADR 0024): the client
 * behind it is reachable only from this library's modules, so code elsewhere speaks this library's
 * port and replacing the client is a change here alone.
 */
export interface Broker {
  readonly [opaque]: 'Broker';
}

const clients = new WeakMap<Broker, Kafka>();

/** Wraps a client in a handle; for createKafka and this library's tests. */
export function brokerOver(kafka: Kafka): Broker {
  const broker = Object.freeze({}) as Broker;
  clients.set(broker, kafka);
  return broker;
}

/** The client behind `broker`. Not exported from the package: only this library speaks kafkajs. */
export function clientOf(broker: Broker): Kafka {
  const kafka = clients.get(broker);
  if (!kafka) throw new TypeError('not a Broker made by createKafka');
  return kafka;
}

/** Runs `work` on an admin connection of its own, closed afterwards whatever happens (a failed connect included). */
export async function withAdmin<T>(broker: Broker, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = clientOf(broker).admin();
  try {
    await admin.connect();
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
