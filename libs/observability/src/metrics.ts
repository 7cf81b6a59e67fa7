import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, Histogram, register } from 'prom-client';

let collecting = false;

/** Process metrics once per process; libraries add theirs to the same default registry. */
export function startProcessMetrics(service: string): void {
  if (collecting) return;
  collecting = true;
  register.setDefaultLabels({ service });
  // The event-loop lag monitor samples on a timer, and every wake-up of an idle service costs a
  // system call: prom-client's 10 ms woke it 100 times a second, 100 ms still 10. Once a second
  // catches every stall of a second or more; how busy the loop is comes from the utilization
  // below, which libuv keeps anyway and costs no timer.
  collectDefaultMetrics({ eventLoopMonitoringPrecision: 1000 });
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  new Gauge({
    name: 'nodejs_eventloop_utilization_ratio',
    help: 'Share of wall time the event loop spent running callbacks since the previous scrape (0-1)',
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, last).utilization);
      last = now;
    },
  });
}

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by route, method and status (RED)',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const metricsText = (): Promise<string> => register.metrics();
export const metricsContentType = register.contentType;
