/**
 * The platform the capacity bench measures: its own (the six services as
 * `npm start` runs them, on ports, databases and topics of this run, stopped
 * and dropped on every path), or one already running (`--url`). Starting
 * returns at once, so a signal during start-up can still stop what started.
 */
import { randomBytes } from 'node:crypto';
import { ensureInfra } from '../../runner/infra.ts';
import { startServices, waitForReady } from '../../runner/platform.ts';
import { defaultSettings, serviceNames, type PlatformSettings, type ServiceName } from '../../runner/services.ts';
import { dropBenchResources } from '../resources.ts';
import { listenerPid } from '../../runner/listeners.ts';
import { inspectorFlag } from './profiler.ts';

export interface BenchPlatform {
  gatewayUrl: string;
  own: boolean;
  ports: Record<ServiceName, number>;
  /** Service → its database name. */
  databases: Record<ServiceName, string>;
  /** This run's own topics (own platform only). */
  topicPrefix?: string;
  postgresUrl: string;
  kafkaBrokers: string;
  redisUrl: string;
  pids(): Record<ServiceName, number | undefined>;
  /** The last lines the services wrote (own platform only), for a failure report. */
  recentLogs(): string[];
  /** Resolves once every service answers ready; a failure report carries the services' last lines. */
  waitReady(): Promise<void>;
  /** Idempotent: safe from a signal handler and a finally at once. */
  stop(): Promise<void>;
}

const portsFrom = (base: number): Record<ServiceName, number> => ({ gateway: base, order: base + 1, inventory: base + 2, payment: base + 3, shipping: base + 4, orchestrator: base + 5 });

export async function startOwnPlatform(options: { portBase: number; profile: boolean; extraEnv?: Record<string, string> | undefined; say: (line: string) => void }): Promise<BenchPlatform> {
  const infra = await ensureInfra({ quiet: true });
  const run = randomBytes(3).toString('hex');
  const base = defaultSettings({});
  const settings: PlatformSettings = {
    ...base,
    ports: portsFrom(options.portBase),
    databaseSuffix: `_bench_${run}`,
    topicPrefix: `bench.${run}.`,
    // Otherwise as `npm start` runs them: what a user gets is what is measured.
    extraEnv: { ...options.extraEnv, ...(options.profile ? { NODE_OPTIONS: [process.env.NODE_OPTIONS, inspectorFlag].filter(Boolean).join(' ') } : {}) },
  };
  const logs: string[] = [];
  const print = (line: string) => {
    logs.push(line);
    if (logs.length > 200) logs.shift();
    // Errors show as they happen; the rest only in a failure report.
    if (/"level":\s*(50|60|"error"|"fatal")/.test(line)) options.say(`  service error: ${line.slice(0, 300)}`);
  };
  const services = startServices(settings, { print, raw: true, gracefulMs: 8_000 });
  const databases = Object.fromEntries(serviceNames.map((name) => [name, `shopfront_${name}${settings.databaseSuffix}`])) as Record<ServiceName, string>;
  let stopped: Promise<void> | undefined;
  const platform: BenchPlatform = {
    gatewayUrl: services.url('gateway'),
    own: true,
    ports: settings.ports,
    databases,
    topicPrefix: settings.topicPrefix,
    postgresUrl: settings.postgresUrl,
    kafkaBrokers: settings.kafkaBrokers,
    redisUrl: settings.redisUrl,
    pids: () => services.supervisor.pidsByName() as Record<ServiceName, number | undefined>,
    recentLogs: () => [...logs],
    waitReady: () =>
      services.waitReady(serviceNames, 180_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${logs.slice(-20).join('\n')}`, { cause: error });
      }),
    stop: () =>
      (stopped ??= (async () => {
        await services.stop();
        await dropBenchResources(settings.postgresUrl, settings.kafkaBrokers, Object.values(databases), settings.topicPrefix).catch((error: Error) =>
          options.say(`clean-up: ${error.message} (databases *${settings.databaseSuffix}, topics ${settings.topicPrefix}*)`),
        );
        await infra.stop();
      })()),
  };
  return platform;
}

/**
 * A platform already running, e.g. `npm start`: its services are found by
 * port (the gateway's, then order, inventory, payment, shipping, orchestrator
 * on the next five, as `npm start` and the e2e harness lay them out).
 */
export function attachedPlatform(gatewayUrl: string, databaseSuffix = ''): BenchPlatform {
  const settings = defaultSettings();
  const ports = portsFrom(Number(new URL(gatewayUrl).port || 80));
  return {
    gatewayUrl: gatewayUrl.replace(/\/$/, ''),
    own: false,
    ports,
    databases: Object.fromEntries(serviceNames.map((name) => [name, `shopfront_${name}${databaseSuffix}`])) as Record<ServiceName, string>,
    postgresUrl: settings.postgresUrl,
    kafkaBrokers: settings.kafkaBrokers,
    redisUrl: settings.redisUrl,
    pids: () => Object.fromEntries(serviceNames.map((name) => [name, listenerPid(ports[name])])) as Record<ServiceName, number | undefined>,
    recentLogs: () => [],
    waitReady: () => waitForReady(gatewayUrl.replace(/\/$/, ''), 10_000, `the gateway at ${gatewayUrl}`),
    stop: async () => undefined,
  };
}

/**
 * Sets every SKU the bench orders to the same availability through the admin
 * route, so each run does the same work (no step drifts into OUT_OF_STOCK).
 */
export async function restock(gatewayUrl: string, skus: readonly string[], available: number, adminKey = 'admin-key'): Promise<void> {
  const headers = { 'x-api-key': adminKey, 'content-type': 'application/json' };
  const listed = await fetch(`${gatewayUrl}/v1/admin/inventory`, { headers, signal: AbortSignal.timeout(10_000) });
  if (listed.status !== 200) throw new Error(`GET /v1/admin/inventory answered ${listed.status}: ${await listed.text()}`);
  const levels = new Map(((await listed.json()) as { items: { sku: string; reserved: number }[] }).items.map((item) => [item.sku, item]));
  for (const sku of skus) {
    const level = levels.get(sku);
    if (!level) throw new Error(`${sku} is not in the inventory: the bench orders SKU-001 to SKU-009`);
    // On hand counts what is reserved: available = onHand − reserved.
    const response = await fetch(`${gatewayUrl}/v1/admin/inventory/${sku}`, { method: 'PUT', headers, body: JSON.stringify({ onHand: level.reserved + available }), signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`PUT /v1/admin/inventory/${sku} answered ${response.status}: ${await response.text()}`);
  }
}
