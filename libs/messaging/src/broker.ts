import { Admin, type BaseOptions } from '@platformatic/kafka';

declare const opaque: unique symbol;

/**
 * The platform's handle on the Kafka cluster (`createKafka`). Opaque on purpose (ADR 0024): the client
 * behind it is reachable only from this library's modules, so code elsewhere speaks this library's
 * port and replacing the client is a change here alone.
 */
export interface Broker {
  readonly [opaque]: 'Broker';
}

/** What every client of one service shares: who it is, where the cluster is, how it retries. */
export type ClientSettings = Pick<BaseOptions, 'clientId' | 'bootstrapBrokers' | 'retries' | 'retryDelay' | 'timeout' | 'connectTimeout' | 'metadataMaxAge'>;

const settings = new WeakMap<Broker, ClientSettings>();

/** Wraps client settings in a handle; for createKafka and this library's tests. */
export function brokerOver(clientSettings: ClientSettings): Broker {
  const broker = Object.freeze({}) as Broker;
  settings.set(broker, Object.freeze({ ...clientSettings }));
  return broker;
}

/** The settings behind `broker`, for a new client. Not exported from the package: only this library speaks to the client. */
export function clientOf(broker: Broker): ClientSettings {
  const found = settings.get(broker);
  if (!found) throw new TypeError('not a Broker made by createKafka');
  return found;
}

/** Runs `work` on an admin client of its own, closed afterwards whatever happens. */
export async function withAdmin<T>(broker: Broker, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(clientOf(broker));
  try {
    return await work(admin);
  } finally {
    await admin.close().catch(() => undefined);
  }
}
