/**
 * CPU seconds per process, read from /proc: each service's node process, the
 * Kafka broker, Postgres, and redis-server. Processes are found by the port
 * they listen on, so another platform or broker on this machine is never
 * counted by mistake. Postgres is reported twice: `postgres`, the backends
 * serving the platform's own databases (a backend's process title names its
 * database), and `postgres-all`, the whole server (other clients' backends,
 * the WAL writer and checkpointer, and through the postmaster's
 * reaped-children time every backend that exited).
 */
import { readFileSync } from 'node:fs';
import { allPids, listenerPid } from '../../runner/listeners.ts';

const ticksPerSecond = 100; // USER_HZ: 100 on every Linux build this project runs on (getconf CLK_TCK)

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, in seconds. */
  own: number;
  /** cutime + cstime: children it has waited for, in seconds. */
  reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const tick = (index: number) => Number(fields[index]) / ticksPerSecond;
    return { pid, ppid: Number(fields[1]), own: tick(11) + tick(12), reaped: tick(13) + tick(14) };
  } catch {
    return undefined; // exited since it was listed
  }
}

/** CPU seconds (user + system) a process has used so far; 0 once it has exited. */
export const cpuSecondsOf = (pid: number): number => readStat(pid)?.own ?? 0;

export interface Watched {
  /** Service name → its pid now (a restarted service has a new one). */
  services: () => Record<string, number | undefined>;
  kafkaPort: number;
  postgresPort: number;
  redisPort: number;
  /** The platform's databases: their backends make up `postgres`. */
  databases: string[];
}

/** The database a Postgres backend serves, from its title (`postgres: [<cluster>: ]<user> <database> <client> <state>`). */
export function backendDatabase(title: string): string | undefined {
  const match = /^postgres: (?:\S+: )?(\S+) (\S+) \S+\(\d+\)/.exec(title);
  return match?.[2];
}

const titleOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
};

export type CpuSample = Record<string, number>;

/** CPU seconds used so far by each watched process group, plus this bench process itself. */
export function sampleCpu(watched: Watched): CpuSample {
  const sample: CpuSample = {};
  for (const [name, pid] of Object.entries(watched.services())) sample[name] = pid === undefined ? 0 : (readStat(pid)?.own ?? 0);
  const kafka = listenerPid(watched.kafkaPort);
  sample.kafka = kafka === undefined ? 0 : (readStat(kafka)?.own ?? 0);
  const redis = listenerPid(watched.redisPort);
  sample.redis = redis === undefined ? 0 : (readStat(redis)?.own ?? 0);
  const postmaster = listenerPid(watched.postgresPort);
  const master = postmaster === undefined ? undefined : readStat(postmaster);
  if (master) {
    const children = allPids()
      .map(readStat)
      .filter((stat): stat is ProcStat => stat !== undefined && stat.ppid === master.pid);
    const ours = new Set(watched.databases);
    sample.postgres = children.filter((child) => ours.has(backendDatabase(titleOf(child.pid)) ?? '')).reduce((sum, child) => sum + child.own, 0);
    sample['postgres-all'] = master.own + master.reaped + children.reduce((sum, child) => sum + child.own, 0);
  } else {
    sample.postgres = 0;
    sample['postgres-all'] = 0;
  }
  const bench = process.cpuUsage();
  sample.bench = (bench.user + bench.system) / 1e6;
  return sample;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = values.map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0); // guest time is already inside user
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
}

export function cpuDelta(before: CpuSample, after: CpuSample): CpuSample {
  return Object.fromEntries(Object.keys(after).map((name) => [name, Math.max(0, (after[name] ?? 0) - (before[name] ?? 0))]));
}
