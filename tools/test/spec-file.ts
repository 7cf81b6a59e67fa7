/**
 * Runs one spec file in a process group of its own, bounded in time.
 *
 * Node's test runner waits for a test file's process to exit, and a file whose
 * tests are done can still be kept alive by a child it spawned (a Redis server,
 * a service): CI then sits there until its own limit. So every file here gets
 * `--test-force-exit`, a wall-clock limit after which its whole process group
 * is signalled (SIGTERM, then SIGKILL), and, once it has exited, a SIGKILL to
 * whatever is left in its group, so no orphan outlives the file that made it.
 */
import { spawn } from 'node:child_process';

export interface SpecCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface SpecFileResult extends SpecCounts {
  file: string;
  code: number;
  seconds: number;
  timedOut: boolean;
  output: string;
}

export interface SpecFileOptions {
  /** Node arguments before `--test` (loaders, conditions). */
  nodeArgs: string[];
  /** Instead of `node --test <file>`: a node script of its own (vitest, the browser suite), bounded the same way. */
  command?: { args: string[]; cwd?: string };
  /** Per-test timeout given to node's runner. */
  testTimeoutMs: number;
  /** Wall-clock limit for the whole file, set-up and tear-down included. */
  fileTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** Streams the file's output as it comes (one file at a time); otherwise it is only returned. */
  stream?: (chunk: string) => void;
  /** Called every `heartbeatMs` while the file runs, so a long file never looks like a hang. */
  heartbeat?: (elapsedSeconds: number) => void;
  heartbeatMs?: number;
  /** Grace between SIGTERM and SIGKILL when the limit is hit. */
  killGraceMs?: number;
}

/** Groups still running, so the runner can kill them all when it is itself interrupted. */
const running = new Set<number>();

export function killAllRunning(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pgid of running) signalGroup(pgid, signal);
}

export function runSpecFile(file: string, options: SpecFileOptions): Promise<SpecFileResult> {
  const started = Date.now();
  const args = options.command?.args ?? [...options.nodeArgs, '--test', '--test-isolation=none', '--test-force-exit', '--test-reporter=spec', `--test-timeout=${options.testTimeoutMs}`, file];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env, cwd: options.command?.cwd });
  const pgid = child.pid!;
  running.add(pgid);
  let output = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    options.stream?.(text);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);

  let timedOut = false;
  let forceKill: NodeJS.Timeout | undefined;
  const limit = setTimeout(() => {
    timedOut = true;
    const note = `\n✖ ${file} ran past its limit of ${Math.round(options.fileTimeoutMs / 1000)} s: killing its process group\n`;
    output += note;
    options.stream?.(note);
    signalGroup(pgid, 'SIGTERM');
    forceKill = setTimeout(() => signalGroup(pgid, 'SIGKILL'), options.killGraceMs ?? 5_000);
  }, options.fileTimeoutMs);
  const beat = options.heartbeat
    ? setInterval(() => options.heartbeat!(Math.round((Date.now() - started) / 1000)), options.heartbeatMs ?? 60_000)
    : undefined;

  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      clearTimeout(forceKill);
      clearInterval(beat);
      // Whatever the file spawned and did not reap dies with it.
      signalGroup(pgid, 'SIGKILL');
      running.delete(pgid);
      const counts = countTests(output);
      const failed = timedOut ? Math.max(counts.failed, 1) : counts.failed;
      resolve({
        file,
        ...counts,
        failed,
        code: timedOut ? 124 : (code ?? (signal ? 1 : 0)),
        seconds: (Date.now() - started) / 1000,
        timedOut,
        output,
      });
    });
  });
}

/**
 * The counts from the spec reporter's closing lines (`ℹ pass 3`, `ℹ fail 0`, `ℹ skipped 1`),
 * or a plain `N passed, N failed` line (the browser suite), or Vitest's `Tests  7 passed (7)`.
 */
export function countTests(output: string): SpecCounts {
  const plain = [...output.matchAll(/^(?:\S+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/gm)].at(-1);
  if (plain) return { passed: Number(plain[1]), failed: Number(plain[2]), skipped: Number(plain[3] ?? 0) };
  const vitest = /^\s*Tests\s+(?:(\d+) failed \| )?(\d+) passed(?: \| (\d+) skipped)?/m.exec(output.replace(/\x1b\[[0-9;]*m/g, ''));
  if (vitest) return { passed: Number(vitest[2]), failed: Number(vitest[1] ?? 0), skipped: Number(vitest[3] ?? 0) };
  const last = (name: string) => {
    const matches = [...output.matchAll(new RegExp(`^\\S* ?${name} (\\d+)\\s*$`, 'gm'))];
    return matches.length > 0 ? Number(matches[matches.length - 1]![1]) : 0;
  };
  return { passed: last('pass'), failed: last('fail') + last('cancelled'), skipped: last('skipped') + last('todo') };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already.
  }
}
