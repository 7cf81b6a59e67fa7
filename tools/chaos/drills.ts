/** Chaos drills: each injects one kind of fault while orders flow, then heals it. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { anOrder } from '@shopfront/testing';
import { keys, type GatewayClient } from '../../e2e/src/client.js';
import { placeOrders } from '../../e2e/src/order-flow.js';
import type { ServiceName } from '../runner/services.ts';
import { requirePid, type PlatformProcesses } from './processes.ts';

export interface DrillContext {
  gateway: GatewayClient;
  platform: PlatformProcesses;
  log: (line: string) => void;
}

export interface DrillOutcome {
  orderIds: string[];
  /** Checks specific to the drill, beyond the contract's invariants. */
  checks: { invariant: string; holds: boolean; detail: string }[];
  /** Undoes what the drill set up for itself (a namespace, a replica), once every check has read the platform. */
  afterChecks?: () => Promise<void>;
}

export interface Drill {
  name: string;
  fault: string;
  /** How long every order may take to end once the drill is over; the invariants' default otherwise. */
  settleMs?: number;
  /** Why this machine cannot run the drill (no root, a tool missing), or undefined if it can. */
  unavailable?: () => string | undefined;
  run(context: DrillContext): Promise<DrillOutcome>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function setFault(gateway: GatewayClient, service: string, latencyMs: number, errorRate: number): Promise<void> {
  const answer = await gateway.call('PUT', `/v1/admin/faults/${service}`, { key: keys.admin, body: { latencyMs, errorRate } });
  if (answer.status !== 200) throw new Error(`could not set fault on ${service}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

const faultDrill = (service: string, latencyMs: number, errorRate: number): Drill => ({
  name: `${service}-${errorRate > 0 ? 'errors' : 'latency'}`,
  fault: `${service}: latency ${latencyMs} ms, error rate ${errorRate}`,
  async run({ gateway, log }) {
    await setFault(gateway, service, latencyMs, errorRate);
    log(`fault on ${service}; placing orders`);
    const ids = await placeOrders(gateway, 20).finally(() => setFault(gateway, service, 0, 0));
    return { orderIds: ids, checks: [] };
  },
});

const killDrill = (service: ServiceName): Drill => ({
  name: `kill-${service}`,
  fault: `SIGKILL ${service} while orders are in flight`,
  async run({ gateway, platform, log }) {
    const placing = placeOrders(gateway, 30, 30);
    await sleep(300);
    const pid = requirePid(platform, service);
    process.kill(pid, 'SIGKILL');
    log(`killed ${service} (pid ${pid}); the supervisor restarts it`);
    return { orderIds: await placing, checks: [] };
  },
});

export const drills: Drill[] = [
  faultDrill('payment-provider', 0, 0.5),
  faultDrill('payment-provider', 1_500, 0),
  killDrill('orchestrator'),
  killDrill('payment'),
  killDrill('inventory'),
  {
    name: 'order-slow',
    fault: 'order service answers after 4 s: the gateway must fail fast once its circuit opens',
    async run({ gateway, log }) {
      await setFault(gateway, 'order', 4_000, 0);
      const timings: { status: number; ms: number }[] = [];
      try {
        for (let i = 0; i < 12; i++) {
          const started = Date.now();
          const answer = await gateway.call('GET', '/v1/orders?limit=1').catch(() => ({ status: 0 }));
          timings.push({ status: answer.status, ms: Date.now() - started });
        }
      } finally {
        await setFault(gateway, 'order', 0, 0);
      }
      const fast503 = timings.filter((timing) => timing.status === 503 && timing.ms < 200).length;
      const slowest = Math.max(...timings.map((timing) => timing.ms));
      log(`answers: ${timings.map((timing) => `${timing.status}/${timing.ms}ms`).join(' ')}`);
      await sleep(6_000); // let the breaker half-open and close again
      return {
        orderIds: await placeOrders(gateway, 5),
        checks: [
          { invariant: 'circuit opens: later answers are 503 in < 200 ms', holds: fast503 > 0, detail: `${fast503} fast 503s` },
          { invariant: 'no request waits past 10 s', holds: slowest <= 10_000, detail: `slowest ${slowest} ms` },
        ],
      };
    },
  },
  {
    name: 'redis-flush',
    fault: 'Redis loses every key (FLUSHALL) between a POST and its retry',
    async run({ gateway, platform }) {
      const attempts = Array.from({ length: 10 }, () => ({ key: randomUUID(), body: anOrder({ sku: 'SKU-005', quantity: 1 }) }));
      const first = await Promise.all(attempts.map((attempt) => gateway.placeOrder(attempt.body, { idempotencyKey: attempt.key })));
      const redis = new Redis(platform.settings.redisUrl);
      await redis.flushall();
      redis.disconnect();
      const retried = await Promise.all(attempts.map((attempt) => gateway.placeOrder(attempt.body, { idempotencyKey: attempt.key })));
      const same = retried.filter((answer, i) => answer.body.orderId === first[i]!.body.orderId && answer.headers.get('idempotent-replayed') === 'true').length;
      return {
        orderIds: first.filter((answer) => answer.status === 202).map((answer) => answer.body.orderId),
        checks: [{ invariant: '6 a retry after FLUSHALL replays the first order', holds: same === attempts.length, detail: `${same}/${attempts.length} replayed` }],
      };
    },
  },
  {
    name: 'duplicate-posts',
    fault: '25 concurrent identical POSTs with one idempotency key',
    async run({ gateway }) {
      const key = randomUUID();
      const body = anOrder({ sku: 'SKU-006', quantity: 1 });
      const answers = await Promise.all(Array.from({ length: 25 }, () => gateway.placeOrder(body, { idempotencyKey: key })));
      const ids = new Set(answers.filter((answer) => answer.status === 202).map((answer) => answer.body.orderId));
      const unexpected = answers.filter((answer) => answer.status !== 202 && answer.status !== 409).map((answer) => answer.status);
      return {
        orderIds: [...ids],
        checks: [{ invariant: '6 concurrent identical POSTs make one order', holds: ids.size === 1 && unexpected.length === 0, detail: `${ids.size} order(s); statuses ${[...new Set(answers.map((answer) => answer.status))].join(',')}` }],
      };
    },
  },
];
