import { createKafka, deleteTopicsWithPrefix, ensureTopics } from '@shopfront/messaging';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { testInfra } from './config.js';

export const testKafkaBrokers = (): string[] => testInfra.TEST_KAFKA_BROKERS;

export interface TestKafka {
  kafka: Kafka;
  brokers: string[];
  /** Every topic of this test starts with it: the platform's topics, created fresh. */
  topicPrefix: string;
  /** Deletes this test's topics: a shared broker carrying thousands of leftover partitions slows every later test. */
  drop(): Promise<void>;
}

/** The real broker, with the platform's topics created under a prefix no other test uses. */
export async function kafkaTopics(label: string): Promise<TestKafka> {
  const topicPrefix = `test.${label.replace(/[^a-zA-Z0-9-]/g, '-')}.${randomBytes(4).toString('hex')}.`;
  const brokers = testKafkaBrokers();
  const kafka = createKafka({ clientId: `test-${label}`, brokers, topicPrefix });
  await ensureTopics(kafka, topicPrefix);
  await untilServed(kafka, topicPrefix);
  return { kafka, brokers, topicPrefix, drop: () => deleteTopicsWithPrefix(kafka, topicPrefix).catch(() => undefined) };
}

/**
 * A topic just created can be in the metadata (createTopics waited for its leaders) and still
 * answer "not the leader" for a moment while the broker loads the partitions: the consumer-lag
 * test failed once on that. Asks every new topic for its offsets until each answers (30 s at most).
 */
async function untilServed(kafka: Kafka, topicPrefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix));
    for (const topic of topics) {
      for (const until = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 200))) {
        try {
          await admin.fetchTopicOffsets(topic);
          break;
        } catch (error) {
          if (!(error as { retriable?: boolean }).retriable || Date.now() > until) throw error;
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}
