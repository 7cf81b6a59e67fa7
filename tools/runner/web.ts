/**
 * The web app (storefront and console) is built by `npm start` itself, and
 * only when a source changed since the last build: a newcomer runs
 * `npm ci && npm start` and nothing else.
 */
import { spawn } from 'node:child_process';
import { existsSync, globSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './platform.ts';

const webDir = join(repoRoot, 'web');
const stamp = join(webDir, 'dist', '.built');
const sources = ['web/src/**/*', 'web/*.html', 'web/console/*.html', 'web/vite.config.ts', 'web/package.json', 'libs/contracts/src/**/*.ts'];

function newestSource(): number {
  return Math.max(...sources.flatMap((pattern) => globSync(pattern, { cwd: repoRoot })).map((file) => statSync(join(repoRoot, file)).mtimeMs));
}

export function webBuildIsCurrent(): boolean {
  return existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource();
}

/** Builds web/dist with Vite unless it is current; resolves once done. */
export async function ensureWebBuilt(say: (line: string) => void = console.log): Promise<void> {
  if (webBuildIsCurrent()) return;
  say('building the web app (storefront and console) with Vite');
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
    child.on('exit', (exit) => resolve(exit ?? 1));
  });
  if (code !== 0) throw new Error(`the web build failed (exit ${code})`);
  writeFileSync(stamp, new Date().toISOString());
}
