import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepLoad } from './load.ts';
import { arrivalSchedule, highestSustained, orderPlan, percentile, percentiles, renderTable, sustained } from './stats.ts';
import { capacityTable, summarizeStep } from './summary.ts';

describe('arrivalSchedule', () => {
  it('spaces rate × seconds sends evenly from zero, whatever answers come back', () => {
    const offsets = arrivalSchedule(4, 2);
    assert.deepEqual(offsets, [0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('keeps fractional gaps instead of rounding them away (7/s is not 1 per 143 ms)', () => {
    const offsets = arrivalSchedule(7, 10);
    assert.equal(offsets.length, 70);
    assert.ok(Math.abs(offsets[69]! - (69 * 1000) / 7) < 1e-9);
  });

  it('refuses a rate or duration that is not positive', () => {
    assert.throws(() => arrivalSchedule(0, 10), RangeError);
    assert.throws(() => arrivalSchedule(10, -1), RangeError);
  });
});

describe('percentile', () => {
  it('is nearest-rank: p99 of 1..100 is 99, p50 is 50, p100 is the max', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
  });

  it('with few samples, a high percentile is the worst one', () => {
    assert.equal(percentile([10, 20, 3000], 99), 3000);
    assert.deepEqual(percentiles([3000, 10, 20]), { p50: 20, p90: 3000, p99: 3000, max: 3000 });
  });

  it('is 0 for no samples', () => {
    assert.deepEqual(percentiles([]), { p50: 0, p90: 0, p99: 0, max: 0 });
  });
});

describe('orderPlan', () => {
  it('spreads the nine SKUs and declines one card in ten', () => {
    const plans = Array.from({ length: 90 }, (_, index) => orderPlan(index));
    assert.equal(new Set(plans.map((plan) => plan.sku)).size, 9);
    assert.equal(plans.filter((plan) => plan.card === '4000000000000002').length, 9);
    assert.ok(plans.every((plan) => (plan.card === '4000000000000002') === (plan.expected === 'CANCELLED:PAYMENT_DECLINED')));
  });
});

describe('sustained', () => {
  const fine = { offered: 100, accepted: 100, terminal: 100, unexpectedOutcomes: 0, placeToTerminalMs: { p50: 100, p90: 200, p99: 999, max: 1500 } };
  it('needs every order accepted and terminal as its card says, with p99 under a second', () => {
    assert.equal(sustained(fine), true);
    assert.equal(sustained({ ...fine, accepted: 99 }), false);
    assert.equal(sustained({ ...fine, terminal: 99 }), false);
    assert.equal(sustained({ ...fine, unexpectedOutcomes: 1 }), false);
    assert.equal(sustained({ ...fine, placeToTerminalMs: { ...fine.placeToTerminalMs, p99: 1000 } }), false);
    assert.equal(sustained({ ...fine, offered: 0, accepted: 0, terminal: 0 }), false);
  });

  it('the highest sustained rate is the highest step that held, even past one that did not', () => {
    assert.equal(highestSustained([{ rate: 10, sustained: true }, { rate: 20, sustained: false }, { rate: 15, sustained: true }]), 15);
    assert.equal(highestSustained([{ rate: 10, sustained: false }]), null);
  });
});

describe('renderTable', () => {
  it('aligns numbers right and text left under a rule', () => {
    const table = renderTable(['name', 'ms'], [['order', 5], ['orchestrator', 120]]);
    assert.equal(table, ['name           ms', '------------  ---', 'order           5', 'orchestrator  120'].join('\n'));
  });
});

describe('summarizeStep', () => {
  const start = 1_700_000_000_000;
  const load: StepLoad = {
    startedAt: start,
    sendEndedAt: start + 1000,
    finishedAt: start + 2000,
    intendedAt: [start, start + 500],
    attempts: [
      { index: 0, status: '202', postMs: 40, sendLagMs: 1, orderId: 'a' },
      { index: 1, status: '503', postMs: 900, sendLagMs: 2 },
    ],
    terminals: [{ index: 0, status: 'CONFIRMED', createdAt: start + 30, updatedAt: start + 330 }],
    stillPending: 0,
  };
  const step = summarizeStep({
    rate: 2,
    seconds: 1,
    load,
    cpuSeconds: { order: 0.05, postgres: 0.1, bench: 0.02 },
    machineBusySeconds: 3,
    windowSeconds: 2,
    commits: { order: 30, orchestrator: 10 },
    writeTransactions: 25,
    fetches: { gateway: 9, order: 12 },
    pgbenchTps: 1000,
  });

  it('counts accepted and rejected by status, and latency from the orders own timestamps', () => {
    assert.equal(step.offered, 2);
    assert.equal(step.accepted, 1);
    assert.deepEqual(step.rejected, { 503: 1 });
    assert.equal(step.placeToTerminalMs.p50, 300);
    assert.equal(step.scheduledToTerminalMs.p50, 330);
    assert.equal(step.sustained, false);
  });

  it('divides CPU, commits and Kafka fetches by completed orders; the platform sum leaves the load generator out', () => {
    assert.equal(step.cpuMsPerOrder.order, 50);
    assert.equal(step.cpuMsPerOrder.platform, 150);
    assert.equal(step.transactionsPerOrder.total, 40);
    assert.equal(step.writeTransactionsPerOrder, 25);
    assert.deepEqual(step.fetchesPerOrder, { gateway: 9, order: 12, total: 21 });
    assert.equal(step.machineBusyCores, 1.5);
  });

  it('prints one row per step', () => {
    const lines = capacityTable([step]).split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[2]!, /1×503/);
  });
});
