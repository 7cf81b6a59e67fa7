/**
 * Drills at the network level, between real processes: one service is moved
 * into a network namespace of its own (network/namespace.ts) and its links are
 * slowed, made lossy or cut, by direction and by dependency, while orders flow.
 * Each checks that its fault really bit (packets dropped, traffic delayed, the
 * service not ready while cut off) besides the run's own checks (invariants,
 * no dead letters, the history).
 */
import { consumerTimings } from '@shopfront/messaging';
import { placeOrders } from '../../e2e/src/order-flow.js';
import type { ServiceName } from '../runner/services.ts';
import type { Drill, DrillContext, DrillOutcome } from './drills.js';
import { countingDeadLetters } from './infra-drills.js';
import { networkFaultsPossible, placeInNamespace, type Direction, type Link, type Namespaced } from './network/namespace.ts';
import { serviceUrl } from './processes.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for the broker to end the cut-off consumer's session and move its partitions. */
const sessionOutlived = consumerTimings.sessionTimeout + 5_000;

/** What a network drill must see for its fault to count as applied. */
interface Expected {
  /** The kernel dropped packets (loss, partitions). */
  dropped?: boolean;
  /** The forwarder held chunks back (latency). */
  delayed?: boolean;
  /** The service reported not-ready while cut off, and ready again after. */
  unready?: boolean;
}

interface NetworkFault {
  name: string;
  service: ServiceName;
  fault: string;
  expected: Expected;
  settleMs?: number;
  during(net: Namespaced, log: (line: string) => void): Promise<void>;
}

/** Polls the service's readiness (over its HTTP link, which these faults leave whole) until stopped. */
function sampleReadiness(url: string) {
  const samples: { at: number; ready: boolean }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((answer) => answer.status === 200, () => false);
      samples.push({ at: Date.now(), ready });
      await sleep(500);
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * The service runs inside its namespace before the first order, so the move (a restart) is not
 * part of the fault; `during` breaks its links while 30 orders are placed over ~12 s, then they heal.
 */
const networkDrill = (drill: NetworkFault): Drill => ({
  name: drill.name,
  fault: drill.fault,
  settleMs: drill.settleMs,
  unavailable: () => networkFaultsPossible().why || undefined,
  async run(context: DrillContext): Promise<DrillOutcome> {
    const net = await placeInNamespace(drill.service, { platform: context.platform, log: context.log });
    try {
      const readiness = sampleReadiness(serviceUrl(context.platform, drill.service));
      let effect = { droppedPackets: 0, delayedChunks: 0 };
      let healedAt = 0;
      const outcome = await countingDeadLetters(context, async () => {
        const placing = placeOrders(context.gateway, 30, 400);
        await sleep(1_000);
        try {
          await drill.during(net, context.log);
        } finally {
          effect = net.heal();
          healedAt = Date.now();
          context.log(`links whole again (${effect.droppedPackets} packets dropped, ${effect.delayedChunks} chunks delayed)`);
        }
        return placing;
      });
      for (const until = Date.now() + 60_000; Date.now() < until && !readiness.samples.at(-1)?.ready; ) await sleep(250);
      await readiness.stop();
      const unready = readiness.samples.filter((sample) => !sample.ready && sample.at <= healedAt).length;
      const readyAgain = readiness.samples.find((sample) => sample.ready && sample.at > healedAt);
      context.log(`${drill.service} not ready in ${unready} of ${readiness.samples.length} readiness probes; ready ${readyAgain ? `${((readyAgain.at - healedAt) / 1000).toFixed(1)} s after the heal` : 'never again'}`);
      const checks = [...outcome.checks];
      if (drill.expected.dropped) checks.push({ invariant: 'the fault bit: the kernel dropped packets', holds: effect.droppedPackets > 0, detail: `${effect.droppedPackets} packets dropped` });
      if (drill.expected.delayed) checks.push({ invariant: 'the fault bit: traffic was held back', holds: effect.delayedChunks > 0, detail: `${effect.delayedChunks} chunks delayed` });
      if (drill.expected.unready) checks.push({ invariant: 'the service said not-ready while cut off', holds: unready > 0, detail: `${unready} probe(s) not ready` });
      checks.push({ invariant: 'the service is ready again after the heal', holds: readyAgain !== undefined, detail: readyAgain ? `after ${((readyAgain.at - healedAt) / 1000).toFixed(1)} s` : 'not within 60 s' });
      return { orderIds: outcome.orderIds, checks, afterChecks: () => net.restore() };
    } catch (error) {
      await net.restore();
      throw error;
    }
  },
});

const latency = networkDrill({
  name: 'net-latency-inventory',
  service: 'inventory',
  fault: 'inventory: 80 ± 40 ms on every link (Kafka, Postgres, HTTP) for 10 s',
  expected: { delayed: true },
  async during(net, log) {
    for (const link of ['kafka', 'postgres', 'http'] as const) net.setDelay(link, { ms: 80, jitterMs: 40 });
    log('inventory: 80 ± 40 ms each way');
    await sleep(10_000);
  },
});

const loss = networkDrill({
  name: 'net-loss-payment',
  service: 'payment',
  fault: 'payment: 10 % of packets dropped each way on every link for 10 s',
  expected: { dropped: true },
  async during(net, log) {
    for (const link of ['kafka', 'postgres', 'http'] as const) net.drop(link, 'both', 10);
    log('payment: 10 % loss');
    await sleep(10_000);
  },
});

/** One link cut, both ways or one, for `ms`: the service must wait it out, say not-ready, and resume. */
const partition = (name: string, service: ServiceName, link: Link, direction: Direction, ms: number, fault: string, expected: Expected = { dropped: true, unready: true }) =>
  networkDrill({
    name,
    service,
    fault,
    expected,
    settleMs: 90_000,
    async during(net, log) {
      net.drop(link, direction, 100);
      log(`${service}: ${direction === 'both' ? 'no' : direction === 'out' ? 'outgoing' : 'incoming'} packets across its ${link} link`);
      await sleep(ms);
    },
  });

const kafkaPartition = partition('net-partition-kafka-payment', 'payment', 'kafka', 'both', sessionOutlived, `payment cut from Kafka (both ways) for ${sessionOutlived / 1000} s, past its consumer session`);
const postgresPartition = partition('net-partition-postgres-orchestrator', 'orchestrator', 'postgres', 'both', 15_000, 'orchestrator cut from its Postgres (both ways) for 15 s');
const asymmetric = partition('net-asymmetric-inventory', 'inventory', 'kafka', 'out', 15_000, "inventory's packets to Kafka dropped, Kafka's to it delivered, for 15 s");
/** The gateway keeps rate limits and idempotency keys in Redis: cut off, it must answer rather than hang (it stays ready: Redis is optional to it). */
const redisPartition = partition('net-partition-redis-gateway', 'gateway', 'redis', 'both', 15_000, 'gateway cut from Redis (both ways) for 15 s while checkouts arrive', { dropped: true });

export const networkDrills: Drill[] = [latency, loss, kafkaPartition, postgresPartition, asymmetric, redisPartition];
