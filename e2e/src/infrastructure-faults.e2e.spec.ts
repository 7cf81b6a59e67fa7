/**
 * Infrastructure faults, end to end: orders flow through the gateway while the
 * platform's own Postgres, Redis or Kafka fails, then heals. A failing
 * database, cache or broker is never a message's fault, so each case ends with:
 * no dead letter written because of it, every accepted order terminal within
 * 60 s of the heal, invariants 1-4, and the catalog complete.
 *
 * Needs a platform with infrastructure of its own to break: the container
 * platform (testcontainers). Without a Docker engine the cases are skipped, and
 * say so. A table of orders accepted, terminal, time to terminal after the heal
 * and dead letters is printed at the end, per fault.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { relayConnectionName } from '@shopfront/messaging';
import pg from 'pg';
import { GatewayClient, keys, untilServing } from './client.js';
import { checkInvariants } from './invariants.js';
import { placeOrders } from './order-flow.js';
import { untilOutboxEmpty, withDatabase } from './outbox.js';
import { startPlatform, type RunningPlatform, type ServiceName } from './platform/index.js';
import type { InfrastructureControl } from './platform/types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backends: ServiceName[] = ['order', 'inventory', 'payment', 'shipping', 'orchestrator'];
const healBudgetMs = 60_000;

let platform: RunningPlatform;
let gateway: GatewayClient;
let infra: InfrastructureControl | undefined;
const rows: string[] = [];

before(async () => {
  platform = await startPlatform();
  gateway = new GatewayClient(platform.gatewayUrl);
  infra = platform.infrastructure;
  if (!infra) console.log('infrastructure faults: skipped, this platform has no infrastructure of its own (no Docker engine or images)');
});
after(async () => {
  if (rows.length > 0) {
    console.log(['fault | accepted | refused | terminal | terminal after heal | dead letters', ...rows].join('\n'));
  }
  await platform?.stop();
});

/**
 * Every consumer's dead letters so far, from the services' own counters. A service the fault restarts
 * counts from zero again: leave it out of the count before (`restarted`), so all it counts after is new.
 */
async function deadLetters(restarted: ServiceName[] = []): Promise<number> {
  let total = 0;
  for (const service of backends.filter((candidate) => !restarted.includes(candidate))) {
    const text = await (await fetch(`${platform.serviceUrl(service)}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    for (const line of text.split('\n')) if (line.startsWith('messaging_dead_letters_total{')) total += Number(line.split(' ').pop());
  }
  return total;
}

/** Until every order is CONFIRMED or CANCELLED; the time that took, or undefined past the budget. */
async function terminalWithin(orderIds: string[], budgetMs: number): Promise<{ ms?: number; terminal: number }> {
  const started = Date.now();
  const pending = new Set(orderIds);
  while (pending.size > 0 && Date.now() - started < budgetMs) {
    await Promise.all(
      [...pending].map(async (id) => {
        const answer = await gateway.order(id).catch(() => undefined);
        if (answer?.status === 200 && answer.body.status !== 'PENDING') pending.delete(id);
      }),
    );
    if (pending.size > 0) await sleep(250);
  }
  return { ms: pending.size === 0 ? Date.now() - started : undefined, terminal: orderIds.length - pending.size };
}

interface Fault {
  name: string;
  /** Breaks, waits out the outage, heals; resolves at the heal. Orders are being placed meanwhile. */
  run(infra: InfrastructureControl): Promise<void>;
  /** Services the fault restarts (their counters start again from zero). */
  restarts?: ServiceName[];
}

async function drill(t: TestContext, fault: Fault): Promise<void> {
  if (!infra) return t.skip('no infrastructure of its own to break');
  await untilServing(gateway, 120_000);
  const before = await deadLetters(fault.restarts);
  const attempts = 30;
  // Orders in flight when the fault lands, and more placed during it (some may be refused at the edge: 503).
  const placing = placeOrders(gateway, attempts, 150);
  await sleep(600);
  try {
    await fault.run(infra);
    const orderIds = await placing;
    const settled = await terminalWithin(orderIds, healBudgetMs);
    const serving = await untilServing(gateway, 60_000).then(() => undefined, (error: Error) => error);
    const after = await deadLetters();
    const invariants = await checkInvariants(gateway, orderIds, { settleMs: 5_000 });
    const products = await gateway.call<{ items: { sku: string }[] }>('GET', '/v1/products', { key: keys.client1 });
    const skus = new Set(products.body.items?.map((item) => item.sku));
    rows.push(`${fault.name} | ${orderIds.length} | ${attempts - orderIds.length} | ${settled.terminal} | ${settled.ms === undefined ? `not within ${healBudgetMs} ms` : `${settled.ms} ms`} | ${after - before}`);
    if (serving) throw serving;
    expectHealed(orderIds, settled, after - before, invariants, skus);
  } catch (error) {
    // Which services still answer, and what each said last: a failed case explains itself in the CI log.
    for (const service of ['gateway', ...backends] as const) {
      const live = await fetch(`${platform.serviceUrl(service)}/health/live`, { signal: AbortSignal.timeout(2_000) }).then((answer) => String(answer.status), (cause: Error) => cause.message);
      console.log(`--- ${service}: /health/live ${live}; last lines:\n${platform.logTail?.(service) ?? ''}`);
    }
    await placing.catch(() => undefined);
    throw error;
  }
}

function expectHealed(orderIds: string[], settled: { ms?: number; terminal: number }, deadLettered: number, invariants: { invariant: string; holds: boolean; detail: string }[], skus: Set<string>): void {
  assert.ok(orderIds.length > 0, 'some orders were accepted');
  assert.equal(deadLettered, 0, 'no message was dead-lettered because of the fault');
  assert.ok(settled.ms !== undefined, `${orderIds.length - settled.terminal} of ${orderIds.length} orders not terminal ${healBudgetMs} ms after the heal`);
  for (const result of invariants) assert.ok(result.holds, `${result.invariant}: ${result.detail}`);
  for (let n = 1; n <= 10; n++) assert.ok(skus.has(`SKU-${String(n).padStart(3, '0')}`), `the catalog lists SKU-${String(n).padStart(3, '0')}`);
}

async function asSuperuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: infra!.postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('infrastructure faults while orders flow', () => {
  it("given every outbox relay's connection terminated, then the relays lead again and every order completes", (t) =>
    drill(t, {
      name: 'relay connections terminated',
      async run() {
        // Every relay leading first: one that just failed a publish (a broker still creating topics) is between leaderships.
        await asSuperuser(async (client) => {
          for (const until = Date.now() + 30_000; Date.now() < until; await sleep(250)) {
            const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [relayConnectionName]);
            if (rows[0]!.n >= backends.length) return;
          }
        });
        const killed = await asSuperuser((client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [relayConnectionName]));
        assert.ok((killed.rowCount ?? 0) >= backends.length, `terminated ${killed.rowCount} relay connection(s)`);
      },
    }));

  it("given the orchestrator's consumers crashing for 5 s, then it reports not ready meanwhile, restarts them, and every order completes", (t) =>
    drill(t, {
      name: 'orchestrator consumers crash, 5 s',
      async run() {
        const crash = (errorRate: number) => gateway.call('PUT', '/v1/admin/faults/orchestrator-consumers', { key: keys.admin, body: { latencyMs: 0, errorRate } });
        assert.equal((await crash(1)).status, 200);
        let notReady = false;
        try {
          for (const until = Date.now() + 5_000; Date.now() < until; await sleep(200)) {
            const ready = await fetch(`${platform.serviceUrl('orchestrator')}/health/ready`).catch(() => undefined);
            notReady ||= ready?.status === 503;
          }
        } finally {
          assert.equal((await crash(0)).status, 200);
        }
        assert.ok(notReady, 'the orchestrator reported not ready while its consumers were down');
      },
    }));

  it("given the orchestrator's database refusing connections for 30 s, then nothing is dead-lettered and every order completes", (t) =>
    drill(t, {
      name: 'orchestrator database refuses connections, 30 s',
      async run() {
        await asSuperuser(async (client) => {
          await client.query('ALTER DATABASE shopfront_orchestrator ALLOW_CONNECTIONS false');
          await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', ['shopfront_orchestrator']);
        });
        try {
          await sleep(30_000);
        } finally {
          await asSuperuser((client) => client.query('ALTER DATABASE shopfront_orchestrator ALLOW_CONNECTIONS true'));
        }
      },
    }));

  it('given Redis replaced by an empty one, then nothing is dead-lettered and every order completes', (t) =>
    drill(t, { name: 'Redis back empty', run: (infra) => infra.replace('redis') }));

  it('given the broker SIGKILLed and started again 10 s later, then nothing is dead-lettered and every order completes', (t) =>
    drill(t, {
      name: 'broker SIGKILL, 10 s down',
      async run(infra) {
        await infra.kill('kafka');
        await sleep(10_000);
        await infra.start('kafka');
      },
    }));

  it('given Postgres restarted, then nothing is dead-lettered and every order completes', (t) =>
    drill(t, { name: 'Postgres restart', run: (infra) => infra.restart('postgres') }));

  it("given the broker's data wiped while the databases keep theirs, then nothing is dead-lettered, every order completes and the catalog is whole", (t) =>
    drill(t, { name: 'broker data wiped', run: (infra) => infra.replace('kafka') }));

  // Messages surely lost: orders placed while the orchestrator is down leave their OrderPlaced unread in the
  // broker when its data goes. Only the order service's re-announcement of orders stranded in PENDING
  // (ORDER_REANNOUNCE_AFTER_MS, 30 s by default) can finish them; deadlines cannot, no saga exists.
  it('given messages lost with the broker (the orchestrator down while orders are placed, then the broker wiped), then the stranded orders are re-announced and every order completes', (t) =>
    drill(t, {
      name: 'messages lost with the broker',
      restarts: ['orchestrator'],
      async run(infra) {
        await platform.kill('orchestrator');
        try {
          await sleep(3_000);
          // Published, not merely placed: rows still in the outbox would survive the wipe and prove nothing.
          await untilOutboxEmpty(withDatabase(infra.postgresUrl, 'shopfront_order'), 20_000);
          await infra.replace('kafka');
        } finally {
          await platform.restart('orchestrator');
        }
      },
    }));
});
