/**
 * Gateway benchmark: what the gateway adds to a call, measured against
 * calling the order service directly in the same run, and how many
 * rate-limit decisions per second Redis gives us.
 *
 * The gateway runs as its own process (services/gateway/src/main.ts, its real
 * middleware: API key, Redis rate limit, breaker/bulkhead/timeout, and for
 * POST the Redis lock and the Postgres idempotency record) in front of the
 * real order service (its own process, database and topics). The same calls
 * go to the order service directly and through the gateway, alternating in
 * rounds; the difference is the gateway's cost. Needs Postgres and Redis; starts
 * the local Kafka broker if it is not running.
 *
 *   npm run bench -- gateway        (writes bench-results/gateway.json)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { signInternalRequest } from '@shopfront/http';
import { anOrder, aTokenizedCard, freePort } from '@shopfront/testing';
import pg from 'pg';
import { ClientRateLimiter } from '../../services/gateway/src/infra/rate-limiter.js';
import { ensureInfra } from '../runner/infra.js';
import { repoRoot, waitForReady } from '../runner/platform.js';
import { serviceCommand } from '../runner/services.js';
import { dropBenchResources } from './resources.js';

const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const kafkaBrokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
  return { p50: at(50), p90: at(90), p99: at(99) };
}
const minus = (a: Percentiles, b: Percentiles): Percentiles => ({ p50: round(a.p50 - b.p50), p90: round(a.p90 - b.p90), p99: round(a.p99 - b.p99) });

type Call = () => Promise<number>;

/** `count` calls from `concurrency` workers; every answer must have the expected status. */
async function load(call: Call, count: number, concurrency: number, expected: number): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const began = performance.now();
        const status = await call();
        latencies.push(performance.now() - began);
        if (status !== expected) throw new Error(`expected ${expected}, got ${status}`);
      }
    }),
  );
  return { latencies, perSecond: Math.round(count / ((performance.now() - started) / 1000)) };
}

/** Direct and through-the-gateway calls alternate in rounds, so drift on a shared machine hits both alike. */
async function compare(direct: Call, viaGateway: Call, expected: number, rounds: number, perRound: number, concurrency: number) {
  const samples = { direct: [] as number[], gateway: [] as number[] };
  const rates = { direct: [] as number[], gateway: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const [name, call] of [['direct', direct], ['gateway', viaGateway]] as const) {
      const result = await load(call, perRound, concurrency, expected);
      samples[name].push(...result.latencies);
      rates[name].push(result.perSecond);
    }
  }
  const directMs = percentiles(samples.direct);
  const gatewayMs = percentiles(samples.gateway);
  const mean = (values: number[]) => Math.round(values.reduce((sum, value) => sum + value, 0) / values.length);
  return {
    concurrency,
    requests: rounds * perRound,
    directMs,
    gatewayMs,
    addedMs: minus(gatewayMs, directMs),
    perSecond: { direct: mean(rates.direct), gateway: mean(rates.gateway) },
  };
}

async function rateLimitDecisions(seconds: number, concurrency: number) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
  await new Promise<void>((resolve, reject) => redis.once('ready', resolve).once('error', reject));
  const keyPrefix = `bench:ratelimit:${randomBytes(4).toString('hex')}:`;
  const limiter = new ClientRateLimiter(redis, { points: 1_000_000_000, durationS: 60, keyPrefix });
  try {
    const sequential = [];
    for (let n = 0; n < 2_000; n++) {
      const began = performance.now();
      await limiter.decide(`client-${n % 10}`);
      sequential.push(performance.now() - began);
    }
    let decisions = 0;
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        while (performance.now() < deadline) {
          await limiter.decide(`client-${worker % 10}`);
          decisions++;
        }
      }),
    );
    return { decisionsPerSecond: Math.round(decisions / seconds), concurrency, decisionLatencyMs: percentiles(sequential) };
  } finally {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

async function waitFor(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(url).then((response) => response.status, () => 0);
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function benchGateway(options: { rounds?: number; perRound?: number } = {}) {
  const rounds = options.rounds ?? 6;
  const perRound = options.perRound ?? 1_000;
  const run = randomBytes(3).toString('hex');
  const databases = { gateway: `shopfront_gateway_bench_${run}`, order: `shopfront_order_bench_${run}` };
  const topicPrefix = `bench.${run}.`;
  // Production refuses the development keys and secrets (ADR 0017): this run's own.
  const secret = randomBytes(32).toString('hex');
  const quiet = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CHAOS_ENABLED: 'false',
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: kafkaBrokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    INTERNAL_AUTH_SECRET: secret,
    API_KEYS: `bench-${run}:client-1`,
    ADMIN_KEYS: `bench-admin-${run}`,
    CARD_PUBLIC_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
  // The order service needs the broker: started here when not running, as the saga bench does.
  const infra = await ensureInfra({ quiet: true });
  const services: ChildProcess[] = [];
  let gateway: ChildProcess | undefined;
  /** One service as its own process, on a free port, over this run's database; resolves once ready. */
  const startService = async (name: 'order'): Promise<string> => {
    const port = await freePort();
    const env = { ...process.env, ...quiet, [`${name.toUpperCase()}_PORT`]: String(port), DATABASE_URL: `${postgresUrl}/${databases[name]}` };
    services.push(spawn(process.execPath, serviceCommand(name), { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], env }));
    const url = `http://127.0.0.1:${port}`;
    await waitForReady(url, 90_000, `the ${name} service`);
    return url;
  };
  try {
    const orderUrl = await startService('order');
    // Its catalog view, as inventory's StockChanged events would have filled it.
    const orderDb = new pg.Client({ connectionString: `${postgresUrl}/${databases.order}` });
    await orderDb.connect();
    await orderDb.query(`INSERT INTO catalog VALUES ('SKU-001', 'Espresso cup', 1999, 'EUR', 1000000) ON CONFLICT (sku) DO NOTHING`);
    await orderDb.end();

    const port = await freePort();
    gateway = spawn(process.execPath, serviceCommand('gateway'), {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        ...quiet,
        GATEWAY_PORT: String(port),
        DATABASE_URL: `${postgresUrl}/${databases.gateway}`,
        REDIS_KEY_PREFIX: `bench:gateway:${run}:`,
        // Far above what the bench sends: it measures the limiter's cost, not its refusals.
        RATE_LIMIT_POINTS: '100000000',
        // Only the order routes are measured; the other upstreams are never called.
        ...Object.fromEntries(['ORDER', 'INVENTORY', 'PAYMENT', 'SHIPPING', 'ORCHESTRATOR'].map((name) => [`${name}_URL`, orderUrl])),
      },
    });
    const gatewayUrl = `http://127.0.0.1:${port}`;
    if (!(await waitFor(`${gatewayUrl}/health/live`, 60_000))) throw new Error('the gateway did not start');
    const ready = await waitFor(`${gatewayUrl}/health/ready`, 20_000); // Redis connected (Kafka too, when it runs)

    const headers = { 'x-api-key': quiet.API_KEYS.split(':')[0]! };
    const signed = (method: string, path: string, clientId?: string) => signInternalRequest(secret, { method, path, clientId });
    const directRead: Call = () => fetch(`${orderUrl}/products`, { headers: signed('GET', '/products') }).then(async (response) => (await response.arrayBuffer(), response.status));
    const gatewayRead: Call = () => fetch(`${gatewayUrl}/v1/products`, { headers }).then(async (response) => (await response.arrayBuffer(), response.status));
    const body = JSON.stringify(anOrder({ customerId: 'bench', quantity: 1 }));
    const tokenizedBody = JSON.stringify({ ...anOrder({ customerId: 'bench', quantity: 1 }), payment: aTokenizedCard() });
    const directWrite: Call = () =>
      // What the gateway sends on: the signed client id, a fresh order id, the card as a token.
      fetch(`${orderUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed('POST', '/orders', 'client-1'), 'x-order-id': randomUUID() }, body: tokenizedBody }).then(
        async (response) => (await response.arrayBuffer(), response.status),
      );
    const gatewayWrite: Call = () =>
      fetch(`${gatewayUrl}/v1/orders`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body }).then(
        async (response) => (await response.arrayBuffer(), response.status),
      );

    await load(gatewayRead, 2_000, 4, 200); // warm-up: JIT, connection pools
    await load(directRead, 2_000, 4, 200);
    await load(gatewayWrite, 500, 4, 202);

    const loadBefore = loadavg()[0]!;
    const result = {
      ready,
      read: { route: 'GET /v1/products', sequential: await compare(directRead, gatewayRead, 200, rounds, perRound, 1), concurrent: await compare(directRead, gatewayRead, 200, rounds, perRound, 16) },
      idempotentWrite: { route: 'POST /v1/orders', sequential: await compare(directWrite, gatewayWrite, 202, rounds, Math.round(perRound / 2), 1) },
      rateLimit: await rateLimitDecisions(3, 64),
      targetP50AddedMs: 1,
      // A 2-core machine shared with other work: the figures are only comparable with this in mind.
      loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]!) },
    };
    return { ...result, meetsTarget: result.read.sequential.addedMs.p50 < result.targetP50AddedMs };
  } finally {
    if (gateway) await stop(gateway);
    for (const service of services) await stop(service);
    await dropBenchResources(postgresUrl, kafkaBrokers, Object.values(databases), topicPrefix);
    await infra.stop();
  }
}

if (import.meta.main) {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const result = await benchGateway();
  mkdirSync(`${repoRoot}/bench-results`, { recursive: true });
  writeFileSync(`${repoRoot}/bench-results/gateway.json`, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
}
