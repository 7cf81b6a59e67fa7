/** What every bench that starts a platform does around its work: clean up on every path, keep its result. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../runner/platform.ts';
import type { BenchPlatform } from './capacity/platform.ts';

/**
 * Runs `work`; whatever happens (an error, Ctrl-C, SIGTERM), the platform it
 * started is stopped and `cleanUp` runs. On an error the services' last lines
 * are printed, since the error alone rarely says why a platform failed.
 */
export async function guardedRun<T>(say: (line: string) => void, platform: () => BenchPlatform | undefined, cleanUp: () => Promise<unknown>, work: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping the bench's platform and dropping its databases and topics`);
    void Promise.allSettled([platform()?.stop(), cleanUp()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work();
  } catch (error) {
    const logs = platform()?.recentLogs() ?? [];
    if (logs.length > 0) say(`last service lines:\n${logs.slice(-15).join('\n')}`);
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await platform()?.stop();
  }
}

/** Kept beside the latest bench-results/<name>.json, so that a before and an after can be compared later. */
export function keepResult(name: string, startedAt: string, result: unknown, say: (line: string) => void): void {
  const kept = join('bench-results', `${name}-${startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(repoRoot, 'bench-results'), { recursive: true }); // absent in a fresh clone
  writeFileSync(join(repoRoot, kept), JSON.stringify(result, null, 2));
  say(`written: ${kept}`);
}

/** CPU profiles (service → .cpuprofile text) under bench-results/profiles/<name>/; returns the files written. */
export function writeProfiles(name: string, profiles: Record<string, string>): string[] {
  const directory = join('bench-results', 'profiles', name);
  mkdirSync(join(repoRoot, directory), { recursive: true });
  return Object.entries(profiles).map(([service, profile]) => {
    const file = join(directory, `${service}.cpuprofile`);
    writeFileSync(join(repoRoot, file), profile);
    return file;
  });
}
