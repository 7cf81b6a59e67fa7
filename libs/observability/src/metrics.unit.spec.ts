import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { metricsText, startProcessMetrics } from './metrics.js';

const utilization = async (): Promise<number> => {
  const line = (await metricsText()).split('\n').find((row) => row.startsWith('nodejs_eventloop_utilization_ratio{'));
  assert.ok(line, 'the utilization gauge is exported');
  return Number(line.split(' ').at(-1));
};

describe('process metrics', () => {
  it('given a busy loop and then an idle one, then the utilization between scrapes reads each', async () => {
    await sleep(10); // the event loop has started (before it, utilization reads zero)
    startProcessMetrics('metrics-test');
    await utilization();
    for (const until = performance.now() + 150; performance.now() < until; ); // busy, no callbacks wait
    const busy = await utilization();
    await sleep(300);
    const idle = await utilization();
    assert.ok(busy > 0.8, `busy loop read ${busy}`);
    assert.ok(idle < 0.3, `idle loop read ${idle}`);
  });
});
