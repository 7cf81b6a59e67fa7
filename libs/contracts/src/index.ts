export * from './money.js';
export * from './topics.js';
export * from './envelope.js';
export * from './messages.js';
export * from './errors.js';
export * from './codec.js';
export * from './narrowing.js';
export * from './countries.js';
export * from './http.js';
export * from './text.js';

export * from './cards.js';
