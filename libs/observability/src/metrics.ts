import { collectDefaultMetrics, Histogram, register } from 'prom-client';

let collecting = false;

/** Process metrics once per process; libraries add theirs to the same default registry. */
export function startProcessMetrics(service: string): void {
  if (collecting) return;
  collecting = true;
  register.setDefaultLabels({ service });
  // The event-loop lag monitor samples on a timer: prom-client's 10 ms woke every idle service 100
  // times a second. Every 100 ms still catches each stall worth an alert (they last longer than that).
  collectDefaultMetrics({ eventLoopMonitoringPrecision: 100 });
}

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by route, method and status (RED)',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const metricsText = (): Promise<string> => register.metrics();
export const metricsContentType = register.contentType;
