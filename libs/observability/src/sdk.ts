// The SDK side, loaded only where tracing starts (register.ts) or a test collects spans.
export * from './tracing.js';
export * from './span-file.js';
