/**
 * Compiles packages' src/ into dist/ for the service images, file by file with
 * swc: the same transform development runs through @swc-node/register (legacy
 * decorators with their metadata, which Nest's injection reads; ES2023; ESM),
 * so an image runs the code the tests ran. No type checking here: `npm run
 * typecheck` is the gate for that. Tests never reach an image: specs, a package's
 * src/test/ folder (its fixtures) and packages marked `"shopfront": { "testsOnly": true }`
 * (libs/testing) are left out; other files are copied.
 *
 *   node infra/docker/compile.ts libs/* services/order
 */
import { transformFile, type Options } from '@swc/core';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const options: Options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
  swcrc: false,
  configFile: false,
};

/** A spec, or anything under the package's own src/test/ (fixtures live there, one folder per project). */
const isTestOnly = (src: string, file: string) => file.endsWith('.spec.ts') || relative(src, file).split('/')[0] === 'test';
const testsOnlyPackage = (packageDir: string) =>
  (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { shopfront?: { testsOnly?: boolean } }).shopfront?.testsOnly === true;

async function compilePackage(packageDir: string): Promise<number> {
  const src = join(packageDir, 'src');
  const dist = join(packageDir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  let count = 0;
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const target = join(dist, relative(src, file));
    if (isTestOnly(src, file) || file.endsWith('.d.ts')) continue;
    mkdirSync(dirname(target), { recursive: true });
    if (!file.endsWith('.ts')) {
      copyFileSync(file, target);
      continue;
    }
    const { code } = await transformFile(file, { ...options, filename: file });
    writeFileSync(target.replace(/\.ts$/, '.js'), code);
    count += 1;
  }
  return count;
}

for (const packageDir of process.argv.slice(2)) {
  if (testsOnlyPackage(packageDir)) {
    console.log(`skipped ${packageDir}: tests only`);
    continue;
  }
  const count = await compilePackage(packageDir);
  console.log(`compiled ${packageDir}: ${count} files`);
}
