export * from './errors.js';
export * from './schema.js';
export * from './outbox.js';
export * from './kafka.js';
export * from './relay.js';
export * from './consumer.js';
export * from './fetches.js';
export * from './trace-context.js';
