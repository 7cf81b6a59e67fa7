export * from './pool.js';
export * from './migrate.js';
export * from './errors.js';
export * from './pause.js';
export * from './held-writes.js';
export { statementName } from './prepared.js';
