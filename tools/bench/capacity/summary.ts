/** What one step's raw measurements add up to, and the tables printed from them (pure: unit-tested). */
import type { StepLoad } from './load.ts';
import { countBy, orderPlan, percentiles, ratio, renderTable, sustained, type Percentiles, type StepVerdictInput } from './stats.ts';

/** A step's offered rate and length. */
interface StepShape {
  rate: number;
  seconds: number;
}

export interface StepMeasurements extends StepShape {
  load: StepLoad;
  /** CPU seconds per process over the step (first send to drain end). */
  cpuSeconds: Record<string, number>;
  /** Busy CPU seconds of the whole machine (all cores) over the same window, and its length. */
  machineBusySeconds: number;
  windowSeconds: number;
  /** Committed transactions per database over the step and its settle time. */
  commits: Record<string, number>;
  /** Transaction ids the whole server assigned over the same window: its write transactions. */
  writeTransactions: number;
  /** Kafka fetch requests per service over the step (its consumers' own counters). */
  fetches: Record<string, number>;
  pgbenchTps: number | null;
}

/** Besides what the verdict reads (offered, accepted, terminal, unexpected outcomes, place→terminal from the orders' own timestamps): */
export interface StepResult extends StepShape, StepVerdictInput {
  rejected: Record<string, number>;
  stillPending: number;
  outcomes: Record<string, number>;
  completedPerSecond: number;
  /** From the intended send time to updatedAt: includes time spent waiting for the POST's answer. */
  scheduledToTerminalMs: Percentiles;
  /** Intended send time to the POST's full answer (no coordinated omission). */
  postMs: Percentiles;
  /** How late the generator sent (its own health: large values mean the figures above are suspect). */
  sendLagMs: Percentiles;
  cpuSeconds: Record<string, number>;
  cpuMsPerOrder: Record<string, number | null>;
  /** Average busy cores of the whole machine over the step (2 = both cores busy). */
  machineBusyCores: number;
  transactions: Record<string, number>;
  transactionsPerOrder: Record<string, number | null>;
  /** Of those, the ones that wrote (took a transaction id), server-wide: read-only transactions cost no WAL flush. */
  writeTransactionsPerOrder: number | null;
  /** Kafka fetch requests per completed order, by service and in total. */
  fetchesPerOrder: Record<string, number | null>;
  /** Orders completed per second for each `pgbench -N` transaction per second the machine can commit. */
  ordersPerPgbenchTps: number | null;
  sustained: boolean;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);
const perOrder = (values: Record<string, number>, orders: number, scale: number) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, ratio(value * scale, orders)]));

export function summarizeStep(step: StepMeasurements): StepResult {
  const { load } = step;
  const accepted = load.attempts.filter((attempt) => attempt.status === '202');
  const rejected = countBy(
    load.attempts.filter((attempt) => attempt.status !== '202'),
    (attempt) => attempt.status,
  );
  const outcome = (terminal: { status: string; reason?: string }) => (terminal.reason ? `${terminal.status}:${terminal.reason}` : terminal.status);
  const lastUpdate = Math.max(load.startedAt, ...load.terminals.map((terminal) => terminal.updatedAt));
  const completedSpanS = Math.max(step.seconds, (lastUpdate - load.startedAt) / 1000);
  const terminal = load.terminals.length;
  const placeToTerminalMs = percentiles(load.terminals.map((order) => order.updatedAt - order.createdAt));
  const unexpectedOutcomes = load.terminals.filter((order) => outcome(order) !== orderPlan(order.index).expected).length;
  const cpuSeconds = Object.fromEntries(Object.entries(step.cpuSeconds).map(([name, seconds]) => [name, Math.round(seconds * 100) / 100]));
  // The platform: its services, Kafka, Redis and the Postgres backends of its databases (not the load generator, not the rest of the server).
  const platformCpu = Object.fromEntries(Object.entries(step.cpuSeconds).filter(([name]) => name !== 'bench' && name !== 'postgres-all'));
  const completedPerSecond = Math.round((terminal / completedSpanS) * 10) / 10;
  const result = {
    rate: step.rate,
    seconds: step.seconds,
    offered: load.attempts.length,
    accepted: accepted.length,
    rejected,
    terminal,
    stillPending: load.stillPending,
    outcomes: countBy(load.terminals, outcome),
    unexpectedOutcomes,
    completedPerSecond,
    placeToTerminalMs,
    scheduledToTerminalMs: percentiles(load.terminals.map((order) => order.updatedAt - load.intendedAt[order.index]!)),
    postMs: percentiles(load.attempts.map((attempt) => attempt.postMs)),
    sendLagMs: percentiles(load.attempts.map((attempt) => attempt.sendLagMs)),
    cpuSeconds,
    cpuMsPerOrder: { ...perOrder(step.cpuSeconds, terminal, 1000), platform: ratio(sum(platformCpu) * 1000, terminal) },
    machineBusyCores: ratio(step.machineBusySeconds, step.windowSeconds, 2) ?? 0,
    transactions: { ...step.commits, total: sum(step.commits) },
    transactionsPerOrder: { ...perOrder(step.commits, terminal, 1), total: ratio(sum(step.commits), terminal) },
    writeTransactionsPerOrder: ratio(step.writeTransactions, terminal),
    fetchesPerOrder: { ...perOrder(step.fetches, terminal, 1), total: ratio(sum(step.fetches), terminal) },
    ordersPerPgbenchTps: step.pgbenchTps ? ratio(completedPerSecond, step.pgbenchTps, 4) : null,
  };
  return { ...result, sustained: sustained(result) };
}

const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${Math.round((part / whole) * 100)} %`);
const rejectedText = (rejected: Record<string, number>) =>
  Object.keys(rejected).length === 0 ? '0' : Object.entries(rejected).map(([status, count]) => `${count}×${status}`).join(' ');
const orDash = (value: number | null | undefined) => (value === null || value === undefined ? '-' : value);

export function capacityTable(steps: readonly StepResult[]): string {
  return renderTable(
    ['offered/s', 'offered', 'accepted', 'rejected', 'terminal', 'completed/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'POST p50', 'POST p99', 'busy cores', 'xact/order', 'writes/order', 'sustained'],
    steps.map((step) => [
      step.rate,
      step.offered,
      pct(step.accepted, step.offered),
      rejectedText(step.rejected),
      `${step.terminal}`,
      step.completedPerSecond,
      step.placeToTerminalMs.p50,
      step.placeToTerminalMs.p90,
      step.placeToTerminalMs.p99,
      step.placeToTerminalMs.max,
      step.postMs.p50,
      step.postMs.p99,
      step.machineBusyCores,
      orDash(step.transactionsPerOrder.total),
      orDash(step.writeTransactionsPerOrder),
      step.sustained ? 'yes' : 'no',
    ]),
  );
}

/** One column per step: rows are processes (CPU-ms per completed order) or databases (transactions per order). */
export function perOrderTable(steps: readonly StepResult[], pick: (step: StepResult) => Record<string, number | null>, label: string): string {
  const names = [...new Set(steps.flatMap((step) => Object.keys(pick(step))))];
  return renderTable(
    [label, ...steps.map((step) => `${step.rate}/s`)],
    names.map((name) => [name, ...steps.map((step) => orDash(pick(step)[name]))]),
  );
}
