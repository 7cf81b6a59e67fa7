/**
 * The maintained clients kafkajs is compared with (ADR 0024), installed on
 * first use into a folder of their own under .local, so the comparison never
 * touches the project's dependencies or lockfile. Versions are pinned: a
 * figure names what it measured.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../runner/platform.ts';

export type CandidateName = 'platformatic' | 'confluent';

export const candidates: Record<CandidateName, { pkg: string; version: string; env?: Record<string, string> }> = {
  platformatic: { pkg: '@platformatic/kafka', version: '2.12.1' },
  // No prebuilt binary can be downloaded here: it builds its native addon, with the librdkafka it bundles, from source.
  confluent: { pkg: '@confluentinc/kafka-javascript', version: '1.10.1', env: { npm_config_build_from_source: 'true', CKJS_LINKING: 'dynamic' } },
};

/**
 * A native addon must be built for the Node that loads it (24, from npm), not for the machine's Node
 * that runs npm (20): the target version, and its headers from the node package (none can be downloaded).
 */
const forThisNode = () => ({ npm_config_target: process.versions.node, npm_config_runtime: 'node', npm_config_nodedir: dirname(dirname(process.execPath)) });

export const candidateDir = (name: CandidateName) => join(repoRoot, '.local', 'kafka-clients', name);

const installedMarker = (name: CandidateName) => join(candidateDir(name), `installed-${candidates[name].version}`);

/** Installs a candidate unless it is there; resolves to the log file on failure (the comparison goes on without it). */
export async function ensureCandidate(name: CandidateName, say: (line: string) => void): Promise<{ ok: true } | { ok: false; log: string }> {
  const { pkg, version, env } = candidates[name];
  if (existsSync(installedMarker(name))) return { ok: true };
  const dir = candidateDir(name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `kafka-client-${name}`, private: true }, null, 2));
  const log = join(dir, 'install.log');
  say(`installing ${pkg}@${version} into .local/kafka-clients/${name} (first run only${env ? '; builds a native addon, a few minutes' : ''})…`);
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', `${pkg}@${version}`], { cwd: dir, env: { ...process.env, ...env, ...forThisNode() }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(log);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    const ticker = setInterval(() => say(`  …still installing ${pkg} (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    child.on('close', (exit) => {
      clearInterval(ticker);
      resolve(exit ?? 1);
    });
  });
  if (code !== 0) return { ok: false, log };
  writeFileSync(installedMarker(name), new Date().toISOString());
  say(`  installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { ok: true };
}
