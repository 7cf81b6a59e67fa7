/**
 * `npm test` and friends: finds spec files by kind, makes sure the real
 * infrastructure answers (Postgres, Redis, Kafka) before integration and
 * end-to-end tests, and runs them with Node's own test runner.
 *
 *   node tools/test/run.ts unit|int|e2e|web|browser|all [--only <substring>]
 *
 * `web` runs the web app's Vitest component tests; `browser` the headless
 * Chromium suite (e2e/src/browser/run.ts) against a local platform of its own.
 */
import { spawn } from 'node:child_process';
import { globSync } from 'node:fs';

type Kind = 'unit' | 'int' | 'e2e' | 'web' | 'browser';

const patterns: Record<Kind, string[]> = {
  unit: ['libs/*/src/**/*.unit.spec.ts', 'services/*/src/**/*.unit.spec.ts', 'tools/**/*.unit.spec.ts', 'k8s/**/*.unit.spec.ts'],
  int: ['libs/*/src/**/*.int.spec.ts', 'services/*/src/**/*.int.spec.ts', 'tools/**/*.int.spec.ts'],
  e2e: ['e2e/src/**/*.e2e.spec.ts'],
  web: ['web/src/**/*.test.tsx', 'web/src/**/*.test.ts'],
  browser: ['e2e/src/browser/run.ts'],
};

const [, , which = 'all', ...rest] = process.argv;
const only = rest[rest.indexOf('--only') + 1];
const kinds: Kind[] = which === 'all' ? ['unit', 'web', 'int', 'e2e', 'browser'] : [which as Kind];
if (!kinds.every((kind) => kind in patterns)) {
  console.error(`usage: node tools/test/run.ts unit|int|e2e|web|browser|all [--only <substring>]`);
  process.exit(2);
}

const results: { kind: Kind; code: number; seconds: number; files: number }[] = [];
let infraStop: (() => Promise<void>) | undefined;
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
    console.log(`\n▶ ${kind}: ${files.length} spec file(s)`);
    const started = Date.now();
    const code = kind === 'web' ? await runWebTests() : kind === 'browser' ? await runBrowserSuite() : await runNodeTests(files, kind);
    results.push({ kind, code, seconds: (Date.now() - started) / 1000, files: files.length });
    if (code !== 0 && process.env.TEST_KEEP_GOING !== 'true') break;
  }
} finally {
  await infraStop?.();
}

console.log('\n── summary ──');
for (const result of results) console.log(`${result.kind.padEnd(5)} ${result.code === 0 ? 'ok    ' : 'FAILED'} ${result.files} file(s) in ${result.seconds.toFixed(1)} s`);
process.exit(results.some((result) => result.code !== 0) ? 1 : 0);

function runNodeTests(files: string[], kind: Kind): Promise<number> {
  const args = [
    '--import', '@swc-node/register/esm-register',
    '--conditions=@shopfront/source',
    '--enable-source-maps',
    '--disable-warning=TimeoutNegativeWarning',
    '--test',
    '--test-reporter=spec',
    // Integration and e2e tests share one broker and one CPU pair: one file at a time keeps timings honest.
    `--test-concurrency=${kind === 'unit' ? 2 : 1}`,
    `--test-timeout=${kind === 'e2e' ? 600_000 : 120_000}`,
    ...files,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function runChild(args: string[], cwd?: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', cwd, env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Vitest (happy-dom) over the web app's components. */
function runWebTests(): Promise<number> {
  return runChild(['../node_modules/vitest/vitest.mjs', 'run'], 'web');
}

/** The headless Chromium suite; it builds the web app if stale and starts its own platform. */
function runBrowserSuite(): Promise<number> {
  return runChild(['--import', '@swc-node/register/esm-register', '--conditions=@shopfront/source', '--disable-warning=TimeoutNegativeWarning', 'e2e/src/browser/run.ts']);
}
