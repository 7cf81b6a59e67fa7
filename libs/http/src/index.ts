export * from './problem.js';
export * from './problem.filter.js';
export * from './validation.js';
export * from './faults.js';
export * from './health.js';
export * from './kit.module.js';
export * from './kit.controllers.js';
export * from './bootstrap.js';
