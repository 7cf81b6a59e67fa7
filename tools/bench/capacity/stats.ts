/**
 * The capacity bench's pure parts: the open-loop schedule, percentiles, the
 * "sustained" verdict and the table. No I/O here, so all of it is unit-tested.
 */

/**
 * Intended send offsets (ms from the step's start) for a constant arrival rate.
 * Fixed up front, so a slow answer never delays the next request (no
 * coordinated omission: latency is measured from these times, not from when a
 * busy event loop got round to sending).
 */
export function arrivalSchedule(ratePerSecond: number, seconds: number): number[] {
  if (!(ratePerSecond > 0) || !(seconds > 0)) throw new RangeError(`rate and seconds must be positive (got ${ratePerSecond}/s for ${seconds} s)`);
  const count = Math.round(ratePerSecond * seconds);
  const gapMs = 1000 / ratePerSecond;
  return Array.from({ length: count }, (_, index) => index * gapMs);
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (the value at or above p % of the samples); 0 for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(sorted, p));
  return { p50: at(50), p90: at(90), p99: at(99), max: Math.round(sorted.at(-1) ?? 0) };
}

/** The order the n-th request of a step places: quantity 1, the nine SKUs in turn, one card in ten declined. */
export function orderPlan(index: number): { sku: string; card: string; expected: 'CONFIRMED' | 'CANCELLED:PAYMENT_DECLINED' } {
  const declined = index % 10 === 9;
  return {
    sku: `SKU-00${(index % 9) + 1}`,
    card: declined ? '4000000000000002' : '4242424242424242',
    expected: declined ? 'CANCELLED:PAYMENT_DECLINED' : 'CONFIRMED',
  };
}

export const sustainedP99Ms = 1000;

export interface StepVerdictInput {
  offered: number;
  accepted: number;
  terminal: number;
  /** Terminal orders whose outcome is not the one their card asks for (e.g. OUT_OF_STOCK, TIMEOUT). */
  unexpectedOutcomes: number;
  /** updatedAt − createdAt, the orders' own timestamps. */
  placeToTerminalMs: Percentiles;
}

/** Sustained: every order accepted, every accepted order terminal with the outcome its card asks for, p99 under a second. */
export function sustained(step: StepVerdictInput): boolean {
  return step.offered > 0 && step.accepted === step.offered && step.terminal === step.accepted && step.unexpectedOutcomes === 0 && step.placeToTerminalMs.p99 < sustainedP99Ms;
}

/** The highest offered rate whose step was sustained, or null when none was. */
export function highestSustained(steps: readonly { rate: number; sustained: boolean }[]): number | null {
  const rates = steps.filter((step) => step.sustained).map((step) => step.rate);
  return rates.length === 0 ? null : Math.max(...rates);
}

/** A plain-text table: right-aligned numbers, left-aligned text, a rule under the header. */
export function renderTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers.map(String), ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number' || /^[\d.,%×/ -]+$/.test(String(row[column]))));
  const line = (row: readonly string[]) =>
    row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Counts of a list by key, e.g. rejected POSTs by status. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** `a / b` rounded to `digits`, or null when b is 0 (per order with no orders means nothing). */
export function ratio(a: number, b: number, digits = 1): number | null {
  if (b === 0) return null;
  const scale = 10 ** digits;
  return Math.round((a / b) * scale) / scale;
}
