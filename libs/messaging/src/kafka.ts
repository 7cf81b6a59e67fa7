import { compatibilityPartitioner, ProduceAcks, type Admin, type ProducerOptions } from '@platformatic/kafka';
import { allTopics, deadLetterTopic } from '@shopfront/contracts';
import { offsetsOf } from './admin.js';
import { brokerOver, withAdmin, type Broker } from './broker.js';

export interface KafkaOptions {
  clientId: string;
  brokers: string[];
  /** Prepended to every topic name: lets tests and tenants share one broker. */
  topicPrefix?: string;
}

/** The service's handle on the cluster: every client it opens (producers, consumers, admin) is made from it. */
export function createKafka(options: KafkaOptions): Broker {
  return brokerOver({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    // Each request gives up after these; the callers' own loops (relay, consumer, readiness) retry
    // without limit, backing off, so a broker outage is waited out where it is reported.
    retries: 3,
    retryDelay: 200,
    timeout: 10_000,
    connectTimeout: 3_000,
    // The client reads metadata before each fetch from a cache of this age. One broker whose
    // leaders never move needs no refresh every 5 s (the default); a failed request refreshes it anyway.
    metadataMaxAge: 60_000,
  });
}

/**
 * Idempotent producer with acks=all. The partitioner is Java's (and kafkajs's), murmur2 of the key
 * masked positive, so a key lands on the same partition as before the client changed (ADR 0024):
 * per-key order holds across the switch.
 */
export const reliableProducer = {
  idempotent: true,
  acks: ProduceAcks.ALL,
  autocreateTopics: false,
  partitioner: compatibilityPartitioner,
} as const satisfies Partial<ProducerOptions<Buffer, Buffer, Buffer, Buffer>>;

/**
 * Consumer timings for every group. A short session lets a restarted replica take its partitions
 * back within seconds of a crash; heartbeats run on their own timer, whatever the handler is doing.
 * A fetch returns as soon as a message is there (minBytes 1), so its longest wait costs no latency;
 * it only sets how often an idle consumer asks again.
 */
export const consumerTimings = { sessionTimeout: 10_000, heartbeatInterval: 3_000, maxWaitTime: 2_000 } as const;

export const prefixed = (prefix: string | undefined, topic: string): string => `${prefix ?? ''}${topic}`;

/** Creates the platform's topics and their dead-letter twins; existing ones are left alone. */
export async function ensureTopics(broker: Broker, prefix = '', partitions = 3): Promise<void> {
  await withAdmin(broker, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const wanted = allTopics.flatMap((topic) => [topic, deadLetterTopic(topic)]).map((topic) => prefixed(prefix, topic));
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, partitions, replicas: 1 }).catch((error: unknown) => {
        // Another process created some of them meanwhile (services start together): they exist, as wanted.
        if (!onlyAlreadyExists(error)) throw error;
      });
      for (const topic of missing) await untilServed(admin, topic);
    }
  });
}

/** True when every failure inside `error` is a topic that already exists. */
function onlyAlreadyExists(error: unknown): boolean {
  const inner = (error as { errors?: unknown[] } | null)?.errors;
  if (inner && inner.length > 0) return inner.every(onlyAlreadyExists);
  return (error as { apiId?: unknown } | null)?.apiId === 'TOPIC_ALREADY_EXISTS';
}

/**
 * A topic just created can be in the metadata and still answer "not the leader" for a moment
 * while the broker loads its partitions (a CI run's consumer-lag test failed on that): asks it
 * for its offsets until it answers, 30 s at most.
 */
async function untilServed(admin: Admin, topic: string): Promise<void> {
  for (const until = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 200))) {
    try {
      await offsetsOf(admin, [topic]);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
    }
  }
}

/** Deletes every topic whose name starts with `prefix` (a test's or a bench's own); the platform's are unprefixed. */
export async function deleteTopicsWithPrefix(broker: Broker, prefix: string): Promise<void> {
  if (!prefix) throw new Error('refusing to delete topics without a prefix');
  await withAdmin(broker, async (admin) => {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  });
}
