/**
 * Drills at the network level, between real processes: one service is moved
 * into a network namespace of its own (network/namespace.ts) and its links are
 * slowed, made lossy or cut, by direction and by dependency, while orders flow.
 * Then: a service frozen (SIGSTOP) for longer than the consumer session while a
 * second replica takes its partitions over, and a service whose clock is wrong.
 * The run's checks follow each (invariants, no dead letters, the history).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerTimings, createKafka } from '@shopfront/messaging';
import { placeOrders } from '../../e2e/src/order-flow.js';
import { repoRoot, waitForReady } from '../runner/platform.ts';
import { defaultSettings, serviceCommand, serviceEnv, type ServiceName } from '../runner/services.ts';
import { pidOf, type Drill, type DrillContext, type DrillOutcome } from './drills.js';
import { countingDeadLetters } from './infra-drills.js';
import { networkFaultsPossible, placeInNamespace, type Namespaced } from './network/namespace.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const overridesDir = (context: DrillContext) => join(context.pidFile, '..', 'launch');

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
function sampleReadiness(port: number) {
  const samples: { at: number; ready: boolean }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((answer) => answer.status === 200, () => false);
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
    const net = await placeInNamespace(drill.service, { pidFile: context.pidFile, overridesDir: overridesDir(context), log: context.log });
    try {
      const readiness = sampleReadiness(defaultSettings().ports[drill.service]);
      let effect = { droppedPackets: 0, delayedChunks: 0 };
      let healedAt = 0;
      const outcome = await countingDeadLetters(async () => {
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

const sessionOutlived = consumerTimings.sessionTimeout + 5_000;

const kafkaPartition = networkDrill({
  name: 'net-partition-kafka-payment',
  service: 'payment',
  fault: `payment cut from Kafka (both ways) for ${sessionOutlived / 1000} s, past its consumer session`,
  expected: { dropped: true, unready: true },
  settleMs: 90_000,
  async during(net, log) {
    net.drop('kafka', 'both', 100);
    log('payment cannot reach Kafka');
    await sleep(sessionOutlived);
  },
});

const postgresPartition = networkDrill({
  name: 'net-partition-postgres-orchestrator',
  service: 'orchestrator',
  fault: 'orchestrator cut from its Postgres (both ways) for 15 s',
  expected: { dropped: true, unready: true },
  settleMs: 90_000,
  async during(net, log) {
    net.drop('postgres', 'both', 100);
    log('orchestrator cannot reach Postgres');
    await sleep(15_000);
  },
});

const asymmetric = networkDrill({
  name: 'net-asymmetric-inventory',
  service: 'inventory',
  fault: "inventory's packets to Kafka dropped, Kafka's to it delivered, for 15 s",
  expected: { dropped: true, unready: true },
  settleMs: 90_000,
  async during(net, log) {
    net.drop('kafka', 'out', 100);
    log('inventory hears Kafka, Kafka does not hear inventory');
    await sleep(15_000);
  },
});

/** A second process of `service` beside npm start's, on its own port, for as long as a drill needs it. */
async function startReplica(service: ServiceName, port: number, log: (line: string) => void): Promise<ChildProcess> {
  const settings = defaultSettings();
  settings.ports = { ...settings.ports, [service]: port };
  const child = spawn(process.execPath, serviceCommand(service), { cwd: repoRoot, env: { ...process.env, ...serviceEnv(service, settings) }, stdio: 'ignore' });
  await waitForReady(`http://127.0.0.1:${port}`, 60_000, `second ${service} replica`);
  log(`second ${service} replica ready on port ${port} (pid ${child.pid})`);
  return child;
}

async function stopReplica(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(force);
}

/** Members of each consumer group of `service` (its groups are named `<service>.<consumer>`). */
async function groupMembers(service: ServiceName): Promise<Record<string, number>> {
  const admin = createKafka({ clientId: 'chaos', brokers: defaultSettings().kafkaBrokers.split(',') }).admin();
  await admin.connect();
  try {
    const ids = (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id.startsWith(`${service}.`));
    const { groups } = await admin.describeGroups(ids);
    return Object.fromEntries(groups.map((group) => [group.groupId, group.members.length]));
  } finally {
    await admin.disconnect();
  }
}

const describe = (members: Record<string, number>) => Object.entries(members).map(([group, count]) => `${group} ${count}`).join(', ') || 'none';

/**
 * A GC pause stand-in: the frozen process's group session ends, its partitions go to the other
 * replica, and when it wakes it still holds a batch it read before: it must not apply it over
 * the other's work (inbox, versions and fenced offset commits are what stop it).
 */
const paused = (service: ServiceName, port: number): Drill => ({
  name: `pause-${service}`,
  fault: `${service} frozen (SIGSTOP) for ${sessionOutlived / 1000} s while a second replica takes its partitions, then thawed`,
  settleMs: 90_000,
  async run(context: DrillContext): Promise<DrillOutcome> {
    const replica = await startReplica(service, port, context.log);
    let before: Record<string, number> = {};
    let during: Record<string, number> = {};
    try {
      // Both replicas share the partitions before the freeze.
      await sleep(consumerTimings.sessionTimeout);
      const outcome = await countingDeadLetters(async () => {
        const placing = placeOrders(context.gateway, 30, 400);
        await sleep(1_500);
        const pid = pidOf(context.pidFile, service);
        before = await groupMembers(service);
        process.kill(pid, 'SIGSTOP');
        context.log(`${service} frozen (pid ${pid}); its groups had ${describe(before)}`);
        try {
          await sleep(sessionOutlived - 2_000);
          during = await groupMembers(service);
          context.log(`${service}'s groups while it is frozen: ${describe(during)}`);
          await sleep(2_000);
        } finally {
          process.kill(pid, 'SIGCONT');
          context.log(`${service} thawed`);
        }
        return placing;
      });
      // Its partitions moved: every group it was in had two members before and one during the freeze.
      const moved = Object.keys(before).length > 0 && Object.keys(before).every((group) => before[group] === 2 && during[group] === 1);
      const checks = [...outcome.checks, { invariant: "the frozen process's partitions went to the other replica", holds: moved, detail: `before: ${describe(before)}; frozen: ${describe(during)}` }];
      return { orderIds: outcome.orderIds, checks, afterChecks: () => stopReplica(replica) };
    } catch (error) {
      await stopReplica(replica);
      throw error;
    }
  },
});

/**
 * One service's wall clock off by `skewS` (libfaketime; the monotonic clock is left alone, so
 * timers and timeouts keep their length). What it stamps, and any deadline it computes from its
 * own clock, is off by as much.
 */
const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const skewed = (service: ServiceName, skewS: number): Drill => ({
  name: `clock-skew-${service}`,
  fault: `${service}'s wall clock ${skewS > 0 ? 'ahead' : 'behind'} by ${Math.abs(skewS)} s (libfaketime) while orders flow`,
  settleMs: 90_000,
  unavailable: () => (existsSync(libfaketime) ? undefined : `${libfaketime} is missing (Debian: libfaketime)`),
  async run(context: DrillContext): Promise<DrillOutcome> {
    const dir = overridesDir(context);
    const port = defaultSettings().ports[service];
    const file = join(dir, `${service}.json`);
    const relaunch = async (why: string) => {
      const pid = pidOf(context.pidFile, service);
      process.kill(pid, 'SIGKILL');
      for (const until = Date.now() + 30_000; Date.now() < until && pidOfOrZero(context.pidFile, service) === pid; ) await sleep(200);
      await waitForReady(`http://127.0.0.1:${port}`, 60_000, service);
      context.log(why);
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify({ env: { LD_PRELOAD: libfaketime, FAKETIME: `${skewS > 0 ? '+' : ''}${skewS}s`, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_DONT_RESET: '1' } }));
    // Should this process die mid-drill, the service's next start is on the machine's clock again.
    const forget = () => rmSync(file, { force: true });
    process.once('exit', forget);
    const restore = async () => {
      forget();
      process.removeListener('exit', forget);
      await relaunch(`${service} started again on the machine's clock`);
    };
    try {
      // Orders are in flight across the restart: what the old clock stamped, the skewed one reads.
      const outcome = await countingDeadLetters(async () => {
        const placing = placeOrders(context.gateway, 30, 300);
        await sleep(1_500);
        await relaunch(`${service} started again with its clock off by ${skewS} s`);
        return placing;
      });
      // Its HTTP Date header is its clock: the proof that the skew took hold (to the second).
      const answer = await fetch(`http://127.0.0.1:${port}/health/live`);
      const offS = Math.round((Date.parse(answer.headers.get('date') ?? '') - Date.now()) / 1000);
      const checks = [...outcome.checks, { invariant: "the service's clock was off as asked", holds: Math.abs(offS - skewS) <= 2, detail: `its Date header ${offS} s from ours` }];
      return { orderIds: outcome.orderIds, checks, afterChecks: restore };
    } catch (error) {
      await restore();
      throw error;
    }
  },
});

function pidOfOrZero(pidFile: string, service: ServiceName): number {
  try {
    return pidOf(pidFile, service);
  } catch {
    return 0;
  }
}

export const networkDrills: Drill[] = [latency, loss, kafkaPartition, postgresPartition, asymmetric, paused('orchestrator', 3105), skewed('orchestrator', 20), skewed('payment', -20)];