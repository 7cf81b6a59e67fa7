/**
 * `npm test` and friends: finds spec files by kind, makes sure the real
 * infrastructure answers (Postgres, Redis, Kafka) before integration and
 * end-to-end tests, and runs each file with Node's own test runner in a
 * process group of its own, bounded in time (spec-file.ts), so one stuck file
 * fails alone instead of holding the run forever.
 *
 *   node tools/test/run.ts unit|int|e2e|web|browser|all [--only <substring>]
 *
 * `web` runs the web app's Vitest component tests; `browser` the headless
 * Chromium suite (e2e/src/browser/run.ts) against a local platform of its own.
 * Both are bounded the same way.
 *
 * TEST_FILE_TIMEOUT_S overrides every kind's per-file limit; TEST_KEEP_GOING=true
 * runs the later kinds after a failed one.
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { killAllRunning, runSpecFile, type SpecFileResult } from './spec-file.ts';

type Kind = 'unit' | 'int' | 'e2e' | 'web' | 'browser';

const patterns: Record<Kind, string[]> = {
  unit: ['libs/*/src/**/*.unit.spec.ts', 'services/*/src/**/*.unit.spec.ts', 'tools/**/*.unit.spec.ts', 'k8s/**/*.unit.spec.ts'],
  int: ['libs/*/src/**/*.int.spec.ts', 'services/*/src/**/*.int.spec.ts', 'tools/**/*.int.spec.ts'],
  e2e: ['e2e/src/**/*.e2e.spec.ts'],
  web: ['web/src/**/*.test.tsx', 'web/src/**/*.test.ts'],
  browser: ['e2e/src/browser/run.ts'],
};

/** Integration and e2e files share one broker and one CPU pair: one at a time keeps timings honest. */
const plan: Record<Kind, { concurrency: number; testTimeoutMs: number; fileTimeoutMs: number }> = {
  unit: { concurrency: 2, testTimeoutMs: 30_000, fileTimeoutMs: 120_000 },
  int: { concurrency: 1, testTimeoutMs: 120_000, fileTimeoutMs: 360_000 },
  e2e: { concurrency: 1, testTimeoutMs: 600_000, fileTimeoutMs: 900_000 },
  web: { concurrency: 1, testTimeoutMs: 60_000, fileTimeoutMs: 300_000 },
  browser: { concurrency: 1, testTimeoutMs: 600_000, fileTimeoutMs: 900_000 },
};

/** The kinds that are one command rather than node:test files: the command, run bounded like a file. */
const commands: Partial<Record<Kind, { label: string; args: string[]; cwd?: string }>> = {
  web: { label: 'web (vitest)', args: ['../node_modules/vitest/vitest.mjs', 'run'], cwd: 'web' },
  browser: { label: 'e2e/src/browser/run.ts', args: ['--import', '@swc-node/register/esm-register', '--conditions=@shopfront/source', '--disable-warning=TimeoutNegativeWarning', 'e2e/src/browser/run.ts'] },
};

const nodeArgs = ['--import', '@swc-node/register/esm-register', '--conditions=@shopfront/source', '--enable-source-maps', '--disable-warning=TimeoutNegativeWarning'];

const [, , which = 'all', ...rest] = process.argv;
const only = rest.includes('--only') ? rest[rest.indexOf('--only') + 1] : undefined;
const kinds: Kind[] = which === 'all' ? ['unit', 'web', 'int', 'e2e', 'browser'] : [which as Kind];
if (!kinds.every((kind) => kind in patterns)) {
  console.error(`usage: node tools/test/run.ts unit|int|e2e|web|browser|all [--only <substring>]`);
  process.exit(2);
}
const overrideSeconds = Number(process.env.TEST_FILE_TIMEOUT_S ?? '');

let infraStop: (() => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every running spec file`);
    killAllRunning();
    void Promise.resolve(infraStop?.()).finally(() => process.exit(130));
  });
}

const results: { kind: Kind; files: SpecFileResult[]; seconds: number }[] = [];
try {
  for (const kind of kinds) {
    const files = patterns[kind].flatMap((pattern) => globSync(pattern)).filter((file) => !only || file.includes(only)).sort();
    if (files.length === 0) {
      console.log(`\n▶ ${kind}: no spec files`);
      continue;
    }
    if (kind !== 'unit' && kind !== 'web' && !infraStop) {
      // Loaded only when needed: unit tests run with no infrastructure at all.
      const { ensureInfra } = await import('../runner/infra.ts');
      infraStop = (await ensureInfra({ quiet: false })).stop;
    }
    const limits = { ...plan[kind], ...(overrideSeconds > 0 ? { fileTimeoutMs: overrideSeconds * 1000 } : {}) };
    console.log(`\n▶ ${kind}: ${files.length} spec file(s), at most ${limits.fileTimeoutMs / 1000} s each`);
    const started = Date.now();
    const done = await runKind(kind, files, limits);
    results.push({ kind, files: done, seconds: (Date.now() - started) / 1000 });
    if (done.some(failedFile) && process.env.TEST_KEEP_GOING !== 'true') break;
  }
} finally {
  await infraStop?.();
}

console.log('\n── summary ──');
for (const { kind, files, seconds } of results) {
  const failed = files.filter(failedFile);
  console.log(`${kind.padEnd(5)} ${failed.length === 0 ? 'ok    ' : 'FAILED'} ${files.length} file(s) in ${seconds.toFixed(1)} s`);
  for (const file of failed) console.log(`      ✖ ${file.file}${file.timedOut ? ' (killed at its time limit)' : ''} in ${file.seconds.toFixed(1)} s`);
}
const all = results.flatMap((result) => result.files);
const total = (key: 'passed' | 'failed' | 'skipped') => all.reduce((sum, file) => sum + file[key], 0);
console.log(`tests: ${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped`);
process.exit(all.some(failedFile) ? 1 : 0);

function failedFile(result: SpecFileResult): boolean {
  return result.code !== 0 || result.failed > 0;
}

async function runKind(kind: Kind, files: string[], limits: (typeof plan)[Kind]): Promise<SpecFileResult[]> {
  const queue = [...files];
  const done: SpecFileResult[] = [];
  const streaming = limits.concurrency === 1;
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const command = commands[kind];
  if (command) queue.splice(0, queue.length, command.label);
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      if (streaming) console.log(`\n· ${file}`);
      const result = await runSpecFile(file, {
        nodeArgs,
        command: command ? { args: command.args, cwd: command.cwd } : undefined,
        testTimeoutMs: limits.testTimeoutMs,
        fileTimeoutMs: limits.fileTimeoutMs,
        env,
        stream: streaming ? (chunk) => process.stdout.write(chunk) : undefined,
        heartbeat: (elapsed) => console.log(`  … ${file} still running (${elapsed} s of at most ${limits.fileTimeoutMs / 1000} s)`),
      });
      if (!streaming) process.stdout.write(`\n· ${file}\n${result.output}`);
      if (result.timedOut && kind === 'e2e') removeTestContainers();
      done.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limits.concurrency, files.length) }, worker));
  return done;
}

/** A killed e2e file cannot stop its containers: remove what testcontainers labelled. */
function removeTestContainers(): void {
  const list = spawnSync('docker', ['ps', '-aq', '--filter', 'label=org.testcontainers=true'], { encoding: 'utf8', timeout: 10_000 });
  const ids = (list.stdout ?? '').split('\n').filter(Boolean);
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore', timeout: 60_000 });
}
