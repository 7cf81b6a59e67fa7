import { Counter, Gauge } from 'prom-client';

// Module-level: prom-client's default registry holds one series per name and process.

/** 0 closed, 1 open, 2 half-open, 3 isolated (cockatiel's CircuitState). */
export const circuitState = new Gauge({
  name: 'circuit_state',
  help: 'Circuit breaker state per upstream: 0 closed, 1 open, 2 half-open, 3 isolated',
  labelNames: ['upstream'],
});

export const circuitTransitions = new Counter({
  name: 'gateway_circuit_transitions_total',
  help: 'Circuit breaker state changes per upstream, by the state entered',
  labelNames: ['upstream', 'state'],
});

export const upstreamCalls = new Counter({
  name: 'gateway_upstream_calls_total',
  help: 'Calls to upstreams by outcome (ok, client_error, server_error, timeout, unreachable, circuit_open, bulkhead_full)',
  labelNames: ['upstream', 'outcome'],
});

export interface BulkheadUse {
  upstream: string;
  execution: number;
  queue: number;
}

const bulkheadSources = new Set<() => BulkheadUse[]>();

/** Bulkhead use is read at scrape time; returns the unsubscribe. */
export function reportBulkheadUse(source: () => BulkheadUse[]): () => void {
  bulkheadSources.add(source);
  return () => bulkheadSources.delete(source);
}

export const bulkheadSlotsInUse = new Gauge({
  name: 'gateway_bulkhead_slots_in_use',
  help: 'Bulkhead slots in use per upstream: kind=execution (calls running) or queue (calls waiting)',
  labelNames: ['upstream', 'kind'],
  collect() {
    this.reset();
    for (const source of bulkheadSources) {
      for (const use of source()) {
        this.inc({ upstream: use.upstream, kind: 'execution' }, use.execution);
        this.inc({ upstream: use.upstream, kind: 'queue' }, use.queue);
      }
    }
  },
});

export const rateLimitDecisions = new Counter({
  name: 'gateway_rate_limit_decisions_total',
  help: 'Rate-limit decisions by outcome (allowed, limited)',
  labelNames: ['decision'],
});

export const liveStreams = new Gauge({
  name: 'gateway_live_streams',
  help: 'Open order event streams (GET /v1/orders/{orderId}/events) on this replica',
});

export const catalogReads = new Counter({
  name: 'gateway_catalog_reads_total',
  help: 'GET /v1/products by source: hit (fresh from the cache), refreshing (stale entry served during its one rebuild), miss (built for the read), stale (last known, the order service failing)',
  labelNames: ['source'],
});

export const admissionRefusals = new Counter({
  name: 'gateway_admission_refusals_total',
  help: 'Requests refused before any work by admission control, by class (browse, checkout, status) and reason (gateway-busy, pipeline-full)',
  labelNames: ['class', 'reason'],
});

type AdmissionLoad = { concurrent: number; ordersInFlight: number | undefined; backlogBound: number };
const admissionSources = new Set<() => AdmissionLoad>();

/** Admission's load is read at scrape time; returns the unsubscribe. */
export function reportAdmissionLoad(source: () => AdmissionLoad): () => void {
  admissionSources.add(source);
  return () => admissionSources.delete(source);
}

export const admissionLoad = new Gauge({
  name: 'gateway_admission_load',
  help: 'What admission control reads: kind=concurrent (shed-class requests being served), kind=orders_in_flight (placed, not terminal; absent while the feed is down), kind=orders_in_flight_bound (checkouts refused at this backlog)',
  labelNames: ['kind'],
  collect() {
    this.reset();
    for (const source of admissionSources) {
      const load = source();
      this.set({ kind: 'concurrent' }, load.concurrent);
      if (load.ordersInFlight !== undefined) this.set({ kind: 'orders_in_flight' }, load.ordersInFlight);
      this.set({ kind: 'orders_in_flight_bound' }, load.backlogBound);
    }
  },
});

export const admissionLimit = new Gauge({
  name: 'gateway_admission_limit',
  help: 'Admission bounds: kind=concurrent (requests at once), kind=shed_<class> (the concurrency at which that class is refused)',
  labelNames: ['kind'],
});
