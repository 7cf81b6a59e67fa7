export * from './errors.js';
export * from './schema.js';
export * from './outbox.js';
// The client stays inside (ADR 0024): the broker handle is opaque, and kafkajs's types are not exported.
export type { Broker } from './broker.js';
export { consumerTimings, createKafka, deleteTopicsWithPrefix, ensureTopics, prefixed, type KafkaOptions } from './kafka.js';
export * from './admin.js';
export * from './reader.js';
export * from './publisher.js';
export * from './consumer-lag.js';
export * from './relay.js';
export * from './consumer.js';
export { fetches } from './fetches.js';
export * from './trace-context.js';
