import { createKafka, deleteTopicsWithPrefix, ensureTopics, type Broker } from '@shopfront/messaging';
import { randomBytes } from 'node:crypto';
import { testInfra } from './config.js';

export const testKafkaBrokers = (): string[] => testInfra.TEST_KAFKA_BROKERS;

export interface TestKafka {
  kafka: Broker;
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
  return { kafka, brokers, topicPrefix, drop: () => deleteTopicsWithPrefix(kafka, topicPrefix).catch(() => undefined) };
}

