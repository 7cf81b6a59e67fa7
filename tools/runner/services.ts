/** The platform's services, their ports and how each is started on this machine. */
import { edgeRealtimeWanted } from './edge-priority.ts';

export const serviceNames = ['order', 'inventory', 'payment', 'shipping', 'orchestrator', 'gateway'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** How long a stopped service gets to drain (SIGTERM, then SIGKILL); Kubernetes pods get the same after their preStop. */
export const drainMs = 8_000;

export const defaultPorts: Record<ServiceName, number> = {
  gateway: 3000,
  order: 3001,
  inventory: 3002,
  payment: 3003,
  shipping: 3004,
  orchestrator: 3005,
};

export interface PlatformSettings {
  host: string;
  ports: Record<ServiceName, number>;
  postgresUrl: string;
  /** Appended to `shopfront_<service>`: lets an e2e run use databases of its own. */
  databaseSuffix: string;
  kafkaBrokers: string;
  topicPrefix: string;
  redisUrl: string;
  extraEnv: Record<string, string>;
  /** Nice value of every service but the gateway (see niceness below). */
  backendNiceness: number;
  /** The gateway's main thread and a local Redis at real-time priority where permitted (tools/runner/edge-priority.ts). */
  edgeRealtime: boolean;
}

export function defaultSettings(env: NodeJS.ProcessEnv = process.env): PlatformSettings {
  const ports = { ...defaultPorts };
  for (const name of serviceNames) {
    const value = env[`${name.toUpperCase()}_PORT`];
    if (value) ports[name] = Number(value);
  }
  return {
    host: '127.0.0.1',
    ports,
    postgresUrl: env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432',
    databaseSuffix: '',
    kafkaBrokers: env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    extraEnv: {},
    backendNiceness: niceValue(env.SERVICE_NICENESS),
    edgeRealtime: edgeRealtimeWanted(env),
  };
}

function niceValue(text: string | undefined): number {
  if (text === undefined || text === '') return 5;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 19) throw new Error(`SERVICE_NICENESS must be an integer from 0 to 19, got "${text}"`);
  return value;
}

/** The environment one service process gets: its own database, the shared broker and Redis. */
export function serviceEnv(name: ServiceName, settings: PlatformSettings): Record<string, string> {
  const urls = Object.fromEntries(
    serviceNames.map((service) => [`${service.toUpperCase()}_URL`, `http://${settings.host}:${settings.ports[service]}`]),
  );
  return {
    ...urls,
    HOST: settings.host,
    [`${name.toUpperCase()}_PORT`]: String(settings.ports[name]),
    DATABASE_URL: `${settings.postgresUrl}/shopfront_${name}${settings.databaseSuffix}`,
    KAFKA_BROKERS: settings.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    // Only the gateway uses Redis.
    ...(name === 'gateway' ? { REDIS_URL: settings.redisUrl } : {}),
    // Names the service's spans; tracing itself is off until an exporter is set (docs/observability.md).
    OTEL_SERVICE_NAME: name,
    ...settings.extraEnv,
  };
}

/** Node 24 with TypeScript compiled on load: the same command in development, tests and e2e. */
export const serviceCommand = (name: ServiceName): string[] => [
  '--import',
  '@swc-node/register/esm-register',
  // Before the service's modules, so pg, ioredis, http and fastify are instrumented as they load.
  '--import',
  '@shopfront/observability/register',
  '--conditions=@shopfront/source',
  '--enable-source-maps',
  `services/${name}/src/main.ts`,
];

/**
 * The edge first (ADR 0020): on a machine whose cores every process shares,
 * the gateway runs at real-time priority where permitted and the services
 * behind it yield the CPU to it (nice), so that a refusal or
 * a cached catalog read is answered in milliseconds while the saga work
 * saturates the cores. A cluster gets the same from the gateway's CPU request.
 */
export const serviceScheduling = (name: ServiceName, settings: PlatformSettings): { niceness: number; realtime: boolean } =>
  name === 'gateway' ? { niceness: 0, realtime: settings.edgeRealtime } : { niceness: settings.backendNiceness, realtime: false };
