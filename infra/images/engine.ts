/**
 * Makes sure a Docker engine answers on this machine. The project's kind of
 * machine has no Docker until we install Debian's `docker.io`, and no systemd
 * to start it, so dockerd runs in the background with its log under
 * .local/docker/ and outlives this script (images and containers need it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

/** Where the engine listens: DOCKER_HOST when it is a unix socket, Docker's default otherwise. */
export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

/** One call to the engine's HTTP API over its socket; undefined when nothing answers. */
export function engineGet(path: string, timeoutMs = 2_000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    if (!existsSync(dockerSocket())) return resolve(undefined);
    const req = request({ socketPath: dockerSocket(), path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export const engineAnswers = async (): Promise<boolean> => (await engineGet('/_ping'))?.status === 200;

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

function run(command: string, args: string[], say: (line: string) => void): void {
  say(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with status ${result.status}`);
}

/** Debian packages this machine lacks, installed with one `apt-get update`. */
export function ensurePackages(packages: Record<string, string>, say: (line: string) => void): void {
  const missing = Object.entries(packages)
    .filter(([command]) => !onPath(command))
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: install them as root (apt-get install -y ${missing.join(' ')})`);
  run('apt-get', ['update', '-qq'], say);
  run('apt-get', ['install', '-y', '-qq', ...missing], say);
}

export async function ensureEngine(stateDir: string, say: (line: string) => void): Promise<void> {
  if (await engineAnswers()) return say(`engine: answers on ${dockerSocket()}`);
  ensurePackages({ dockerd: 'docker.io' }, say);
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, 'dockerd.log');
  say(`engine: starting dockerd in the background (log: ${logFile})`);
  const log = openSync(logFile, 'a');
  const daemon = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
  daemon.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await engineAnswers()) return say(`engine: dockerd ${daemon.pid} answers on ${dockerSocket()}`);
    if (daemon.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`dockerd did not answer on ${dockerSocket()} within 60 s; see ${logFile}`);
}
