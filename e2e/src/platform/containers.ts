/**
 * The platform in containers, through testcontainers: Postgres, Redis, Kafka
 * and the six service images that `npm run images` builds, on one Docker
 * network of this run's own where each is reached by its name (postgres,
 * redis, kafka, order, …), as in docker-compose.yml. Each service is also
 * published on a free host port, fixed for the run so that its URL survives a
 * kill and restart.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@shopfront/testing';
import { GenericContainer, getContainerRuntimeClient, ImageName, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { e2eConfig } from '../config.js';
import { infrastructureControl } from './infrastructure.js';
import type { InfrastructureName, RunningPlatform, ServiceName } from './types.js';
import { processAlive } from './processes.js';

// Ryuk, testcontainers' reaper, is an image from a registry: none answers here.
// stop() removes what a run started; a crashed run's containers are removed by the next one.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

// The names and ports of infra/images/tags.ts and tools/runner/services.ts
// (e2e may import only libs, so they are repeated here).
const infraTags = { postgres: 'local/postgres:15', redis: 'local/redis:7', kafka: 'local/kafka:4' };
const serviceTag = (service: ServiceName) => `shopfront/${service}:dev`;
const defaultPorts: Record<ServiceName, number> = { gateway: 3000, order: 3001, inventory: 3002, payment: 3003, shipping: 3004, orchestrator: 3005 };
const serviceNames = Object.keys(defaultPorts) as ServiceName[];
const runLabel = 'shopfront.e2e.pid';

/** True when a Docker engine answers and every image the platform needs is built. */
export async function dockerAnswers(): Promise<boolean> {
  const client = await getContainerRuntimeClient().catch(() => undefined);
  if (!client) return false;
  const images = [...Object.values(infraTags), ...serviceNames.map(serviceTag)];
  const present = await Promise.all(images.map((image) => client.image.exists(ImageName.fromString(image))));
  const missing = images.filter((_, index) => !present[index]);
  if (missing.length > 0) console.log(`e2e: a Docker engine answers but images are missing (${missing.join(', ')}); run \`npm run images\``);
  return missing.length === 0;
}

export interface ContainerPlatformOptions {
  /** Services to start (all six by default); infrastructure always starts. */
  services?: ServiceName[];
  extraEnv?: Record<string, string>;
}

export async function startContainerPlatform(options: ContainerPlatformOptions = {}): Promise<RunningPlatform> {
  const wanted = serviceNames.filter((name) => !options.services || options.services.includes(name));
  refreshImages(wanted);
  await removeLeftovers();
  const network = await new Network().start();
  const started = new Map<string, StartedTestContainer>();
  const logs = new Map<string, string[]>();
  try {
    // Postgres and Redis on fixed host ports, so that a fault drill reaches them and they keep their address across a restart.
    const infraPorts = { postgres: await freePort(), redis: await freePort() };
    const define = (name: InfrastructureName) => infrastructure(infraPorts)[name].withLogConsumer(keepTail(logs, name));
    await Promise.all(
      (['postgres', 'redis', 'kafka'] as const).map(async (name) => {
        started.set(name, await define(name).withNetwork(network).start());
      }),
    );
    const hostPorts = Object.fromEntries(await Promise.all(wanted.map(async (name) => [name, await freePort()] as const)));
    await Promise.all(
      wanted.map(async (name) => {
        const container = serviceContainer(name, network, hostPorts[name]!, options.extraEnv ?? {});
        started.set(name, await container.withLogConsumer(keepTail(logs, name)).start());
      }),
    );
    const url = (service: ServiceName) => {
      if (!hostPorts[service]) throw new Error(`${service} was not started in this platform`);
      return `http://127.0.0.1:${hostPorts[service]}`;
    };
    const containerOf = (service: ServiceName) => started.get(service) ?? fail(`${service} was not started in this platform`);
    return {
      mode: 'testcontainers',
      gatewayUrl: wanted.includes('gateway') ? url('gateway') : '',
      serviceUrl: url,
      async kill(service) {
        const client = await getContainerRuntimeClient();
        await client.container.getById(containerOf(service).getId()).kill();
      },
      // Starts the same container again (its ports and network aliases stay) and waits for /health/ready.
      restart: (service) => containerOf(service).restart(),
      stop: () => stopAll(started, network),
      logTail: (service) => (logs.get(service) ?? []).join('\n'),
      infrastructure: infrastructureControl({ started, network, define, hostPorts: infraPorts }),
    };
  } catch (error) {
    const tails = [...logs].map(([name, lines]) => `--- ${name} (last lines)\n${lines.join('\n')}`).join('\n');
    await stopAll(started, network);
    throw new Error(`container platform did not start: ${(error as Error).message}\n${tails}`, { cause: error });
  }
}

/**
 * Images are built from the working tree: one that is older than the code
 * would test yesterday's service. `npm run images` rebuilds only what changed
 * (a few seconds when nothing did). E2E_IMAGES=as-built skips the check.
 */
function refreshImages(services: ServiceName[]): void {
  if (e2eConfig.E2E_IMAGES === 'as-built') return;
  const script = fileURLToPath(new URL('../../../infra/images/build.ts', import.meta.url));
  const result = spawnSync(process.execPath, [script, 'postgres', 'redis', 'kafka', ...services], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const built = result.stdout.split('\n').filter((line) => /built in/.test(line) && line.startsWith('  '));
  if (result.status !== 0) throw new Error(`npm run images failed:\n${result.stdout}`);
  console.log(`e2e: images ${built.length > 0 ? `rebuilt from the working tree:\n${built.join('\n')}` : 'up to date'}`);
}

function infrastructure(hostPorts: Record<'postgres' | 'redis', number>): Record<InfrastructureName, GenericContainer> {
  const labelled = (image: string) => new GenericContainer(image).withLabels({ [runLabel]: String(process.pid) });
  return {
    // A throwaway database server: durability buys nothing in a test run.
    postgres: labelled(infraTags.postgres).withNetworkAliases('postgres').withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off'])
      .withExposedPorts({ container: 5432, host: hostPorts.postgres })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/)),
    redis: labelled(infraTags.redis).withNetworkAliases('redis').withExposedPorts({ container: 6379, host: hostPorts.redis })
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/)),
    kafka: labelled(infraTags.kafka).withNetworkAliases('kafka').withWaitStrategy(Wait.forLogMessage(/Kafka Server started/)).withStartupTimeout(120_000),
  };
}

function serviceContainer(name: ServiceName, network: StartedNetwork, hostPort: number, extraEnv: Record<string, string>): GenericContainer {
  const port = defaultPorts[name];
  const upstreams = Object.fromEntries(serviceNames.map((service) => [`${service.toUpperCase()}_URL`, `http://${service}:${defaultPorts[service]}`]));
  return new GenericContainer(serviceTag(name))
    .withLabels({ [runLabel]: String(process.pid) })
    .withNetwork(network)
    .withNetworkAliases(name)
    .withEnvironment({
      ...upstreams,
      DATABASE_URL: `postgres://postgres@postgres:5432/shopfront_${name}`,
      KAFKA_BROKERS: 'kafka:9092',
      REDIS_URL: 'redis://redis:6379',
      CHAOS_ENABLED: 'true',
      LOG_LEVEL: e2eConfig.E2E_LOG_LEVEL,
      ...extraEnv,
    })
    .withExposedPorts({ container: port, host: hostPort })
    .withWaitStrategy(Wait.forHttp('/health/ready', port).forStatusCode(200))
    .withStartupTimeout(180_000);
}

async function stopAll(started: Map<string, StartedTestContainer>, network: StartedNetwork): Promise<void> {
  // Services first, so none logs a storm of errors about infrastructure going away;
  // 8 s to drain, as the local runner gives them.
  const services = [...started].filter(([name]) => serviceNames.includes(name as ServiceName));
  const infra = [...started].filter(([name]) => !serviceNames.includes(name as ServiceName));
  for (const group of [services, infra]) {
    await Promise.allSettled(group.map(([, container]) => container.stop({ timeout: 8_000 })));
  }
  await network.stop().catch(() => undefined);
}

/** Containers of earlier runs whose process is gone (killed before its stop()). */
async function removeLeftovers(): Promise<void> {
  const client = await getContainerRuntimeClient();
  const leftovers = await client.container.dockerode.listContainers({ all: true, filters: { label: [runLabel] } });
  for (const info of leftovers) {
    const pid = Number(info.Labels[runLabel]);
    if (pid !== process.pid && !processAlive(pid)) await client.container.getById(info.Id).remove({ force: true }).catch(() => undefined);
  }
}

/** The last lines each container wrote, shown when the platform fails to start. */
function keepTail(logs: Map<string, string[]>, name: string) {
  const lines: string[] = [];
  logs.set(name, lines);
  const verbose = e2eConfig.E2E_VERBOSE;
  return (stream: NodeJS.ReadableStream) =>
    stream.on('data', (chunk: Buffer | string) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        if (verbose) console.log(`[${name}] ${line}`);
        lines.push(line);
        if (lines.length > 30) lines.shift();
      }
    });
}

function fail(message: string): never {
  throw new Error(message);
}
