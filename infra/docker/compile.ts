/**
 * Compiles packages' src/ into dist/ for the service images, file by file with
 * swc: the same transform development runs through @swc-node/register (legacy
 * decorators with their metadata, which Nest's injection reads; ES2023; ESM),
 * so an image runs the code the tests ran. No type checking here: `npm run
 * typecheck` is the gate for that. Specs are left out; other files are copied.
 *
 *   node infra/docker/compile.ts libs/* services/order
 */
import { transformFile, type Options } from '@swc/core';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

const isSpec = (file: string) => file.endsWith('.spec.ts');

async function compilePackage(packageDir: string): Promise<number> {
  const src = join(packageDir, 'src');
  const dist = join(packageDir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  let count = 0;
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const target = join(dist, relative(src, file));
    if (isSpec(file) || file.endsWith('.d.ts')) continue;
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
  const count = await compilePackage(packageDir);
  console.log(`compiled ${packageDir}: ${count} files`);
}
