import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { edgeRealtimeWanted, localListener, normalPriority, realtime } from './edge-priority.ts';

const policyOf = (pid: number) => spawnSync('chrt', ['-p', String(pid)], { encoding: 'utf8' }).stdout;
const permitted = spawnSync('chrt', ['-r', '1', 'true']).status === 0;

describe('edge priority', () => {
  it('is on unless EDGE_REALTIME says false, and refuses anything else', () => {
    assert.equal(edgeRealtimeWanted({}), true);
    assert.equal(edgeRealtimeWanted({ EDGE_REALTIME: 'FALSE' }), false);
    assert.throws(() => edgeRealtimeWanted({ EDGE_REALTIME: 'off' }), /EDGE_REALTIME must be true or false/);
  });

  it('finds the process listening on a loopback port, and never looks past this machine', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      assert.equal(localListener(`redis://127.0.0.1:${port}`), process.pid);
      assert.equal(localListener(`redis://redis.internal:${port}`), undefined);
    } finally {
      server.close();
    }
  });

  it('gives a process SCHED_RR where permitted and takes it back, and says false where not', { skip: permitted ? false : 'chrt -r is not permitted here' }, async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      assert.match(policyOf(child.pid!), /SCHED_OTHER/);
      assert.equal(realtime(child.pid!, 'main', true), true);
      assert.match(policyOf(child.pid!), /SCHED_RR\|SCHED_RESET_ON_FORK/);
      assert.equal(normalPriority(child.pid!), true);
      assert.match(policyOf(child.pid!), /SCHED_OTHER/);
      assert.equal(realtime(2 ** 22 + 12_345), false, 'no such process');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
