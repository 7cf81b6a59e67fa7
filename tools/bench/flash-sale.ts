/**
 * Flash sale: shoppers browse the catalog at a steady rate while checkouts
 * are offered open-loop well above capacity for a while, then at a normal
 * rate (docs/performance.md, "Flash sale"). Measures what a shopper sees:
 * catalog read latency and cache hit ratio, how fast a refusal comes, how
 * long accepted orders take, and how soon the calm load is served well again.
 *
 *   npm run bench -- flash-sale [--surge-rate 150] [--surge-seconds 30] [--calm-rate 5] [--calm-seconds 30]
 *                               [--browse-rate 100] [--drain 60] [--url http://127.0.0.1:3000] [--port-base 4600]
 *                               [--profile]   a CPU profile of every service over the surge (own platform only)
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { positive, watchedOf } from './capacity.ts';
import { cpuDelta, sampleCpu } from './capacity/processes.ts';
import { offerStep, type StepLoad } from './capacity/load.ts';
import { attachedPlatform, restock, startOwnPlatform, type BenchPlatform } from './capacity/platform.ts';
import { browse } from './flash-sale/browse.ts';
import { guardedRun, keepResult, writeProfiles } from './guarded-run.ts';
import { profilePlatform } from './capacity/profiler.ts';
import { flashSaleTable, mergeCounts, recoverySeconds, summarizeBrowsing, summarizePhase, type FlashSaleResult } from './flash-sale/summary.ts';

export interface FlashSaleOptions {
  surgeRate: number;
  surgeSeconds: number;
  calmRate: number;
  calmSeconds: number;
  browseRate: number;
  drainS: number;
  url: string | undefined;
  portBase: number;
  profile: boolean;
  say: (line: string) => void;
}

export function parseFlashSaleArgs(args: string[], say: (line: string) => void = console.log): FlashSaleOptions {
  const { values } = parseArgs({
    args,
    options: {
      'surge-rate': { type: 'string', default: '150' },
      'surge-seconds': { type: 'string', default: '30' },
      'calm-rate': { type: 'string', default: '5' },
      'calm-seconds': { type: 'string', default: '30' },
      'browse-rate': { type: 'string', default: '100' },
      drain: { type: 'string', default: '60' },
      url: { type: 'string' },
      'port-base': { type: 'string', default: '4600' },
      profile: { type: 'boolean', default: false },
    },
  });
  if (values.profile && values.url) throw new Error('--profile needs the bench to start the platform itself (services run with their inspector on); drop --url');
  return {
    surgeRate: positive('surge-rate', values['surge-rate']),
    surgeSeconds: positive('surge-seconds', values['surge-seconds']),
    calmRate: positive('calm-rate', values['calm-rate']),
    calmSeconds: positive('calm-seconds', values['calm-seconds']),
    browseRate: positive('browse-rate', values['browse-rate']),
    drainS: positive('drain', values.drain),
    url: values.url,
    portBase: positive('port-base', values['port-base']),
    profile: values.profile,
    say,
  };
}

const skus = Array.from({ length: 9 }, (_, index) => `SKU-00${index + 1}`);

export async function benchFlashSale(options: FlashSaleOptions) {
  const { say } = options;
  const run = randomBytes(3).toString('hex');
  const startedAt = new Date().toISOString();
  say(`flash sale: browsing ${options.browseRate}/s throughout; checkouts ${options.surgeRate}/s for ${options.surgeSeconds} s, then ${options.calmRate}/s for ${options.calmSeconds} s (open-loop); load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}`);
  let platform: BenchPlatform | undefined;
  return guardedRun(say, () => platform, async () => undefined, async () => {
    say(options.url ? `platform: ${options.url} (already running)` : `platform: starting its own on ports ${options.portBase}-${options.portBase + 5}`);
    platform = options.url ? attachedPlatform(options.url) : await startOwnPlatform({ portBase: options.portBase, profile: options.profile, say });
    await platform.waitReady();
    const planned = options.surgeRate * options.surgeSeconds + options.calmRate * options.calmSeconds;
    await restock(platform.gatewayUrl, skus, Math.ceil(planned / skus.length) + 1_000);
    // A sale starts on a shop that was already trading: 150 orders at 10/s first also bring the
    // services' and the broker's JIT compilers to their steady state, which 20 orders did not (the
    // first seconds of the surge then ran at two thirds of the later rate, and set its p99).
    say('restocked SKU-001..SKU-009; the shop trading before the sale (150 orders at 10/s)');
    await offerStep({ gatewayUrl: platform.gatewayUrl, apiKey: 'dev-key-1', rate: 10, seconds: 15, prefix: `flash-${run}-warm`, drainMs: 30_000 });
    await sleep(3_000);

    const gatewayUrl = platform.gatewayUrl;
    // The load generator's own health: a late event loop here inflates every latency it reports.
    const ownDelay = monitorEventLoopDelay({ resolution: 10 });
    ownDelay.enable();
    const shoppers = browse({ gatewayUrl, apiKey: 'dev-key-2', rate: options.browseRate });
    const progress = (phase: string) => (p: { elapsedS: number; sent: number; answered: number; accepted: number; terminal: number }) =>
      say(`  ${phase.padEnd(5)} ${String(p.elapsedS).padStart(3)} s  sent ${p.sent}  answered ${p.answered}  accepted ${p.accepted}  terminal ${p.terminal}`);
    const surge = offerStep({ gatewayUrl, apiKey: 'dev-key-1', rate: options.surgeRate, seconds: options.surgeSeconds, prefix: `flash-${run}-surge`, drainMs: options.drainS * 1000, onProgress: progress('surge') });
    // The calm load starts on schedule when the surge's sends end, whatever the surge's answers are doing.
    const calm: Promise<StepLoad> = sleep(options.surgeSeconds * 1000).then(() =>
      offerStep({ gatewayUrl, apiKey: 'dev-key-1', rate: options.calmRate, seconds: options.calmSeconds, prefix: `flash-${run}-calm`, drainMs: options.drainS * 1000, onProgress: progress('calm') }),
    );
    // Browsing runs through the surge and the calm sends; it stops with the calm load's last send.
    const browsing = sleep((options.surgeSeconds + options.calmSeconds) * 1000 + 500).then(() => shoppers.stop());
    // CPU by process over the surge's sends: who the surge costs (bench = this load generator).
    const cpuBefore = sampleCpu(watchedOf(platform));
    const profiler = options.profile ? await profilePlatform(platform) : undefined;
    const surgeCpu = sleep(options.surgeSeconds * 1000).then(async () => {
      const cpu = cpuDelta(cpuBefore, sampleCpu(watchedOf(platform!)));
      const profiles = await profiler?.stop();
      if (profiles) say(`  CPU profiles over the surge: ${writeProfiles(`flash-sale-${run}`, profiles).join(', ')}`);
      return cpu;
    });
    const [surgeLoad, calmLoad, reads, cpu] = await Promise.all([surge, calm, browsing, surgeCpu]);

    ownDelay.disable();
    const generatorDelayMs = { p99: Math.round(ownDelay.percentile(99) / 1e6), max: Math.round(ownDelay.max / 1e6) };
    const surgeResult = summarizePhase(options.surgeRate, options.surgeSeconds, surgeLoad);
    const calmResult = summarizePhase(options.calmRate, options.calmSeconds, calmLoad);
    const outcomes = mergeCounts(surgeResult.outcomes, calmResult.outcomes);
    const figures: FlashSaleResult = {
      browsing: summarizeBrowsing(reads),
      surge: surgeResult,
      calm: calmResult,
      recoveryS: recoverySeconds(calmLoad),
      timeoutCancellations: outcomes['CANCELLED:TIMEOUT'] ?? 0,
    };
    const surgeCpuPercent = Object.fromEntries(Object.entries(cpu).map(([name, seconds]) => [name, Math.round((seconds / options.surgeSeconds) * 1000) / 10]));
    say(`\n${flashSaleTable(figures)}\n`);
    say(`load generator's event-loop delay: p99 ${generatorDelayMs.p99} ms, max ${generatorDelayMs.max} ms`);
    say(`CPU during the surge, % of one core: ${Object.entries(surgeCpuPercent).map(([name, percent]) => `${name} ${percent}`).join(', ')}\n`);
    const result = { at: startedAt, platform: { url: gatewayUrl, own: platform.own }, settings: { ...options, say: undefined }, ...figures, surgeCpuPercent, generatorDelayMs };
    keepResult('flash-sale', startedAt, result, say);
    return result;
  });
}
