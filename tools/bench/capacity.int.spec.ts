/**
 * The capacity bench end to end on a platform of its own, one tiny step:
 * checks the shape of what it reports and that it leaves nothing behind.
 * No figure is asserted: they depend on the machine and what else runs on it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { serviceNames } from '../runner/services.ts';
import { benchCapacity, parseCapacityArgs } from './capacity.ts';
import type { StepResult } from './capacity/summary.ts';
import { listenerPid } from '../runner/listeners.ts';

const portBase = 4510; // beside the bench's default 4500, so a bench run and this test do not collide

describe('capacity bench', () => {
  it('offers 5 orders/s for 2 s open-loop and reports every per-step figure, then stops and drops its platform', { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    const options = parseCapacityArgs(
      ['--rates', '5', '--seconds', '2', '--port-base', String(portBase), '--pgbench-seconds', '2', '--idle-seconds', '2', '--settle', '1', '--drain', '30'],
      (line) => lines.push(line),
    );
    const result = await benchCapacity(options);

    assert.equal(result.mode, 'open-loop');
    assert.ok(result.machine.pgbench.tps > 0, 'pgbench measured the machine');
    assert.ok(result.idle.percentOfOneCore.services > 0, 'idle services use some CPU');
    assert.ok(result.idle.commitsPerSecond.total >= 0);

    assert.equal(result.steps.length, 1);
    const [step] = result.steps;
    assert.equal(step!.rate, 5);
    assert.equal(step!.offered, 10);
    assert.equal(step!.accepted + Object.values(step!.rejected).reduce((a, b) => a + b, 0), step!.offered, 'every POST is counted once');
    assert.ok(step!.terminal + step!.stillPending === step!.accepted, 'every accepted order is terminal or still pending');
    assert.ok(step!.terminal > 0, 'a lightly loaded platform completes some of 10 orders within the drain');
    const { p50, p90, p99, max } = step!.placeToTerminalMs;
    assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, `ordered percentiles: ${JSON.stringify(step!.placeToTerminalMs)}`);
    for (const process of [...serviceNames, 'kafka', 'postgres', 'redis', 'platform']) {
      assert.ok((step!.cpuMsPerOrder[process] ?? -1) >= 0, `CPU-ms per order for ${process}`);
    }
    for (const service of serviceNames) assert.ok((step!.transactionsPerOrder[service] ?? -1) >= 0, `transactions per order in ${service}'s database`);
    assert.ok((step!.transactionsPerOrder.total ?? 0) > 0, 'placing orders commits transactions');
    assert.equal(result.highestSustainedRate, step!.sustained ? 5 : null);
    assert.ok(lines.some((line) => line.includes('offered/s') && line.includes('sustained')), 'the table was printed');
    assert.ok(lines.some((line) => /sent \d+ {2}answered/.test(line)), 'progress lines were printed');

    // Nothing left behind: no service on its ports, no database of its run.
    for (let port = portBase; port < portBase + 6; port++) assert.equal(listenerPid(port), undefined, `port ${port} is free again`);
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname = ANY($1)`, [Object.values(result.platform.databases)]);
      assert.deepEqual(rows, []);
    } finally {
      await client.end();
    }
  });

  it('given the orchestrator SIGKILLed 3 s into a 20/s step, then every accepted order ends and invariants 1-4 hold', { timeout: 400_000 }, async () => {
    const lines: string[] = [];
    const options = parseCapacityArgs(
      ['--rates', '20', '--seconds', '8', '--port-base', '4520', '--pgbench-seconds', '1', '--idle-seconds', '1', '--settle', '1', '--drain', '60', '--kill', 'orchestrator@3'],
      (line) => lines.push(line),
    );
    // Admission out of the way: this test is about the kill, and on a slow machine admission refuses
    // most checkouts while no order can end.
    const result = await benchCapacity({ ...options, extraEnv: { ADMISSION_BURST: '200', ADMISSION_TARGET_MS: '120000' } });
    const [step] = result.steps as (StepResult & { invariants?: { invariant: string; holds: boolean; detail: string }[] })[];
    assert.ok(lines.some((line) => line.includes('SIGKILLed orchestrator')), `the kill happened:\n${lines.join('\n')}`);
    assert.ok(step!.accepted > 100, `most of 160 orders accepted (${step!.accepted})`);
    assert.equal(step!.stillPending, 0, 'every accepted order ended within the drain');
    assert.equal(step!.invariants?.length, 4);
    for (const check of step!.invariants!) assert.ok(check.holds, `${check.invariant}: ${check.detail}`);
  });
});
