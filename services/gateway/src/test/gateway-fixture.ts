/**
 * A gateway as it runs in production (the same module, bootstrap and
 * migrations) on a random port, over a fresh database of its own, a Redis key
 * prefix of its own and the stub upstream. Several may share one database and
 * one Redis, like replicas.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { startHttpService } from '@shopfront/http';
import { createLogger } from '@shopfront/observability';
import { readMigrations } from '@shopfront/postgres';
import { REDIS } from '@shopfront/runtime';
import { eventually, freshDatabase, testKafkaBrokers, testRedisUrl, type TestDatabase } from '@shopfront/testing';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadGatewayConfig, type GatewayConfig } from '../config.js';
import { GatewayModule } from '../gateway.module.js';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export const keys = { client1: 'dev-key-1', client2: 'dev-key-2', admin: 'admin-key' } as const;

export interface RunningGateway {
  url: string;
  config: GatewayConfig;
  app: INestApplication;
  stop(): Promise<void>;
}

export const gatewayDatabase = async (label: string): Promise<TestDatabase> => freshDatabase(`gateway_${label}`, await readMigrations(migrationsFolder));

/** A unique Redis prefix per test file, so parallel runs never share counters or locks. */
export const testRedisPrefix = (label: string) => `test:gateway:${label}:${randomBytes(4).toString('hex')}:`;

export async function startGateway(options: {
  databaseUrl: string;
  upstreamUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
  /** Off for a gateway started on purpose without a reachable Redis. */
  waitForRedis?: boolean;
}): Promise<RunningGateway> {
  const upstreams = Object.fromEntries(['ORDER', 'INVENTORY', 'PAYMENT', 'SHIPPING', 'ORCHESTRATOR'].map((name) => [`${name}_URL`, options.upstreamUrl]));
  const config = loadGatewayConfig({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: options.redisPrefix,
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    LOG_LEVEL: 'silent',
    ...upstreams,
    ...options.env,
  });
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const app = await startHttpService(GatewayModule.register(config, logger), {
    name: 'gateway',
    port: 0,
    host: '127.0.0.1',
    logger,
    chaosEnabled: config.CHAOS_ENABLED,
    access: { kind: 'public' },
    configure: GatewayModule.installEdge,
  });
  // As a readiness probe would: until Redis is connected, decisions are made in memory (the fallback).
  if (options.waitForRedis !== false) await eventually(() => app.get<Redis>(REDIS).status === 'ready', { what: 'the gateway connected to Redis' });
  const address = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, config, app, stop: () => app.close() };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  ms: number;
}

/** One HTTP call to a gateway, timed. `key: null` sends no X-API-Key. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? keys.client1 : options.key;
  if (key) headers['x-api-key'] = key;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  const ms = performance.now() - started;
  const json = /json/.test(response.headers.get('content-type') ?? '');
  return { status: response.status, headers: response.headers, body: (json && text ? JSON.parse(text) : text) as T, ms };
}
