/**
 * CPU profiles of the services for one step. `--cpu-prof` alone would profile
 * a process from start to exit (mostly start-up and idle); instead each
 * service runs with its inspector on a free local port (`--inspect=127.0.0.1:0`)
 * and the V8 profiler is started and stopped around the step through it. The
 * files are the same `.cpuprofile` format `--cpu-prof` writes (Chrome
 * DevTools, speedscope, `node --cpu-prof` tooling all read them).
 */
import type { BenchPlatform } from './platform.ts';
import { listeningPorts } from '../../runner/listeners.ts';

export const inspectorFlag = '--inspect=127.0.0.1:0';

interface Session {
  service: string;
  socket: WebSocket;
  call(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

async function connect(service: string, pid: number, servicePort: number): Promise<Session> {
  const ports = listeningPorts(pid).filter((port) => port !== servicePort);
  for (const port of ports) {
    const targets = (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => (response.ok ? response.json() : []))
      .catch(() => [])) as { webSocketDebuggerUrl?: string }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) continue;
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', () => reject(new Error(`${service}: inspector at ${url} refused`)), { once: true });
    });
    let nextId = 1;
    const waiting = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : waiting.get(message.id);
      if (!waiter) return;
      waiting.delete(message.id!);
      if (message.error) waiter.reject(new Error(`${service}: ${message.error.message}`));
      else waiter.resolve(message.result ?? {});
    });
    const call = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      });
    return { service, socket, call };
  }
  throw new Error(`${service} (pid ${pid}) has no inspector listening; was it started with ${inspectorFlag}?`);
}

export interface StepProfiler {
  /** Stops profiling and returns each service's profile (JSON text). */
  stop(): Promise<Record<string, string>>;
}

export async function profileServices(services: Record<string, { pid: number | undefined; port: number }>): Promise<StepProfiler> {
  const sessions: Session[] = [];
  try {
    for (const [service, { pid, port }] of Object.entries(services)) {
      if (pid === undefined) throw new Error(`${service} is not running`);
      const session = await connect(service, pid, port);
      sessions.push(session);
      await session.call('Profiler.enable');
      await session.call('Profiler.start');
    }
  } catch (error) {
    for (const session of sessions) session.socket.close();
    throw error;
  }
  return {
    async stop() {
      const profiles: Record<string, string> = {};
      for (const session of sessions) {
        try {
          const { profile } = await session.call('Profiler.stop');
          profiles[session.service] = JSON.stringify(profile);
        } finally {
          session.socket.close();
        }
      }
      return profiles;
    },
  };
}

/** Every service of a bench's own platform (started with `profile: true`), profiled from now until `stop`. */
export const profilePlatform = (platform: BenchPlatform): Promise<StepProfiler> =>
  profileServices(Object.fromEntries(Object.entries(platform.pids()).map(([name, pid]) => [name, { pid, port: platform.ports[name as keyof typeof platform.ports] }])));
