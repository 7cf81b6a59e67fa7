/**
 * Drills on time: a service frozen (SIGSTOP, a GC pause stand-in) for longer
 * than its consumer session while a second replica takes its partitions over,
 * and a service whose wall clock is wrong (libfaketime). Each checks that its
 * fault really took hold, besides the run's own checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerGroupMembers, consumerTimings, createKafka } from '@shopfront/messaging';
import { placeOrders } from '../../e2e/src/order-flow.js';
import { repoRoot, waitForReady } from '../runner/platform.ts';
import { serviceCommand, serviceEnv, type PlatformSettings, type ServiceName } from '../runner/services.ts';
import type { Drill, DrillContext, DrillOutcome } from './drills.js';
import { countingDeadLetters } from './infra-drills.js';
import { relaunch, requirePid, serviceUrl, untilReady } from './processes.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sessionOutlived = consumerTimings.sessionTimeout + 5_000;

/** A second process of `service` beside npm start's, on its own port, for as long as a drill needs it. */
async function startReplica(platform: PlatformSettings, service: ServiceName, port: number, log: (line: string) => void): Promise<ChildProcess> {
  const settings = { ...platform, ports: { ...platform.ports, [service]: port } };
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
async function groupMembers(settings: PlatformSettings, service: ServiceName): Promise<Record<string, number>> {
  return consumerGroupMembers(createKafka({ clientId: 'chaos', brokers: settings.kafkaBrokers.split(',') }), `${settings.topicPrefix}${service}.`);
}

const describe = (members: Record<string, number>) => Object.entries(members).map(([group, count]) => `${group} ${count}`).join(', ') || 'none';

/**
 * A GC pause stand-in: the frozen process's group session ends, its partitions go to the other
 * replica, and when it wakes it still holds a batch it read before: it must not apply it over
 * the other's work (inbox, versions and fenced offset commits are what stop it).
 */
const paused = (service: ServiceName): Drill => ({
  name: `pause-${service}`,
  fault: `${service} frozen (SIGSTOP) for ${sessionOutlived / 1000} s while a second replica takes its partitions, then thawed`,
  settleMs: 90_000,
  async run(context: DrillContext): Promise<DrillOutcome> {
    const { settings } = context.platform;
    // Beside the platform's own ports, clear of any service's.
    const replica = await startReplica(settings, service, settings.ports[service] + 100, context.log);
    let before: Record<string, number> = {};
    let during: Record<string, number> = {};
    try {
      // Both replicas share the partitions before the freeze.
      await sleep(consumerTimings.sessionTimeout);
      const outcome = await countingDeadLetters(context, async () => {
        const placing = placeOrders(context.gateway, 30, 400);
        await sleep(1_500);
        const pid = requirePid(context.platform, service);
        before = await groupMembers(settings, service);
        process.kill(pid, 'SIGSTOP');
        context.log(`${service} frozen (pid ${pid}); its groups had ${describe(before)}`);
        try {
          await sleep(sessionOutlived - 2_000);
          during = await groupMembers(settings, service);
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
 * timers and timeouts keep their length). Orders are in flight across its restart, so what the
 * old clock stamped (a saga step's deadline) the skewed one reads. The skew stays inside the
 * 30 s that internal authentication allows between the gateway's clock and a service's (ADR 0017).
 */
const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const skewed = (service: ServiceName, skewS: number): Drill => ({
  name: `clock-skew-${service}`,
  fault: `${service}'s wall clock ${skewS > 0 ? 'ahead' : 'behind'} by ${Math.abs(skewS)} s (libfaketime) while orders flow`,
  settleMs: 90_000,
  unavailable: () => (existsSync(libfaketime) ? undefined : `${libfaketime} is missing (Debian: libfaketime)`),
  async run(context: DrillContext): Promise<DrillOutcome> {
    const { platform, log } = context;
    const file = join(platform.overridesDir, `${service}.json`);
    mkdirSync(platform.overridesDir, { recursive: true });
    writeFileSync(file, JSON.stringify({ env: { LD_PRELOAD: libfaketime, FAKETIME: `${skewS > 0 ? '+' : ''}${skewS}s`, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_DONT_RESET: '1' } }));
    // Should this process die mid-drill, the service's next start is on the machine's clock again.
    const forget = () => rmSync(file, { force: true });
    process.once('exit', forget);
    const restore = async () => {
      forget();
      process.removeListener('exit', forget);
      await relaunch(platform, service);
      await untilReady(platform, service);
      log(`${service} started again on the machine's clock`);
    };
    try {
      const outcome = await countingDeadLetters(context, async () => {
        const placing = placeOrders(context.gateway, 30, 300);
        await sleep(1_500);
        await relaunch(platform, service);
        await untilReady(platform, service);
        log(`${service} started again with its clock off by ${skewS} s`);
        return placing;
      });
      // Its HTTP Date header is its clock: the proof that the skew took hold (to the second).
      const answer = await fetch(`${serviceUrl(platform, service)}/health/live`);
      const offS = Math.round((Date.parse(answer.headers.get('date') ?? '') - Date.now()) / 1000);
      const checks = [...outcome.checks, { invariant: "the service's clock was off as asked", holds: Math.abs(offS - skewS) <= 2, detail: `its Date header ${offS} s from ours` }];
      return { orderIds: outcome.orderIds, checks, afterChecks: restore };
    } catch (error) {
      await restore();
      throw error;
    }
  },
});

export const timeDrills: Drill[] = [paused('orchestrator'), skewed('orchestrator', 20), skewed('payment', -20)];
