/**
 * Drills on the infrastructure itself, not the services: a service's database
 * refusing connections, the relay's connection terminated, the broker killed.
 * Each ends with the same checks as the process drills, plus: no message was
 * dead-lettered because of the fault (a failing database or broker is never
 * the message's fault), and every order placed during it reaches a terminal state.
 */
import { allTopics, deadLetterTopic } from '@shopfront/contracts';
import { createKafka } from '@shopfront/messaging';
import pg from 'pg';
import type { Drill, DrillContext, DrillOutcome } from './drills.js';
import { placeOrders } from './orders.js';

const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages on every dead-letter topic of the platform (npm start's, unprefixed). */
async function deadLetterCount(): Promise<number> {
  const admin = createKafka({ clientId: 'chaos', brokers }).admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of allTopics) total += (await admin.fetchTopicOffsets(deadLetterTopic(topic))).reduce((sum, partition) => sum + Number(partition.high), 0);
    return total;
  } finally {
    await admin.disconnect();
  }
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
async function countingDeadLetters(run: () => Promise<string[]>): Promise<DrillOutcome> {
  const before = await deadLetterCount();
  const orderIds = await run();
  // The invariants' own wait (every order terminal) comes after; dead letters a fault causes appear at once.
  const after = await deadLetterCount();
  return { orderIds, checks: [{ invariant: 'no message dead-lettered because of the fault', holds: after === before, detail: `${after - before} new dead letter(s)` }] };
}

const databaseOutage = (service: string, seconds: number): Drill => ({
  name: `db-outage-${service}`,
  fault: `shopfront_${service} refuses connections for ${seconds} s while orders flow`,
  run: ({ gateway, log }: DrillContext) =>
    countingDeadLetters(async () => {
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
  run: ({ gateway, log }: DrillContext) =>
    countingDeadLetters(async () => {
      const placing = placeOrders(gateway, 20, 50);
      await sleep(300);
      const killed = await withAdmin((client) => client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN outbox' AND datname LIKE 'shopfront_%'`));
      log(`terminated ${killed.rowCount} relay connection(s)`);
      return placing;
    }),
};

export const infrastructureDrills: Drill[] = [databaseOutage('orchestrator', 30), databaseOutage('order', 12), relayConnectionKilled];
