import { Counter, Histogram } from 'prom-client';

/** The saga's own instrumentation, counted where sagas move (the in-flight gauge reads the table: infra/metrics.ts). */
export const sagasCompleted = new Counter({
  name: 'saga_completed_total',
  help: 'Sagas that reached an end, by outcome (CONFIRMED or CANCELLED) and cancellation reason',
  labelNames: ['outcome', 'reason'],
});

export const sagaDuration = new Histogram({
  name: 'saga_duration_seconds',
  help: 'From the saga start (OrderPlaced) to its end, by outcome',
  labelNames: ['outcome'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});

export const sagaTransitions = new Counter({
  name: 'saga_transitions_total',
  help: 'Saga events by type (StepRetried and StepTimedOut show struggling participants)',
  labelNames: ['event', 'step'],
});
