import './kafkajs-idle-fix.js';
import { Kafka, logLevel, Partitioners, type Admin, type ConsumerConfig, type LogEntry, type ProducerConfig } from 'kafkajs';
import { allTopics, deadLetterTopic } from '@shopfront/contracts';
import { brokerOver, withAdmin, type Broker } from './broker.js';

export interface KafkaOptions {
  clientId: string;
  brokers: string[];
  /** Prepended to every topic name: lets tests and tenants share one broker. */
  topicPrefix?: string;
  /** Where kafkajs's own warnings go (the service's structured logger). */
  log?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
}

/** The service's handle on the cluster: every connection it opens (producers, consumers, admin) comes from it. */
export function createKafka(options: KafkaOptions): Broker {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
        options.log?.(level === logLevel.ERROR ? 'error' : 'warn', `kafkajs: ${message}`, extra);
      },
    retry: { initialRetryTime: 200, retries: 8 },
  });
  return brokerOver(kafka);
}

/**
 * Idempotent, ordered producer settings. kafkajs keeps EoS guarantees only with
 * unbounded retries; the relay's loop and the consumer's redelivery bound them in practice.
 */
export const reliableProducer: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
};

/**
 * Consumer timings for every group. A short session lets a restarted replica take its
 * partitions back within seconds of a crash. A fetch returns as soon as a message is there
 * (minBytes 1), so its longest wait costs no latency; it only sets how often an idle consumer
 * asks again: at 250 ms a dozen idle consumers woke ~50 times a second. It stays at the
 * heartbeat interval, since kafkajs heartbeats between fetches.
 */
export const consumerTimings = { sessionTimeout: 10_000, heartbeatInterval: 2_000, maxWaitTimeInMs: 2_000 } as const satisfies Partial<ConsumerConfig>;

export const prefixed = (prefix: string | undefined, topic: string): string => `${prefix ?? ''}${topic}`;

/** Creates the platform's topics and their dead-letter twins; existing ones are left alone. */
export async function ensureTopics(broker: Broker, prefix = '', partitions = 3): Promise<void> {
  await withAdmin(broker, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const wanted = allTopics.flatMap((topic) => [topic, deadLetterTopic(topic)]).map((topic) => prefixed(prefix, topic));
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
      for (const topic of missing) await untilServed(admin, topic);
    }
  });
}

/**
 * A topic just created can be in the metadata (createTopics waited for its leaders) and still
 * answer "not the leader" for a moment while the broker loads its partitions (a CI run's
 * consumer-lag test failed on that): asks it for its offsets until it answers, 30 s at most.
 */
async function untilServed(admin: Admin, topic: string): Promise<void> {
  for (const until = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 200))) {
    try {
      await admin.fetchTopicOffsets(topic);
      return;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || Date.now() > until) throw error;
    }
  }
}

/** Deletes every topic whose name starts with `prefix` (a test's or a bench's own); the platform's are unprefixed. */
export async function deleteTopicsWithPrefix(broker: Broker, prefix: string): Promise<void> {
  if (!prefix) throw new Error('refusing to delete topics without a prefix');
  await withAdmin(broker, async (admin) => {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  });
}
