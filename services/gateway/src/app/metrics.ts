import { Counter } from 'prom-client';

// The app layer's own instrumentation, so it needs no port. Module-level: prom-client's default registry holds one series per name and process.

export const idempotencyOutcomes = new Counter({
  name: 'gateway_idempotency_outcomes_total',
  help: 'Requests with an Idempotency-Key by outcome (executed, replayed, in_flight, key_reused, taken_over, unknown_outcome)',
  labelNames: ['outcome'],
});
