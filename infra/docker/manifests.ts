/**
 * Copies what `npm ci` reads into a folder of its own, so the image's
 * dependency layer is rebuilt only when one of these files changes: the root
 * package.json, lockfile and .npmrc, and the manifest of each workspace the
 * lockfile records. A workspace created but not yet locked is left out instead
 * of failing the install; nothing imports a service, so no image misses it.
 *
 *   node infra/docker/manifests.ts /manifests
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const target = process.argv[2];
if (!target) throw new Error('usage: node infra/docker/manifests.ts <target folder>');
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, unknown> };
const workspaces = Object.keys(lock.packages).filter((path) => path !== '' && !path.includes('node_modules/'));
for (const file of ['package.json', 'package-lock.json', '.npmrc', ...workspaces.map((path) => `${path}/package.json`)]) {
  if (existsSync(file)) cpSync(file, join(target, file));
}
console.log(`manifests: root and ${workspaces.length} workspaces`);
