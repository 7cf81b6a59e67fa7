import { Module, type DynamicModule, type INestApplication, type Provider, type Type } from '@nestjs/common';
import { ServiceKitModule, startHttpService, type HttpServiceOptions, type ServiceKitOptions } from '@shopfront/http';
import { createLogger, type Logger } from '@shopfront/observability';
import type { Migration } from '@shopfront/postgres';
import { fileURLToPath } from 'node:url';
import { prepareDatabase } from './database.js';
import { connectionsFrom, RuntimeModule, type ConnectionsConfig, type RuntimeOptions } from './runtime.module.js';

/** What runService reads from a service's config: variables every service has (`serviceEnv` in @shopfront/config). */
export interface ServiceBaseConfig {
  HOST: string;
  LOG_LEVEL: string;
  DATABASE_URL: string;
  CHAOS_ENABLED: boolean;
  INTERNAL_AUTH_SECRET: string;
}

/** Where a service differs from the others: the kit's routes, its connections' size and bounds, its relay. */
export interface ServiceImportOptions {
  kit?: Omit<ServiceKitOptions, 'chaosEnabled'>;
  runtime?: Omit<RuntimeOptions, 'service' | 'logger' | keyof ReturnType<typeof connectionsFrom>>;
}

/**
 * What every service's module imports: the service kit (health, metrics, fault routes when
 * CHAOS_ENABLED) and the runtime (its connections, from its config, and its message loops).
 */
export function serviceImports(
  service: string,
  config: ConnectionsConfig & Pick<ServiceBaseConfig, 'CHAOS_ENABLED'>,
  logger: Logger,
  options: ServiceImportOptions = {},
): DynamicModule[] {
  return [
    ServiceKitModule.forRoot({ chaosEnabled: config.CHAOS_ENABLED, ...options.kit }),
    RuntimeModule.forRoot({ service, logger, ...connectionsFrom(config), ...options.runtime }),
  ];
}

/** What makes one service's module its own: its controllers and providers, and how its imports differ. */
export interface ServiceParts extends ServiceImportOptions {
  controllers?: Type[];
  providers: Provider[];
}

/** A service's Nest module, as runService and the tests take it: built from its config and logger. */
export interface ServiceModule<Config> {
  register(config: Config, logger: Logger): DynamicModule;
}

/**
 * Declares a service's module once: `parts` lists what is the service's own, and every
 * service's module gets the same imports (serviceImports) around it. Nest wants a class per
 * module; one named after the service is made here, so no service writes that class again.
 */
export function serviceModule<Config extends ConnectionsConfig & Pick<ServiceBaseConfig, 'CHAOS_ENABLED'>>(
  service: string,
  parts: (config: Config) => ServiceParts,
): ServiceModule<Config> {
  const name = `${service.charAt(0).toUpperCase()}${service.slice(1)}Module`; // as Nest's logs name it
  const module = { [name]: class {} }[name]!;
  Module({})(module);
  return {
    register(config, logger) {
      const { controllers = [], providers, kit, runtime } = parts(config);
      return { module, imports: serviceImports(service, config, logger, { kit, runtime }), controllers, providers };
    },
  };
}

export interface ServiceDefinition<Config extends ServiceBaseConfig> extends Partial<Pick<HttpServiceOptions, 'access' | 'bodyLimit' | 'configure'>> {
  /** Names the logger, the process metrics and the start line. */
  name: string;
  config: Config;
  /** The service's Nest module, built from its config and logger (serviceModule). */
  module: ServiceModule<Config>;
  port: number;
  /** The service's own migrations folder: `new URL('../migrations', import.meta.url)` from its main.ts. */
  migrations: URL;
  /** Library tables applied after the messaging tables and before the service's own (the event store's). */
  libraryMigrations?: Migration[];
}

/**
 * A service's whole start, the same for every service: its logger, its database
 * (created if needed, then migrated), then its HTTP side. The port is internal
 * (the signed credential, ADR 0017) unless `access` says otherwise.
 */
export async function runService<Config extends ServiceBaseConfig>(service: ServiceDefinition<Config>): Promise<INestApplication> {
  const { name, config } = service;
  const logger = createLogger(name, config.LOG_LEVEL);
  await prepareDatabase(config.DATABASE_URL, fileURLToPath(service.migrations), service.libraryMigrations);
  return startHttpService(service.module.register(config, logger), {
    name,
    port: service.port,
    host: config.HOST,
    logger,
    chaosEnabled: config.CHAOS_ENABLED,
    access: service.access ?? { kind: 'internal', secret: config.INTERNAL_AUTH_SECRET },
    bodyLimit: service.bodyLimit,
    configure: service.configure,
  });
}
