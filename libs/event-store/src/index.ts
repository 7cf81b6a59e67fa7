export * from './errors.js';
export * from './types.js';
export * from './schema.js';
export * from './upcasting.js';
export * from './store.js';
export * from './projections.js';
export * from './runner.js';
export * from './rebuild.js';
