/**
 * The edge first for the CPU (ADR 0020), on a machine where every process
 * shares the same cores: the gateway's main thread, and the local Redis it
 * waits on for every request, are given real-time round-robin priority
 * (SCHED_RR 1), so a refusal or a cached catalog read is answered within
 * milliseconds however busy the saga work keeps the cores. Their work is
 * small (a third of a core at 250 requests/s), and the kernel's real-time
 * throttle leaves 5 % of each core to the others whatever happens. Nice
 * values alone did not do it: at nice 5 behind the gateway the read p99 was
 * 0.2-2 s from run to run, under SCHED_RR 11-38 ms (docs/performance.md).
 * A cluster gets the same from the gateway's own CPU request.
 *
 * Done with util-linux's `chrt`, since Node cannot set a scheduling policy;
 * where it is missing or not permitted (no CAP_SYS_NICE) nothing changes.
 */
import { spawnSync } from 'node:child_process';
import { listenerPid } from './listeners.ts';

/**
 * SCHED_RR priority 1 for `pid`: its main thread (threads it starts later
 * inherit it), or all its threads. `resetOnFork`: processes it starts run at
 * the normal policy (a load generator's platform, Redis's save child).
 */
export function realtime(pid: number, threads: 'main' | 'all' = 'main', resetOnFork = false): boolean {
  return chrt([...(threads === 'all' ? ['-a'] : []), ...(resetOnFork ? ['-R'] : []), '-r', '-p', '1', String(pid)]);
}

/** Back to the normal policy (SCHED_OTHER), all threads: what a process shared with others gets again when the platform stops. */
export function normalPriority(pid: number): boolean {
  return chrt(['-a', '-o', '-p', '0', String(pid)]);
}

const chrt = (args: string[]): boolean => spawnSync('chrt', args, { stdio: 'ignore', timeout: 2_000 }).status === 0;

/** The pid listening on a loopback TCP port of this machine (a local Redis), or undefined for any other host. */
export function localListener(url: string): number | undefined {
  const { hostname, port } = new URL(url);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname) || !port) return undefined;
  return listenerPid(Number(port));
}

/** Whether EDGE_REALTIME (default on) asks for it. */
export function edgeRealtimeWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.EDGE_REALTIME ?? 'true').toLowerCase();
  if (value !== 'true' && value !== 'false') throw new Error(`EDGE_REALTIME must be true or false, got "${env.EDGE_REALTIME}"`);
  return value === 'true';
}
