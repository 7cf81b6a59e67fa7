import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { countTests, runSpecFile } from './spec-file.ts';

const nodeArgs = ['--import', '@swc-node/register/esm-register'];
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

/** A killed child whose parent died first may linger as a zombie until init reaps it: that is dead. */
const alive = async (pid: number): Promise<boolean> => {
  for (let tries = 0; tries < 20; tries++) {
    const state = / \S+ \(.*\) (\S)/.exec(readFileSyncOrEmpty(`/proc/${pid}/stat`))?.[1];
    if (state === undefined || state === 'Z' || state === 'X') return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
};
const readFileSyncOrEmpty = (path: string): string => {
  try {
    return ' ' + readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

async function run(name: string, fileTimeoutMs: number) {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'spec-file-')), 'pid');
  const result = await runSpecFile(fixture(name), {
    nodeArgs,
    testTimeoutMs: 30_000,
    fileTimeoutMs,
    killGraceMs: 500,
    env: { ...process.env, FIXTURE_PID_FILE: pidFile },
  });
  return { result, childPid: Number(readFileSync(pidFile, 'utf8')) };
}

describe('a spec file run by the test runner', () => {
  it('is killed with its children when it runs past its limit, and counts as failed', async () => {
    const started = Date.now();
    const { result, childPid } = await run('hangs-at-import.fixture.ts', 4_000);
    assert.equal(result.timedOut, true);
    assert.equal(result.code, 124);
    assert.ok(result.failed >= 1);
    assert.ok(Date.now() - started < 15_000, 'the limit bounds the file');
    assert.equal(await alive(childPid), false, 'the child it spawned is gone too');
  });

  it('exits once its tests are done although a child is still running, and the child is reaped', async () => {
    const { result, childPid } = await run('leaves-a-child.fixture.ts', 60_000);
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0);
    assert.deepEqual({ passed: result.passed, failed: result.failed, skipped: result.skipped }, { passed: 1, failed: 0, skipped: 1 });
    assert.equal(await alive(childPid), false);
  });
});

describe('countTests', () => {
  it('reads the spec reporter closing lines, counting cancelled as failed', () => {
    const output = ['✔ a (1ms)', 'ℹ tests 5', 'ℹ pass 3', 'ℹ fail 1', 'ℹ cancelled 1', 'ℹ skipped 0', 'ℹ todo 0'].join('\n');
    assert.deepEqual(countTests(output), { passed: 3, failed: 2, skipped: 0 });
  });
  it('reads a plain closing line and Vitest\'s summary', () => {
    assert.deepEqual(countTests('browser: 5 passed, 1 failed\n'), { passed: 5, failed: 1, skipped: 0 });
    assert.deepEqual(countTests(' Test Files  2 passed (2)\n      Tests  7 passed (7)\n'), { passed: 7, failed: 0, skipped: 0 });
    assert.deepEqual(countTests('      Tests  1 failed | 6 passed (7)\n'), { passed: 6, failed: 1, skipped: 0 });
  });
  it('finds nothing in output without a summary', () => {
    assert.deepEqual(countTests('boom'), { passed: 0, failed: 0, skipped: 0 });
  });
});
