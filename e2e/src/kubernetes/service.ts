/**
 * A Service as kube-proxy gives it: one address, round-robin over the pods
 * whose readiness probe passes. A pod leaves the endpoints when it starts
 * terminating, when its container exits, or after failureThreshold failed probes.
 */
import { createServer, request, type Server } from 'node:http';
import type { Cluster, Pod } from './pods.js';

export class EmulatedService {
  private readonly endpoints: Pod[] = [];
  private readonly probing = new Map<string, NodeJS.Timeout>();
  private next = 0;
  private server: Server | undefined;

  constructor(private readonly cluster: Cluster) {}

  listen(port: number): Promise<void> {
    this.server = createServer((incoming, outgoing) => {
      const pod = this.endpoints[this.next++ % Math.max(this.endpoints.length, 1)];
      if (!pod) {
        outgoing.writeHead(503).end('no ready endpoints');
        return;
      }
      const upstream = request({ host: '127.0.0.1', port: pod.hostPort, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      // kube-proxy does not retry: a connection the pod drops is the client's failure.
      upstream.on('error', (error) => outgoing.headersSent ? outgoing.destroy(error) : outgoing.writeHead(502).end(error.message));
      incoming.pipe(upstream);
    });
    return new Promise((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  /** Adds a ready pod and keeps probing it at its readiness period. */
  add(pod: Pod): void {
    this.endpoints.push(pod);
    void this.cluster.exited(pod).then(() => this.remove(pod));
    const probe = pod.template.readinessProbe;
    let failures = 0;
    const timer = setInterval(async () => {
      failures = (await this.cluster.probe(pod)) ? 0 : failures + 1;
      if (failures >= (probe?.failureThreshold ?? 3)) this.remove(pod);
    }, (probe?.periodSeconds ?? 10) * 1000);
    this.probing.set(pod.name, timer);
  }

  remove(pod: Pod): void {
    const index = this.endpoints.indexOf(pod);
    if (index >= 0) this.endpoints.splice(index, 1);
    clearInterval(this.probing.get(pod.name));
    this.probing.delete(pod.name);
  }

  get ready(): string[] {
    return this.endpoints.map((pod) => pod.name);
  }

  close(): Promise<void> {
    for (const timer of this.probing.values()) clearInterval(timer);
    this.probing.clear();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface LoadReport {
  sent: number;
  failed: number;
  longestMs: number;
  failures: string[];
}

/** Steady load: `workers` clients, each sending the next request as the last one answers, spaced by `gapMs`. */
export function steadyLoad(url: string, headers: Record<string, string>, workers = 2, gapMs = 20) {
  const report: LoadReport = { sent: 0, failed: 0, longestMs: 0, failures: [] };
  let running = true;
  const worker = async () => {
    while (running) {
      const started = Date.now();
      report.sent++;
      try {
        const answer = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
        await answer.arrayBuffer();
        if (answer.status >= 500 || answer.status === 429) throw new Error(`status ${answer.status}`);
      } catch (error) {
        report.failed++;
        if (report.failures.length < 10) report.failures.push(`${new Date().toISOString()} ${(error as Error).message}`);
      }
      report.longestMs = Math.max(report.longestMs, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  };
  const all = Promise.all(Array.from({ length: workers }, worker));
  return {
    report,
    stop: async () => {
      running = false;
      await all;
      return report;
    },
  };
}
