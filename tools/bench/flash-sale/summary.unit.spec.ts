import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepLoad } from '../capacity/load.ts';
import { recoverySeconds, summarizeBrowsing, summarizePhase } from './summary.ts';

/** A calm phase of one order per 500 ms; `latency(i)` is order i's place→terminal, `status(i)` its POST answer. */
function calm(count: number, latency: (index: number) => number, status: (index: number) => string = () => '202'): StepLoad {
  const startedAt = 1_000_000;
  const intendedAt = Array.from({ length: count }, (_, index) => startedAt + index * 500);
  const attempts = intendedAt.map((_, index) => ({ index, status: status(index), postMs: 5, sendLagMs: 0, ...(status(index) === '202' ? { orderId: `o${index}` } : {}) }));
  const terminals = attempts
    .filter((attempt) => attempt.status === '202')
    .map(({ index }) => ({ index, status: 'CONFIRMED', createdAt: intendedAt[index]!, updatedAt: intendedAt[index]! + latency(index) }));
  return { startedAt, sendEndedAt: startedAt + count * 500, finishedAt: startedAt + count * 500, attempts, terminals, stillPending: 0, intendedAt };
}

describe('recoverySeconds', () => {
  it('is 0 when the calm load is served well from its first second', () => {
    assert.equal(recoverySeconds(calm(20, () => 200)), 0);
  });

  it('is the start of the first window from which every window is good', () => {
    // Orders in the first 3 s (indexes 0-5) take 4 s; from second 3 on, 200 ms.
    assert.equal(recoverySeconds(calm(20, (index) => (index < 6 ? 4_000 : 200))), 3);
  });

  it('starts again after a bad window that follows good ones', () => {
    assert.equal(recoverySeconds(calm(20, (index) => (index === 12 ? 1_500 : 200))), 7);
  });

  it('counts a refused POST as not recovered', () => {
    assert.equal(recoverySeconds(calm(20, () => 200, (index) => (index === 9 ? '503' : '202'))), 5);
  });

  it('counts an accepted order never seen terminal as not recovered', () => {
    const load = calm(20, () => 200);
    load.terminals = load.terminals.filter((order) => order.index !== 19);
    assert.equal(recoverySeconds(load), null);
  });

  it('is null when the last window is still bad', () => {
    assert.equal(recoverySeconds(calm(20, (index) => (index >= 18 ? 2_000 : 200))), null);
  });
});

describe('summarizePhase', () => {
  it('separates refusals from accepted answers and counts outcomes', () => {
    const load = calm(4, () => 300, (index) => (index === 1 ? '503' : index === 2 ? 'timeout' : '202'));
    load.attempts[1]!.postMs = 12;
    load.attempts[2]!.postMs = 15_000;
    const phase = summarizePhase(5, 2, load);
    assert.deepEqual([phase.offered, phase.accepted, phase.refused, phase.terminal, phase.outcomes], [4, 2, { '503': 1, timeout: 1 }, 2, { CONFIRMED: 2 }]);
    assert.equal(phase.refusalMs.max, 15_000);
    assert.equal(phase.placeToTerminalMs.p99, 300);
  });
});

describe('summarizeBrowsing', () => {
  it('counts stale answers as hits and leaves out reads without the header', () => {
    const result = summarizeBrowsing({
      rate: 10,
      reads: [
        { status: '200', ms: 3, cache: 'hit' },
        { status: '200', ms: 4, cache: 'stale' },
        { status: '200', ms: 30, cache: 'miss' },
        { status: '503', ms: 2 },
      ],
    });
    assert.deepEqual([result.offered, result.ok, result.notOk, result.cache], [4, 3, { '503': 1 }, { hit: 1, stale: 1, miss: 1 }]);
    assert.equal(result.hitRatio, 0.667);
  });

  it('has no hit ratio when no answer carried the header', () => {
    assert.equal(summarizeBrowsing({ rate: 1, reads: [{ status: '200', ms: 5 }] }).hitRatio, null);
  });
});
