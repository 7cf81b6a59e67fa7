/**
 * The flash-sale bench's pure parts: what the surge and the calm after it add
 * up to, and when the platform recovered. No I/O here, so all of it is unit-tested.
 */
import type { StepLoad } from '../capacity/load.ts';
import { countBy, percentiles, renderTable, type Percentiles } from '../capacity/stats.ts';
import type { Browsing } from './browse.ts';

/** A window of calm load is good when every POST in it was accepted and its orders ended, p99 under a second. */
export const recoveredP99Ms = 1000;

export interface PhaseResult {
  rate: number;
  seconds: number;
  offered: number;
  accepted: number;
  /** Refused or unanswered POSTs by status (`timeout`, `error` when no answer came). */
  refused: Record<string, number>;
  /** Intended send time to the full answer of the POSTs not accepted. */
  refusalMs: Percentiles;
  acceptedPostMs: Percentiles;
  terminal: number;
  stillPending: number;
  placeToTerminalMs: Percentiles;
  /** Terminal outcomes, e.g. `CONFIRMED`, `CANCELLED:TIMEOUT`. */
  outcomes: Record<string, number>;
}

export function summarizePhase(rate: number, seconds: number, load: StepLoad): PhaseResult {
  const notAccepted = load.attempts.filter((attempt) => attempt.status !== '202');
  return {
    rate,
    seconds,
    offered: load.attempts.length,
    accepted: load.attempts.length - notAccepted.length,
    refused: countBy(notAccepted, (attempt) => attempt.status),
    refusalMs: percentiles(notAccepted.map((attempt) => attempt.postMs)),
    acceptedPostMs: percentiles(load.attempts.filter((attempt) => attempt.status === '202').map((attempt) => attempt.postMs)),
    terminal: load.terminals.length,
    stillPending: load.stillPending,
    placeToTerminalMs: percentiles(load.terminals.map((order) => order.updatedAt - order.createdAt)),
    outcomes: countBy(load.terminals, (order) => (order.reason ? `${order.status}:${order.reason}` : order.status)),
  };
}

/**
 * Seconds from the end of the surge until the calm load is served well again:
 * the start of the first one-second window (by intended send time) from which
 * every window is good (all POSTs accepted, all orders terminal, p99 < 1 s).
 * Null when the calm phase never got there.
 */
export function recoverySeconds(calm: StepLoad, windowMs = 1000): number | null {
  const terminals = new Map(calm.terminals.map((order) => [order.index, order]));
  const windows = new Map<number, { good: boolean; latencies: number[] }>();
  for (const attempt of calm.attempts) {
    const window = Math.floor((calm.intendedAt[attempt.index]! - calm.startedAt) / windowMs);
    const entry = windows.get(window) ?? { good: true, latencies: [] };
    const terminal = terminals.get(attempt.index);
    if (attempt.status !== '202' || !terminal) entry.good = false;
    else entry.latencies.push(terminal.updatedAt - terminal.createdAt);
    windows.set(window, entry);
  }
  const ordered = [...windows.entries()].sort(([a], [b]) => a - b);
  let recoveredFrom: number | null = null;
  for (const [window, entry] of ordered) {
    const good = entry.good && percentiles(entry.latencies).p99 < recoveredP99Ms;
    if (!good) recoveredFrom = null;
    else recoveredFrom ??= window;
  }
  return recoveredFrom === null ? null : (recoveredFrom * windowMs) / 1000;
}

export interface FlashSaleResult {
  browsing: BrowsingResult;
  surge: PhaseResult;
  calm: PhaseResult;
  recoveryS: number | null;
  timeoutCancellations: number;
}

export interface BrowsingResult {
  rate: number;
  offered: number;
  ok: number;
  notOk: Record<string, number>;
  /** Answers of status 200 and 304 only. */
  latencyMs: Percentiles;
  /** From the gateway's `x-cache` header: answers from the cache (hit, refreshing, stale) over all that carried it; null when none did. */
  hitRatio: number | null;
  cache: Record<string, number>;
}

export function summarizeBrowsing(browsing: Browsing): BrowsingResult {
  const ok = browsing.reads.filter((read) => read.status === '200' || read.status === '304');
  const withHeader = browsing.reads.filter((read) => read.cache !== undefined);
  const hits = withHeader.filter((read) => read.cache !== 'miss').length; // hit, refreshing, stale: all answered from the cache
  return {
    rate: browsing.rate,
    offered: browsing.reads.length,
    ok: ok.length,
    notOk: countBy(browsing.reads.filter((read) => !ok.includes(read)), (read) => read.status),
    latencyMs: percentiles(ok.map((read) => read.ms)),
    hitRatio: withHeader.length === 0 ? null : Math.round((hits / withHeader.length) * 1000) / 1000,
    cache: countBy(withHeader, (read) => read.cache!),
  };
}

const text = (counts: Record<string, number>) => (Object.keys(counts).length === 0 ? '0' : Object.entries(counts).map(([key, count]) => `${count}×${key}`).join(' '));

/** The figures the issue asks for, one per row. */
export function flashSaleTable(result: FlashSaleResult): string {
  const { browsing, surge, calm } = result;
  const rows: [string, string][] = [
    ['catalog reads answered 200/304', `${browsing.ok} of ${browsing.offered}; p50 ${browsing.latencyMs.p50} ms, p99 ${browsing.latencyMs.p99} ms${Object.keys(browsing.notOk).length ? `; not ok ${text(browsing.notOk)}` : ''}`],
    ['catalog cache hit ratio', browsing.hitRatio === null ? 'no x-cache header (no cache)' : `${(browsing.hitRatio * 100).toFixed(1)} % (${text(browsing.cache)})`],
    [`surge POSTs (${surge.rate}/s for ${surge.seconds} s)`, `${surge.offered} offered: ${surge.accepted} accepted, refused ${text(surge.refused)}`],
    ['refusal latency p50 / p99', surge.offered === surge.accepted ? '-' : `${surge.refusalMs.p50} / ${surge.refusalMs.p99} ms`],
    ['accepted surge orders terminal', `${surge.terminal} of ${surge.accepted}; place→terminal p50 ${surge.placeToTerminalMs.p50} ms, p99 ${surge.placeToTerminalMs.p99} ms`],
    [`calm POSTs (${calm.rate}/s for ${calm.seconds} s)`, `${calm.offered} offered: ${calm.accepted} accepted, refused ${text(calm.refused)}; p99 ${calm.placeToTerminalMs.p99} ms`],
    ['cancelled for TIMEOUT', String(result.timeoutCancellations)],
    ['outcomes (surge + calm)', text(mergeCounts(surge.outcomes, calm.outcomes))],
    ['recovery after the surge', result.recoveryS === null ? `none within the ${calm.seconds} s of calm load` : `${result.recoveryS} s`],
  ];
  return renderTable(['figure', 'measured'], rows);
}

export function mergeCounts(...counts: Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const count of counts) for (const [key, value] of Object.entries(count)) merged[key] = (merged[key] ?? 0) + value;
  return merged;
}
