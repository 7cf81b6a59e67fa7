/**
 * Runs service processes the way Kubernetes would on one machine: restarts a
 * process that dies (with capped exponential backoff), and on stop sends
 * SIGTERM, waits for a graceful exit, then SIGKILLs what is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { realtime } from './edge-priority.ts';
import { formatLogLine } from './log-format.ts';

export interface ProcessSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
  /**
   * Scheduling priority (nice, 0-19): higher yields the CPU to the others first.
   * On one machine this plays the part of a cluster's CPU requests (ADR 0020).
   */
  niceness?: number;
  /** SCHED_RR for the process's main thread where permitted (tools/runner/edge-priority.ts); the gateway's, on one machine. */
  realtime?: boolean;
}

interface Supervised {
  spec: ProcessSpec;
  child: ChildProcess | undefined;
  restarts: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  /** Killed on purpose (a chaos drill or a test): restart only when asked. */
  held: boolean;
}

export interface SupervisorOptions {
  cwd: string;
  /** Where each line of each process goes (already formatted). */
  print?: (line: string) => void;
  /** Print raw JSON instead of the readable form. */
  raw?: boolean;
  gracefulMs?: number;
  /**
   * A folder where a chaos drill may leave `<name>.json` ({@link LaunchOverride}), read at each
   * launch: the drill kills the process and the supervisor starts it again inside a network
   * namespace, or with a skewed clock. Removing the file and killing again puts it back.
   */
  overridesDir?: string;
}

/** How one launch differs from the spec: a command to run node under, and environment to add. */
export interface LaunchOverride {
  /** E.g. `['ip', 'netns', 'exec', 'sf-payment']`; it must exec node, so the pid stays the service's. */
  prefix?: string[];
  env?: Record<string, string>;
}

function readOverride(dir: string | undefined, name: string): LaunchOverride {
  if (!dir) return {};
  try {
    return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as LaunchOverride;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

export class Supervisor {
  private readonly processes = new Map<string, Supervised>();
  private stopping = false;

  private readonly options: SupervisorOptions;

  constructor(options: SupervisorOptions) {
    this.options = options;
  }

  start(spec: ProcessSpec): void {
    const entry: Supervised = { spec, child: undefined, restarts: 0, startedAt: 0, timer: undefined, held: false };
    this.processes.set(spec.name, entry);
    this.launch(entry);
  }

  /** SIGKILLs a process and keeps it down until `resume` (for drills and tests). */
  async kill(name: string): Promise<void> {
    const entry = this.entry(name);
    entry.held = true;
    await this.terminate(entry, 'SIGKILL', 0);
  }

  resume(name: string): void {
    const entry = this.entry(name);
    entry.held = false;
    if (!entry.child) this.launch(entry);
  }

  /** Stops every process: SIGTERM, then SIGKILL after `gracefulMs`. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.processes.values()].map((entry) => this.terminate(entry, 'SIGTERM', this.options.gracefulMs ?? 10_000)));
  }

  pids(): number[] {
    return [...this.processes.values()].flatMap((entry) => (entry.child?.pid ? [entry.child.pid] : []));
  }

  pidsByName(): Record<string, number | null> {
    return Object.fromEntries([...this.processes].map(([name, entry]) => [name, entry.child?.pid ?? null]));
  }

  private entry(name: string): Supervised {
    const entry = this.processes.get(name);
    if (!entry) throw new Error(`no process named ${name}`);
    return entry;
  }

  private launch(entry: Supervised): void {
    const print = this.options.print ?? ((line: string) => console.log(line));
    let override: LaunchOverride;
    try {
      override = readOverride(this.options.overridesDir, entry.spec.name);
    } catch (error) {
      print(formatLogLine('runner', JSON.stringify({ level: 'warn', msg: `${entry.spec.name}: launch override ignored: ${(error as Error).message}` })));
      override = {};
    }
    const [command, ...prefixArgs] = [...(override.prefix ?? []), process.execPath];
    const child = spawn(command!, [...prefixArgs, ...entry.spec.args], {
      cwd: this.options.cwd,
      env: { ...process.env, ...entry.spec.env, ...override.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    entry.child = child;
    entry.startedAt = Date.now();
    if (entry.spec.niceness && child.pid) {
      try {
        setPriority(child.pid, entry.spec.niceness);
      } catch {
        // Not permitted here (a container without CAP_SYS_NICE may refuse): it runs at the default priority.
      }
    }
    if (entry.spec.realtime && child.pid && !realtime(child.pid)) {
      print(formatLogLine('runner', JSON.stringify({ level: 'info', msg: `${entry.spec.name}: real-time priority not permitted here; it runs at nice 0` })));
    }
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) print(this.options.raw ? line : formatLogLine(entry.spec.name, line));
      });
    }
    child.on('exit', (code, signal) => {
      entry.child = undefined;
      if (this.stopping || entry.held) return;
      // A process that ran a while before dying starts over with a short delay.
      if (Date.now() - entry.startedAt > 30_000) entry.restarts = 0;
      const delay = Math.min(250 * 2 ** entry.restarts, 10_000);
      entry.restarts++;
      print(formatLogLine('runner', JSON.stringify({ level: 'warn', msg: `${entry.spec.name} exited (${signal ?? `code ${code}`}); restart #${entry.restarts} in ${delay} ms` })));
      entry.timer = setTimeout(() => this.launch(entry), delay);
    });
  }

  private terminate(entry: Supervised, signal: NodeJS.Signals, graceMs: number): Promise<void> {
    clearTimeout(entry.timer);
    const child = entry.child;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill(signal);
    });
  }
}
