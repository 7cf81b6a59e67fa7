export * from './postgres.js';
export * from './redis.js';
export * from './kafka.js';
export * from './wait.js';
export * from './config.js';
export * from './messages.js';
export * from './service.js';
