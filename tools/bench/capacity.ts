/**
 * Open-loop capacity: orders offered through the gateway at fixed arrival
 * rates, step by step, whatever the platform answers (docs/performance.md).
 *
 *   npm run bench -- capacity [--rates 10,20,40] [--seconds 10] [--url http://127.0.0.1:3000]
 *                             [--profile] [--port-base 4500] [--drain 30] [--settle 11]
 *                             [--pgbench-seconds 10] [--idle-seconds 10] [--all-steps]
 *                             [--kill orchestrator@3]   SIGKILL a service 3 s into each step, then check invariants 1-4
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { armKill, invariantsAfterKill, parseKill, type KillPlan } from './capacity/kill.ts';
import { offerStep } from './capacity/load.ts';
import { attachedPlatform, restock, startOwnPlatform, type BenchPlatform } from './capacity/platform.ts';
import { commits, dropDatabase, nextTransactionId, pgbenchCeiling, type PgbenchResult } from './capacity/postgres.ts';
import { kafkaFetches } from './capacity/fetches.ts';
import { cpuDelta, machineCpu, sampleCpu, type Watched } from './capacity/processes.ts';
import { profilePlatform, type StepProfiler } from './capacity/profiler.ts';
import { highestSustained, ratio } from './capacity/stats.ts';
import { guardedRun, keepResult, writeProfiles } from './guarded-run.ts';
import { capacityTable, perOrderTable, summarizeStep, type StepResult } from './capacity/summary.ts';

export interface CapacityOptions {
  rates: number[];
  seconds: number;
  url?: string | undefined;
  profile: boolean;
  portBase: number;
  drainS: number;
  settleS: number;
  pgbenchSeconds: number;
  idleSeconds: number;
  allSteps: boolean;
  kill: KillPlan | undefined;
  /** Settings for its own platform's services, over `npm start`'s (tests only: what is measured is what a user gets). */
  extraEnv?: Record<string, string>;
  say: (line: string) => void;
}

export function parseCapacityArgs(args: string[], say: (line: string) => void = console.log): CapacityOptions {
  const { values } = parseArgs({
    args,
    options: {
      rates: { type: 'string', default: '10,20,40,80,120,160,200' },
      seconds: { type: 'string', default: '10' },
      url: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'port-base': { type: 'string', default: '4500' },
      drain: { type: 'string', default: '30' },
      settle: { type: 'string', default: '11' },
      'pgbench-seconds': { type: 'string', default: '10' },
      'idle-seconds': { type: 'string', default: '10' },
      'all-steps': { type: 'boolean', default: false },
      kill: { type: 'string' },
    },
  });
  const rates = values.rates.split(',').map((rate) => positive('rates', rate.trim()));
  if (values.kill && values.url) throw new Error('--kill needs the bench to start the platform itself (its supervisor restarts the killed service); drop --url');
  if (values.profile && values.url) throw new Error('--profile needs the bench to start the platform itself (services run with their inspector on); drop --url');
  return {
    rates,
    seconds: positive('seconds', values.seconds),
    url: values.url,
    profile: values.profile,
    portBase: positive('port-base', values['port-base']),
    drainS: positive('drain', values.drain),
    settleS: Number(values.settle),
    pgbenchSeconds: positive('pgbench-seconds', values['pgbench-seconds']),
    idleSeconds: positive('idle-seconds', values['idle-seconds']),
    allSteps: values['all-steps'],
    kill: parseKill(values.kill),
    say,
  };
}

/** A flag's value as a positive number, or an error naming the flag. */
export function positive(name: string, text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

const skus = Array.from({ length: 9 }, (_, index) => `SKU-00${index + 1}`);
const round1 = (value: number) => Math.round(value * 10) / 10;

export function watchedOf(platform: BenchPlatform): Watched {
  const port = (url: string, fallback: number) => Number(new URL(url).port || fallback);
  return {
    services: platform.pids,
    kafkaPort: Number(platform.kafkaBrokers.split(',')[0]!.split(':')[1] ?? 9092),
    postgresPort: port(platform.postgresUrl, 5432),
    redisPort: port(platform.redisUrl, 6379),
    databases: Object.values(platform.databases),
  };
}

const acceptedIds = (load: { attempts: { orderId?: string }[] }) => load.attempts.flatMap((attempt) => (attempt.orderId ? [attempt.orderId] : []));

const deltaOf = (before: Record<string, number>, after: Record<string, number>) => Object.fromEntries(Object.keys(after).map((name) => [name, after[name]! - (before[name] ?? 0)]));

/** The platform with no load: CPU as % of one core per process, and commits/s. */
async function measureIdle(platform: BenchPlatform, seconds: number) {
  const watched = watchedOf(platform);
  const [cpuBefore, commitsBefore, startedAt] = [sampleCpu(watched), await commits(platform.postgresUrl, platform.databases), performance.now()];
  await sleep(seconds * 1000);
  const [cpuAfter, commitsAfter] = [sampleCpu(watched), await commits(platform.postgresUrl, platform.databases)];
  const windowS = (performance.now() - startedAt) / 1000;
  const cpu = cpuDelta(cpuBefore, cpuAfter);
  const percentOfCore = Object.fromEntries(Object.entries(cpu).map(([name, value]) => [name, round1((value / windowS) * 100)]));
  const services = Object.keys(platform.databases).reduce((total, name) => total + (cpu[name] ?? 0), 0);
  const committed = deltaOf(commitsBefore, commitsAfter);
  return {
    seconds: round1(windowS),
    percentOfOneCore: { ...percentOfCore, services: round1((services / windowS) * 100), platform: round1(((services + (cpu.kafka ?? 0) + (cpu.postgres ?? 0) + (cpu.redis ?? 0)) / windowS) * 100) },
    commitsPerSecond: { ...Object.fromEntries(Object.entries(committed).map(([name, value]) => [name, round1(value / windowS)])), total: round1(Object.values(committed).reduce((a, b) => a + b, 0) / windowS) },
  };
}

async function runStep(platform: BenchPlatform, options: CapacityOptions, run: string, step: number, rate: number, pgbench: PgbenchResult | null, profile: boolean) {
  const watched = watchedOf(platform);
  const profiler: StepProfiler | undefined = profile
    ? await profilePlatform(platform)
    : undefined;
  const [commitsBefore, xidBefore, fetchesBefore] = await Promise.all([commits(platform.postgresUrl, platform.databases), nextTransactionId(platform.postgresUrl), kafkaFetches(platform.ports)]);
  const [cpuBefore, machineBefore] = [sampleCpu(watched), machineCpu()];
  const windowStart = performance.now();
  const disarm = options.kill ? armKill(options.kill, platform.pids, options.say) : () => undefined;
  const load = await offerStep({
    gatewayUrl: platform.gatewayUrl,
    apiKey: 'dev-key-1',
    rate,
    seconds: options.seconds,
    // The step's position too: a rate offered twice must place new orders, not replay the first step's keys.
    prefix: `bench-${run}-s${step}-${rate}`,
    drainMs: options.drainS * 1000,
    onProgress: (progress) =>
      options.say(`  ${String(rate).padStart(4)}/s  ${String(progress.elapsedS).padStart(3)} s  sent ${progress.sent}  answered ${progress.answered}  accepted ${progress.accepted}  terminal ${progress.terminal}`),
  });
  disarm();
  const [cpuAfter, machineAfter] = [sampleCpu(watched), machineCpu()];
  const windowSeconds = (performance.now() - windowStart) / 1000;
  const fetchesAfter = await kafkaFetches(platform.ports);
  const profiles = await profiler?.stop();
  // Idle backends report their commit counts up to 10 s late: wait before reading them.
  await sleep(options.settleS * 1000);
  const [commitsAfter, xidAfter] = await Promise.all([commits(platform.postgresUrl, platform.databases), nextTransactionId(platform.postgresUrl)]);
  const result = summarizeStep({
    rate,
    seconds: options.seconds,
    load,
    cpuSeconds: cpuDelta(cpuBefore, cpuAfter),
    machineBusySeconds: machineAfter.busy - machineBefore.busy,
    windowSeconds,
    commits: deltaOf(commitsBefore, commitsAfter),
    writeTransactions: xidAfter - xidBefore,
    fetches: deltaOf(fetchesBefore, fetchesAfter),
    pgbenchTps: pgbench?.tps ?? null,
  });
  const invariants = options.kill ? await invariantsAfterKill(platform.gatewayUrl, 'dev-key-1', acceptedIds(load), 60_000) : undefined;
  for (const check of invariants ?? []) options.say(`  ${check.holds ? 'ok    ' : 'BROKEN'} ${check.invariant}: ${check.detail}`);
  return { result: { ...result, loadAverage1m: round1(loadavg()[0]!), ...(invariants ? { invariants } : {}) }, profiles };
}

export async function benchCapacity(options: CapacityOptions) {
  const { say } = options;
  const run = randomBytes(3).toString('hex');
  const startedAt = new Date().toISOString();
  say(`capacity (open-loop): rates ${options.rates.join(', ')} /s, ${options.seconds} s each; load average ${loadavg().map(round1).join(' ')}`);
  const loadAverageAtStart = loadavg().map(round1);
  const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const pgbenchDatabase = `bench_pgbench_${run}`;
  let platform: BenchPlatform | undefined;
  const steps: StepResult[] = [];
  let profiled: { rate: number; files: string[] } | undefined;
  // Ctrl-C or SIGTERM at any point: stop what was started, drop what was created, then exit.
  return guardedRun(say, () => platform, () => dropDatabase(postgresUrl, pgbenchDatabase), async () => {
    say(`machine ceiling: pgbench -N -c 16 for ${options.pgbenchSeconds} s`);
    const pgbench = await pgbenchCeiling(postgresUrl, { database: pgbenchDatabase, clients: 16, seconds: options.pgbenchSeconds });
    say(`  ${pgbench.tps} transactions/s`);
    say(options.url ? `platform: ${options.url} (already running)` : `platform: starting its own on ports ${options.portBase}-${options.portBase + 5}`);
    platform = options.url ? attachedPlatform(options.url) : await startOwnPlatform({ portBase: options.portBase, profile: options.profile, extraEnv: options.extraEnv, say });
    await platform.waitReady();
    const planned = options.rates.reduce((total, rate) => total + rate * options.seconds, 0);
    await restock(platform.gatewayUrl, skus, Math.ceil(planned / skus.length) + 1_000);
    say('restocked SKU-001..SKU-009; warming up (20 orders at 5/s)');
    await offerStep({ gatewayUrl: platform.gatewayUrl, apiKey: 'dev-key-1', rate: 5, seconds: 4, prefix: `bench-${run}-warm`, drainMs: 30_000 });
    await sleep(options.settleS * 1000);
    say(`idle: ${options.idleSeconds} s with no load`);
    const idle = await measureIdle(platform, options.idleSeconds);
    say(`  services ${idle.percentOfOneCore.services} % of one core, whole platform ${idle.percentOfOneCore.platform} %, ${idle.commitsPerSecond.total} commits/s`);

    let failuresInARow = 0;
    for (const [step, rate] of options.rates.entries()) {
      const profileThis = options.profile && !profiled?.files.length;
      const { result, profiles } = await runStep(platform, options, run, step, rate, pgbench, profileThis);
      steps.push(result);
      say(`  ${rate}/s: ${result.accepted}/${result.offered} accepted, ${result.terminal} terminal, ${result.completedPerSecond}/s, p99 ${result.placeToTerminalMs.p99} ms, ${result.transactionsPerOrder.total ?? '-'} xact/order (${result.writeTransactionsPerOrder ?? '-'} writing) → ${result.sustained ? 'sustained' : 'NOT sustained'}`);
      if (profiles) profiled = { rate, files: result.sustained && rate !== options.rates.at(-1) ? [] : writeProfiles(`capacity-${run}-${rate}`, profiles) };
      failuresInARow = result.sustained ? 0 : failuresInARow + 1;
      if (failuresInARow >= 2 && !options.allSteps) {
        say('  two steps in a row not sustained: stopping (--all-steps runs every step)');
        break;
      }
    }
    const best = highestSustained(steps);
    const result = {
      mode: 'open-loop',
      at: startedAt,
      platform: { url: platform.gatewayUrl, own: platform.own, databases: platform.databases, ...(platform.topicPrefix ? { topicPrefix: platform.topicPrefix } : {}) },
      settings: { rates: options.rates, seconds: options.seconds, drainS: options.drainS, settleS: options.settleS, profile: options.profile, ...(options.kill ? { kill: options.kill } : {}) },
      machine: { loadAverageAtStart, pgbench },
      idle,
      steps,
      highestSustainedRate: best,
      highestSustainedVsPgbench: best === null ? null : ratio(best, pgbench.tps, 4),
      ...(profiled ? { profiles: profiled } : {}),
    };
    say(`\n${capacityTable(steps)}\n`);
    say(`CPU-ms per completed order, by process (bench = this load generator):\n${perOrderTable(steps, (step) => step.cpuMsPerOrder, 'process')}\n`);
    say(`Postgres transactions per completed order, by database:\n${perOrderTable(steps, (step) => step.transactionsPerOrder, 'database')}\n`);
    say(`Kafka fetch requests per completed order, by service:\n${perOrderTable(steps, (step) => step.fetchesPerOrder, 'service')}\n`);
    say(`machine ceiling: pgbench -N ${pgbench.tps} tps; idle platform ${idle.percentOfOneCore.platform} % of one core (services ${idle.percentOfOneCore.services} %), ${idle.commitsPerSecond.total} commits/s`);
    say(best === null ? 'highest rate sustained: none of the steps' : `highest rate sustained: ${best} orders/s (${result.highestSustainedVsPgbench} × pgbench -N tps)`);
    if (profiled) say(`CPU profiles (${profiled.rate}/s step): ${profiled.files.join(', ')}`);
    keepResult('capacity', startedAt, result, say);
    return result;
  });
}
