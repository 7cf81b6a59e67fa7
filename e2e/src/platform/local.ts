/**
 * The platform as local processes, for machines where no Docker engine
 * answers: real Postgres, Redis and Kafka on this machine, with databases,
 * topics and ports of this run's own so nothing else running is touched.
 */
import { randomBytes } from 'node:crypto';
import { createKafka, deleteTopicsWithPrefix } from '@shopfront/messaging';
import pg from 'pg';
import { ensureInfra } from '../../../tools/runner/infra.ts';
import { startServices, waitForReady } from '../../../tools/runner/platform.ts';
import { defaultSettings, serviceCommand, serviceEnv, serviceNames, type PlatformSettings } from '../../../tools/runner/services.ts';
import { e2eConfig } from '../config.js';
import type { RunningPlatform, ServiceName } from './types.js';

export interface LocalPlatformOptions {
  extraEnv?: Record<string, string>;
  portBase?: number;
  /** Names this run's databases and topics (`_e2e_<label>_<run>`), beside other runs'. */
  label?: string;
  /** Receives every line the services write, as raw JSON; by default they show only with E2E_VERBOSE. */
  onLogLine?: (line: string) => void;
  /** Gateways beside the first, as more replicas of one deployment (same database, Redis and topics); ports after the services'. */
  extraGateways?: number;
  /** Where chaos drills may leave launch overrides for the supervisor (tools/runner/supervisor.ts). */
  overridesDir?: string;
}

/** What a local run owns on the shared infrastructure, for suites that inspect it (the security suite searches it). */
export interface LocalPlatform extends RunningPlatform {
  topicPrefix: string;
  settings: PlatformSettings;
  /** A service's process now, undefined while it is down (the supervisor starts a killed one again). */
  pid(service: ServiceName): number | undefined;
  databaseUrl(service: ServiceName): string;
  /** Every gateway replica's URL, the first being `gatewayUrl`. */
  gatewayUrls: string[];
}

export async function startLocalPlatform(options: LocalPlatformOptions = {}): Promise<LocalPlatform> {
  const infra = await ensureInfra({ quiet: true });
  const run = `${options.label ? `${options.label}_` : ''}${randomBytes(3).toString('hex')}`;
  const base = options.portBase ?? e2eConfig.E2E_PORT_BASE;
  const settings: PlatformSettings = {
    ...defaultSettings({}),
    ports: { gateway: base, order: base + 1, inventory: base + 2, payment: base + 3, shipping: base + 4, orchestrator: base + 5 },
    databaseSuffix: `_e2e_${run}`,
    topicPrefix: `e2e.${run}.`,
    extraEnv: { LOG_LEVEL: e2eConfig.E2E_LOG_LEVEL, ...options.extraEnv },
  };
  const quiet = !e2eConfig.E2E_VERBOSE;
  const print = options.onLogLine ?? ((line: string) => quiet || console.log(line));
  const platform = startServices(settings, { print, raw: options.onLogLine !== undefined, gracefulMs: 8_000, overridesDir: options.overridesDir });
  const extraGatewayUrls = Array.from({ length: options.extraGateways ?? 0 }, (_, index) => {
    const replica = { ...settings, ports: { ...settings.ports, gateway: base + 6 + index } };
    platform.supervisor.start({ name: `gateway-${index + 2}`, args: serviceCommand('gateway'), env: serviceEnv('gateway', replica) });
    return `http://${settings.host}:${replica.ports.gateway}`;
  });
  try {
    await platform.waitReady(serviceNames, 180_000);
    await Promise.all(extraGatewayUrls.map((url) => waitForReady(url, 180_000, url)));
  } catch (error) {
    await platform.stop();
    await infra.stop();
    throw error;
  }
  return {
    mode: 'local-processes',
    topicPrefix: settings.topicPrefix,
    settings,
    pid: (service) => platform.supervisor.pidsByName()[service] ?? undefined,
    databaseUrl: (service: ServiceName) => `${settings.postgresUrl}/shopfront_${service}${settings.databaseSuffix}`,
    gatewayUrl: platform.url('gateway'),
    gatewayUrls: [platform.url('gateway'), ...extraGatewayUrls],
    serviceUrl: (service: ServiceName) => platform.url(service),
    kill: (service) => platform.supervisor.kill(service),
    async restart(service) {
      platform.supervisor.resume(service);
      await waitForReady(platform.url(service), 120_000, service);
    },
    async stop() {
      await platform.stop();
      await dropDatabases(settings.postgresUrl, settings.databaseSuffix);
      await deleteTopicsWithPrefix(createKafka({ clientId: 'e2e-cleanup', brokers: settings.kafkaBrokers.split(',') }), settings.topicPrefix).catch(() => undefined);
      await infra.stop();
    },
  };
}

async function dropDatabases(postgresUrl: string, suffix: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  try {
    for (const name of serviceNames) await client.query(`DROP DATABASE IF EXISTS shopfront_${name}${suffix} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
