import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { Supervisor } from './supervisor.ts';

const program = ['-e', "console.log(`${process.env.GREETING} ${process.env.WRAPPED ?? 'plain'}`); setInterval(() => {}, 1000)"];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A supervisor whose one process prints what it was launched with; resolves each line it prints. */
function supervise(overridesDir?: string) {
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  const supervisor = new Supervisor({ cwd: process.cwd(), raw: true, gracefulMs: 2_000, overridesDir, print: (line) => (waiting ? (waiting(line), (waiting = undefined)) : lines.push(line)) });
  cleanups.push(() => supervisor.stop());
  const nextLine = () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise<string>((resolve) => (waiting = resolve)));
  supervisor.start({ name: 'probe', args: program, env: { GREETING: 'hello' } });
  return { supervisor, nextLine };
}

describe('Supervisor launch overrides', () => {
  it('given no override, when it launches, then the process runs as specified', async () => {
    const { nextLine } = supervise();
    assert.equal(await nextLine(), 'hello plain');
  });

  it('given an override left for a process, when it is killed, then it starts again under the prefix and with the extra environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { supervisor, nextLine } = supervise(dir);
    assert.equal(await nextLine(), 'hello plain');
    writeFileSync(join(dir, 'probe.json'), JSON.stringify({ prefix: ['env', 'WRAPPED=wrapped'], env: { GREETING: 'hi' } }));
    const pid = supervisor.pidsByName().probe!;
    process.kill(pid, 'SIGKILL');
    assert.match(await nextLine(), /probe exited \(SIGKILL\)/);
    assert.equal(await nextLine(), 'hi wrapped');
    assert.notEqual(supervisor.pidsByName().probe, pid);
  });

  it('given an override that is not JSON, when it launches, then it says so and runs as specified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'probe.json'), '{ not json');
    const { nextLine } = supervise(dir);
    assert.match(await nextLine(), /launch override ignored/);
    assert.equal(await nextLine(), 'hello plain');
  });
});
