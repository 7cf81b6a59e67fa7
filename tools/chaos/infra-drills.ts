/**
 * Drills on the infrastructure itself, not the services: a service's database
 * refusing connections, the relay's connection terminated, the broker killed
 * or wiped, Postgres restarted, Redis back empty, consumers crashing. Those
 * that restart a server act on `npm start`'s own: the machine's Postgres and
 * Redis (with the commands docs/runbook.md gives) and `npm run kafka`'s broker.
 * Each ends with the same checks as the process drills, plus: no message was
 * dead-lettered because of the fault (a failing database or broker is never
 * the message's fault), and every order placed during it reaches a terminal state.
 */
import { allTopics, deadLetterTopic } from '@shopfront/contracts';
import { createKafka, isInfrastructureFailure, relayConnectionName, topicOffsets } from '@shopfront/messaging';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { keys } from '../../e2e/src/client.js';
import { repoRoot } from '../runner/platform.ts';
import type { PlatformSettings } from '../runner/services.ts';
import type { Drill, DrillContext, DrillOutcome } from './drills.js';
import { requirePid } from './processes.ts';
import { placeOrders } from '../../e2e/src/order-flow.js';
import { untilOutboxEmpty, withDatabase } from '../../e2e/src/outbox.js';

const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Messages on every dead-letter topic of the platform (its topic prefix's). Right after a
 * broker starts empty its partitions may have no leader yet: asked again for up to 30 s.
 */
export async function deadLetterCount(settings: PlatformSettings): Promise<number> {
  for (const until = Date.now() + 30_000; ; await sleep(1_000)) {
    try {
      return await countDeadLetters(settings);
    } catch (error) {
      if (!isInfrastructureFailure(error) || Date.now() > until) throw error;
    }
  }
}

async function countDeadLetters(settings: PlatformSettings): Promise<number> {
  const broker = createKafka({ clientId: 'chaos', brokers: settings.kafkaBrokers.split(',') });
  const offsets = await topicOffsets(broker, allTopics.map((topic) => `${settings.topicPrefix}${deadLetterTopic(topic)}`));
  return [...offsets.values()].flat().reduce((sum, partition) => sum + partition.high, 0);
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs the fault, then reports the dead letters written meanwhile as a check. */
export async function countingDeadLetters(context: DrillContext, run: () => Promise<string[]>, options: { wipesBroker?: boolean } = {}): Promise<DrillOutcome> {
  const { settings } = context.platform;
  // A wiped broker has lost the earlier dead letters too: whatever its dead-letter topics hold afterwards is new.
  const before = options.wipesBroker ? 0 : await deadLetterCount(settings);
  const orderIds = await run();
  // The invariants' own wait (every order terminal) comes after; dead letters a fault causes appear at once.
  const after = await deadLetterCount(settings);
  return { orderIds, checks: [{ invariant: 'no message dead-lettered because of the fault', holds: after === before, detail: `${after - before} new dead letter(s)` }] };
}

const databaseOutage = (service: string, seconds: number): Drill => ({
  name: `db-outage-${service}`,
  fault: `shopfront_${service} refuses connections for ${seconds} s while orders flow`,
  run: (context: DrillContext) =>
    countingDeadLetters(context, async () => {
      const { gateway, log } = context;
      const database = `shopfront_${service}`;
      // Orders already in flight meet the outage mid-saga; those placed during it may be refused (503) at the edge.
      const placing = placeOrders(gateway, 20, 40);
      await sleep(200);
      await withAdmin(async (client) => {
        await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      });
      log(`${database} refuses connections`);
      const cut = Date.now();
      try {
        const placed = await placing;
        await sleep(Math.max(0, seconds * 1000 - (Date.now() - cut)));
        return placed;
      } finally {
        await withAdmin((client) => client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`));
        log(`${database} accepts connections again`);
      }
    }),
});

const relayConnectionKilled: Drill = {
  name: 'relay-connection-killed',
  fault: "every outbox relay's lock connection terminated (pg_terminate_backend) while orders flow",
  run: (context: DrillContext) =>
    countingDeadLetters(context, async () => {
      const { gateway, log } = context;
      const placing = placeOrders(gateway, 20, 50);
      await sleep(300);
      const killed = await withAdmin((client) => client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname LIKE 'shopfront_%'`, [relayConnectionName]));
      log(`terminated ${killed.rowCount} relay connection(s)`);
      return placing;
    }),
};

/** A command of the machine's, its output kept for the error if it fails. */
const sh = (command: string, args: string[]) => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const kafkaCli = (...args: string[]) => sh(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(repoRoot, 'infra/kafka/kafka.ts'), ...args]);
const kafkaHome = process.env.KAFKA_LOCAL_DIR ?? join(repoRoot, '.local/kafka');

/** Orders flow while `fault` runs; its own log lines say what it did. */
const flowing = (name: string, fault: string, run: (context: DrillContext) => Promise<void>, options: { wipesBroker?: boolean; settleMs?: number } = {}): Drill => ({
  name,
  fault,
  settleMs: options.settleMs,
  run: (context: DrillContext) =>
    countingDeadLetters(context, async () => {
      const placing = placeOrders(context.gateway, 30, 150);
      await sleep(600);
      await run(context);
      return placing;
    }, options),
});

const brokerKilled = flowing('broker-killed', 'the broker SIGKILLed, started again 10 s later', async ({ log }) => {
  const pid = Number(readFileSync(join(kafkaHome, 'kafka.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  log(`broker killed (pid ${pid})`);
  await sleep(10_000);
  kafkaCli('start', '--detach');
  log('broker started again');
});

function wipeBroker(log: (line: string) => void): void {
  kafkaCli('stop');
  rmSync(join(kafkaHome, 'data'), { recursive: true, force: true });
  log('broker stopped, its data deleted');
  kafkaCli('start', '--detach');
  log('broker started empty');
}

const brokerWiped = flowing('broker-wiped', "the broker's data deleted while the databases keep theirs", async ({ log }) => wipeBroker(log), { wipesBroker: true });

/**
 * Messages surely lost: the orchestrator is frozen (SIGSTOP) while orders are placed, so their
 * OrderPlaced sits unread in the broker when its data goes. Only the order service's
 * re-announcement of orders stranded in PENDING (ORDER_REANNOUNCE_AFTER_MS, 30 s) finishes them.
 */
const messagesLost = flowing('messages-lost', "the orchestrator frozen, orders placed, the broker's data deleted, the orchestrator thawed", async ({ log, platform }) => {
  const pid = requirePid(platform, 'orchestrator');
  process.kill(pid, 'SIGSTOP');
  log(`orchestrator frozen (pid ${pid})`);
  try {
    await sleep(3_000);
    // Published, not merely placed: rows still in the outbox would survive the wipe and prove nothing.
    await untilOutboxEmpty(withDatabase(postgresUrl, 'shopfront_order'), 20_000);
    log('every OrderPlaced of the frozen period is on the broker');
    wipeBroker(log);
  } finally {
    process.kill(pid, 'SIGCONT');
    log('orchestrator thawed');
  }
}, { wipesBroker: true, settleMs: 90_000 });

const postgresRestarted = flowing('postgres-restart', 'the machine\'s Postgres restarted', async ({ log }) => {
  const version = sh('ls', ['/etc/postgresql']).trim().split('\n')[0]!;
  sh('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '--', '-m', 'fast']);
  log(`Postgres ${version} restarted`);
});

const redisEmpty = flowing('redis-restart-empty', 'Redis shut down without saving and started again, empty', async ({ log }) => {
  sh('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave']);
  await sleep(1_000);
  sh('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/chaos.log']);
  log('Redis back, empty');
});

const consumersCrash = flowing('consumers-crash', "the orchestrator's Kafka consumers crash before every batch for 5 s", async ({ log, gateway }) => {
  const crash = (errorRate: number) => gateway.call('PUT', '/v1/admin/faults/orchestrator-consumers', { key: keys.admin, body: { latencyMs: 0, errorRate } });
  await crash(1);
  log('consumers crashing');
  await sleep(5_000);
  await crash(0);
  log('consumers healed');
});

export const infrastructureDrills: Drill[] = [
  databaseOutage('orchestrator', 30),
  databaseOutage('order', 12),
  relayConnectionKilled,
  consumersCrash,
  redisEmpty,
  postgresRestarted,
  brokerKilled,
  brokerWiped,
  messagesLost,
];
