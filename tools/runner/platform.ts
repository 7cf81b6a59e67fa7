/** Starts the six services under a supervisor and waits until each one is ready. */
import { fileURLToPath } from 'node:url';
import { serviceCommand, serviceEnv, serviceNames, serviceScheduling, type PlatformSettings, type ServiceName } from './services.ts';
import { localListener, normalPriority, realtime } from './edge-priority.ts';
import { Supervisor, type SupervisorOptions } from './supervisor.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface LocalPlatform {
  supervisor: Supervisor;
  url(service: ServiceName): string;
  waitReady(services?: readonly ServiceName[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startServices(settings: PlatformSettings, options: Omit<SupervisorOptions, 'cwd'> = {}): LocalPlatform {
  const supervisor = new Supervisor({ cwd: repoRoot, ...options });
  for (const name of serviceNames) supervisor.start({ name, args: serviceCommand(name), env: serviceEnv(name, settings), ...serviceScheduling(name, settings) });
  // Every gateway request waits on Redis (rate limits, the auth-failure throttle): a local one is part of the edge.
  const redis = settings.edgeRealtime ? localListener(settings.redisUrl) : undefined;
  const raisedRedis = redis !== undefined && realtime(redis, 'all', true);
  const url = (service: ServiceName) => `http://${settings.host}:${settings.ports[service]}`;
  return {
    supervisor,
    url,
    waitReady: (services = serviceNames, timeoutMs = 120_000) =>
      Promise.all(services.map((service) => waitForReady(url(service), timeoutMs, service))).then(() => undefined),
    // The machine's Redis outlives the platform: it gets its normal policy back.
    stop: () => supervisor.stop().finally(() => raisedRedis && normalPriority(redis)),
  };
}

/** Polls `GET /health/ready` until it answers 200. */
export async function waitForReady(baseUrl: string, timeoutMs: number, what = baseUrl): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${last}`);
}
