/**
 * The three Kafka clients under comparison, each behind the same small port
 * and set up the way the platform needs it: an idempotent producer with
 * acks=all and one request in flight (per-key order), no linger; consumers
 * in a group, minimum fetch 1 byte, longest broker wait 2 s, offsets
 * committed once a second (`libs/messaging`'s `consumerTimings` and
 * `OffsetCommits`). kafkajs is measured as the platform ran it, with the
 * idle-timer patch it had (`kafkajs-idle-fix.ts`).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { candidateDir, type CandidateName } from './candidates.ts';

export interface Outgoing {
  key: string;
  value: Buffer;
}

export interface BenchProducer {
  send(topic: string, messages: Outgoing[]): Promise<void>;
  close(): Promise<void>;
}

export interface BenchConsumer {
  close(): Promise<void>;
}

export interface ConsumerSpec {
  group: string;
  topics: string[];
  fromBeginning: boolean;
  onMessage: (value: Buffer) => Promise<void> | void;
}

export interface ClientUnderTest {
  producer(): Promise<BenchProducer>;
  /** Resolves once the group has its partitions. */
  consumer(spec: ConsumerSpec): Promise<BenchConsumer>;
}

const broker = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/*
 * The candidates are not the project's dependencies, so their types are not at hand: these are the
 * few parts of their APIs used here, as their documentation gives them.
 */
interface Closable {
  close(force?: boolean): Promise<void>;
}
interface PlatformaticKafka {
  ProduceAcks: { ALL: number };
  stringSerializer: unknown;
  Producer: new (options: Record<string, unknown>) => Closable & { send(options: { messages: { topic: string; key: string; value: Buffer }[] }): Promise<unknown> };
  Consumer: new (options: Record<string, unknown>) => Closable & {
    once(event: string, listener: () => void): void;
    consume(options: Record<string, unknown>): Promise<AsyncIterable<{ value: Buffer }>>;
  };
}
interface KafkaJsLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}
interface ConfluentKafka {
  KafkaJS: {
    logLevel: { NOTHING: number };
    Kafka: new (options: Record<string, unknown>) => {
      producer(options: Record<string, unknown>): KafkaJsLike & { send(record: { topic: string; messages: Outgoing[] }): Promise<unknown> };
      consumer(options: Record<string, unknown>): KafkaJsLike & {
        subscribe(options: { topics: string[] }): Promise<void>;
        run(options: { eachBatch: (payload: { batch: { messages: { value: Buffer | null }[] } }) => Promise<void> }): Promise<void>;
        assignment(): unknown[];
      };
    };
  };
}

/** A candidate's package, imported from its own folder under .local (never the project's dependencies). */
async function importCandidate<T>(name: CandidateName, pkg: string): Promise<T> {
  const resolve = createRequire(join(candidateDir(name), 'package.json')).resolve;
  return import(pathToFileURL(resolve(pkg)).href);
}

export async function clientUnderTest(name: 'kafkajs' | CandidateName): Promise<ClientUnderTest> {
  switch (name) {
    case 'kafkajs':
      return kafkajsClient();
    case 'platformatic':
      return platformaticClient(await importCandidate<PlatformaticKafka>(name, '@platformatic/kafka'));
    case 'confluent':
      return confluentClient((await importCandidate<{ default: ConfluentKafka }>(name, '@confluentinc/kafka-javascript')).default);
  }
}

async function kafkajsClient(): Promise<ClientUnderTest> {
  await import('./kafkajs-idle-fix.ts'); // as the platform ran kafkajs (ADR 0024)
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: [broker], logLevel: logLevel.NOTHING });
  return {
    async producer() {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      return {
        send: async (topic, messages) => void (await producer.send({ topic, acks: -1, messages })),
        close: () => producer.disconnect(),
      };
    },
    async consumer({ group, topics, fromBeginning, onMessage }) {
      const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 2_000, maxWaitTimeInMs: 2_000, minBytes: 1 });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      // eachBatch, as MessageConsumer reads: one call per fetched batch of a partition.
      await consumer.run({
        autoCommitInterval: 1_000,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) await onMessage(message.value ?? Buffer.alloc(0));
        },
      });
      await joined;
      return { close: () => consumer.disconnect() };
    },
  };
}

function platformaticClient(lib: PlatformaticKafka): ClientUnderTest {
  const base = { bootstrapBrokers: [broker], clientId: 'bench-platformatic' };
  return {
    async producer() {
      const producer = new lib.Producer({ ...base, idempotent: true, acks: lib.ProduceAcks.ALL, autocreateTopics: false, serializers: { key: lib.stringSerializer } });
      return {
        send: async (topic, messages) => void (await producer.send({ messages: messages.map((message) => ({ topic, key: message.key, value: message.value })) })),
        close: () => producer.close(),
      };
    },
    async consumer({ group, topics, fromBeginning, onMessage }) {
      const consumer = new lib.Consumer({ ...base, groupId: group, sessionTimeout: 10_000, heartbeatInterval: 2_000, maxWaitTime: 2_000, minBytes: 1 });
      const joined = new Promise<void>((resolve) => consumer.once('consumer:group:join', () => resolve()));
      const stream = await consumer.consume({ topics, autocommit: 1_000, mode: 'committed', fallbackMode: fromBeginning ? 'earliest' : 'latest' });
      void (async () => {
        for await (const message of stream) await onMessage(message.value);
      })().catch(() => undefined); // the stream ends with an error when the consumer closes
      await Promise.race([joined, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      return { close: () => consumer.close(true) };
    },
  };
}

function confluentClient(lib: ConfluentKafka): ClientUnderTest {
  const { Kafka, logLevel } = lib.KafkaJS;
  const kafka = new Kafka({ kafkaJS: { brokers: [broker], clientId: 'bench-confluent', logLevel: logLevel.NOTHING } });
  return {
    async producer() {
      const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1, maxInFlightRequests: 1 }, 'linger.ms': 0 });
      await producer.connect();
      return {
        send: async (topic, messages) => void (await producer.send({ topic, messages })),
        close: () => producer.disconnect(),
      };
    },
    async consumer({ group, topics, fromBeginning, onMessage }) {
      const consumer = kafka.consumer({
        kafkaJS: { groupId: group, fromBeginning, sessionTimeout: 10_000, heartbeatInterval: 2_000, autoCommitInterval: 1_000 },
        'fetch.wait.max.ms': 2_000,
        'fetch.min.bytes': 1,
      });
      await consumer.connect();
      await consumer.subscribe({ topics });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) await onMessage(message.value ?? Buffer.alloc(0));
        },
      });
      // librdkafka assigns in its own thread; the first poll that returns an assignment is the join.
      for (const until = Date.now() + 15_000; Date.now() < until && consumer.assignment().length === 0; ) await new Promise((resolve) => setTimeout(resolve, 50));
      return { close: () => consumer.disconnect() };
    },
  };
}
