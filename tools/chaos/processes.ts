/**
 * The platform's processes as a drill sees them: `npm start`'s, found through
 * its pid file, or a test's own (e2e), found through its supervisor. Either way
 * a killed service is started again by the supervisor, with whatever launch
 * override a drill left in `overridesDir` (tools/runner/supervisor.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, waitForReady } from '../runner/platform.ts';
import { defaultSettings, type PlatformSettings, type ServiceName } from '../runner/services.ts';

export interface PlatformProcesses {
  settings: PlatformSettings;
  /** A service's process now, or undefined while it is down. */
  pid(service: ServiceName): number | undefined;
  overridesDir: string;
}

/** `npm start`'s platform (tools/runner/start.ts writes the pid file every second). */
export function npmStartProcesses(): PlatformProcesses {
  const pidFile = join(repoRoot, '.local/run/pids.json');
  return {
    settings: defaultSettings(),
    overridesDir: join(repoRoot, '.local/run/launch'),
    pid(service) {
      try {
        return (JSON.parse(readFileSync(pidFile, 'utf8')) as Record<string, number | null>)[service] ?? undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export function requirePid(platform: PlatformProcesses, service: ServiceName): number {
  const pid = platform.pid(service);
  if (!pid) throw new Error(`no process for ${service}: is the platform running (npm start)?`);
  return pid;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGKILLs the service and waits until the supervisor has it running and ready again (under its override, if any). */
export async function relaunch(platform: PlatformProcesses, service: ServiceName): Promise<void> {
  const old = requirePid(platform, service);
  process.kill(old, 'SIGKILL');
  for (const until = Date.now() + 30_000; ; await sleep(200)) {
    const pid = platform.pid(service);
    if (pid && pid !== old) break;
    if (Date.now() > until) throw new Error(`${service} was not started again within 30 s`);
  }
}

export const serviceUrl = (platform: PlatformProcesses, service: ServiceName) => `http://${platform.settings.host}:${platform.settings.ports[service]}`;

export const untilReady = (platform: PlatformProcesses, service: ServiceName, what: string = service) => waitForReady(serviceUrl(platform, service), 60_000, what);
