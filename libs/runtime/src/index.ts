export * from './tokens.js';
export * from './consumer.js';
export * from './participant.js';
export * from './runtime.module.js';
export * from './database.js';
export * from './service.js';
