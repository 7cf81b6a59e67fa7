/**
 * `npm run images`: every container image the platform runs on, built on this
 * machine without a registry. Starts a Docker engine when none answers, makes
 * the Debian and Node bases, then the infrastructure and one image per service.
 * Idempotent: an image whose inputs (files, build arguments, base image) hash
 * to the label it already carries is skipped.
 *
 *   npm run images                         everything that is out of date
 *   npm run images -- shipping order       those (and the bases they need)
 *   npm run images -- --no-cache           rebuild everything, Debian base included
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultPorts, serviceNames } from '../../tools/runner/services.ts';
import { debianInputs, imageId, makePlainDebian, nodeInputs, prepareDebianContext, prepareNodeContext } from './bases.ts';
import { ensureEngine } from './engine.ts';
import { baseTags, infraTags, inputHashLabel, serviceTag } from './tags.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const stateDir = join(repoRoot, '.local/docker');
const serviceDockerfile = 'infra/docker/service.Dockerfile';
const say = (line: string) => console.log(`images: ${line}`);

interface ImageSpec {
  name: string;
  tag: string;
  dockerfile: string;
  /** Repository-relative files and folders whose content the image depends on. */
  inputs: string[];
  /** Anything else it depends on (versions), hashed with the inputs. */
  extraInputs?: () => string;
  base: string;
  args?: Record<string, string>;
  /** The build context: the repository root unless prepared elsewhere. */
  context?: () => string;
}

/** Services that exist in this checkout (the others are still being written). */
const presentServices = () => serviceNames.filter((name) => existsSync(join(repoRoot, 'services', name, 'src/main.ts')));

function specs(): ImageSpec[] {
  const workspaceManifests = ['libs', 'services']
    .flatMap((dir) => readdirSync(join(repoRoot, dir)).map((name) => `${dir}/${name}/package.json`))
    .concat('e2e/package.json');
  const infra = (name: keyof typeof infraTags, inputs: string[]): ImageSpec => ({
    name,
    tag: infraTags[name],
    dockerfile: `infra/images/${name}/Dockerfile`,
    inputs: [`infra/images/${name}`, ...inputs],
    base: baseTags.debian,
    args: { BASE_IMAGE: baseTags.debian },
    context: name === 'kafka' ? undefined : () => join(repoRoot, 'infra/images', name),
  });
  return [
    {
      name: 'debian',
      tag: baseTags.debian,
      dockerfile: 'infra/images/debian/Dockerfile',
      inputs: [],
      extraInputs: debianInputs,
      base: baseTags.plainDebian,
      args: { BASE_IMAGE: baseTags.plainDebian },
      context: () => prepareDebianContext(stateDir),
    },
    {
      name: 'node',
      tag: baseTags.node,
      dockerfile: 'infra/images/node/Dockerfile',
      inputs: ['infra/images/node'],
      extraInputs: () => nodeInputs(repoRoot, stateDir, say),
      base: baseTags.debian,
      args: { BASE_IMAGE: baseTags.debian },
      context: () => prepareNodeContext(repoRoot, stateDir, say),
    },
    infra('postgres', []),
    infra('redis', []),
    infra('kafka', ['infra/kafka/pom.xml', 'infra/kafka/broker.properties']),
    ...presentServices().map((service) => ({
      name: service,
      tag: serviceTag(service),
      dockerfile: serviceDockerfile,
      inputs: ['infra/docker', '.dockerignore', 'package.json', 'package-lock.json', '.npmrc', 'libs', `services/${service}`, ...workspaceManifests],
      base: baseTags.node,
      args: { BASE_IMAGE: baseTags.node, SERVICE: service, PORT: String(defaultPorts[service]) },
    })),
  ];
}

/** Files that never reach an image: tests, build output, installed packages. */
const ignored = (path: string) => /(^|\/)(node_modules|dist)(\/|$)|\.spec\.ts$|\.tsbuildinfo$/.test(path);

function inputHash(spec: ImageSpec): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    const absolute = join(repoRoot, path);
    if (ignored(path) || !existsSync(absolute)) return;
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) add(join(path, entry));
      return;
    }
    hash.update(`${path}\0`).update(readFileSync(absolute)).update('\0');
  };
  for (const path of [spec.dockerfile, ...spec.inputs]) add(path);
  hash.update(JSON.stringify(spec.args ?? {})).update(imageId(spec.base) ?? 'no base').update(spec.extraInputs?.() ?? '');
  return hash.digest('hex').slice(0, 16);
}

function labelOf(tag: string): string | undefined {
  const result = spawnSync('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${inputHashLabel}" }}`, tag], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Runs `docker build`, echoing only its step lines; the full output goes to a log file. */
function dockerBuild(spec: ImageSpec, hash: string, noCache: boolean): Promise<void> {
  const context = spec.context?.() ?? repoRoot;
  const args = ['build', '--network', 'host', '-f', join(repoRoot, spec.dockerfile), '-t', spec.tag, '--label', `${inputHashLabel}=${hash}`];
  for (const [key, value] of Object.entries(spec.args ?? {})) args.push('--build-arg', `${key}=${value}`);
  if (noCache) args.push('--no-cache');
  args.push(context);
  const logFile = join(stateDir, `build-${spec.name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      // Legacy builder "Step 3/9 : RUN ...", BuildKit "#7 [deps 2/3] RUN ...".
      if (/^Step \d+\/\d+ : |^#\d+ \[/.test(line)) say(`  ${spec.name}: ${line.slice(0, 110)}`);
    });
  }
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new Error(`docker build of ${spec.tag} failed (exit ${code}); full output in ${relative(repoRoot, logFile)}`));
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const noCache = argv.includes('--no-cache');
  const wanted = argv.filter((arg) => !arg.startsWith('--'));
  const started = Date.now();
  mkdirSync(stateDir, { recursive: true });
  await ensureEngine(stateDir, say);

  const timings: [string, string][] = [];
  const plainStarted = Date.now();
  if (noCache || !imageId(baseTags.plainDebian)) {
    makePlainDebian(baseTags.plainDebian, stateDir, say);
    timings.push([baseTags.plainDebian, `made in ${seconds(plainStarted)}`]);
  } else timings.push([baseTags.plainDebian, 'present']);

  const all = specs();
  const unknown = wanted.filter((name) => !all.some((spec) => spec.name === name));
  if (unknown.length > 0) throw new Error(`unknown image(s) ${unknown.join(', ')}; known: ${all.map((spec) => spec.name).join(', ')}`);
  const needsNode = wanted.length === 0 || wanted.some((name) => serviceNames.includes(name as never));
  const needed = (spec: ImageSpec) => wanted.length === 0 || wanted.includes(spec.name) || spec.name === 'debian' || (spec.name === 'node' && needsNode);
  const selected = all.filter(needed);
  // Docker's --no-cache goes to one service image only: the six share their
  // dependency and library layers, and rebuilding those once is enough.
  let serviceLayersFresh = false;
  try {
    for (const spec of selected) {
      const imageStarted = Date.now();
      const hash = inputHash(spec);
      if (!noCache && labelOf(spec.tag) === hash) {
        timings.push([spec.tag, `up to date (${hash})`]);
        say(`${spec.tag} is up to date`);
        continue;
      }
      const isService = spec.dockerfile === serviceDockerfile;
      say(`building ${spec.tag}`);
      await dockerBuild(spec, hash, noCache && !(isService && serviceLayersFresh));
      if (isService) serviceLayersFresh = true;
      timings.push([spec.tag, `built in ${seconds(imageStarted)}`]);
      say(`${spec.tag} built in ${seconds(imageStarted)}`);
    }
  } finally {
    const missing = serviceNames.filter((name) => !presentServices().includes(name));
    if (missing.length > 0) say(`not built (no services/<name>/src/main.ts yet): ${missing.join(', ')}`);
    for (const [tag, what] of timings) console.log(`  ${tag.padEnd(28)} ${what}`);
    say(`finished in ${seconds(started)}`);
  }
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

if (import.meta.main) {
  main().catch((error: Error) => {
    console.error(`images: ${error.message}`);
    process.exit(1);
  });
}
