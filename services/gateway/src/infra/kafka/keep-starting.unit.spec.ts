import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepStarting, type BrokerFeed } from './keep-starting.js';

/** A feed whose first `failures` starts throw, recording every call. */
function flakyFeed(failures: number, onStart: () => void = () => undefined): BrokerFeed & { calls: string[] } {
  const calls: string[] = [];
  let left = failures;
  return {
    calls,
    async start() {
      calls.push('start');
      onStart();
      if (left-- > 0) throw Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    },
    async stop() {
      calls.push('stop');
    },
  };
}

const silent = { warn: () => undefined, info: () => undefined };

describe('keeping a broker feed starting (issue 20: no live updates on a fresh broker)', () => {
  it('given a feed whose first starts fail, then it is stopped after each failure and started again until it runs', async () => {
    const feed = flakyFeed(2);
    const warnings: number[] = [];
    await keepStarting(feed, { name: 'live order feed', log: { ...silent, warn: (details) => warnings.push((details as { attempt: number }).attempt) }, stopping: () => false, delayMs: () => 1 });
    assert.deepEqual(feed.calls, ['start', 'stop', 'start', 'stop', 'start']);
    assert.deepEqual(warnings, [1, 2]);
  });

  it('given a feed that starts, then it is started once and never stopped', async () => {
    const feed = flakyFeed(0);
    await keepStarting(feed, { name: 'dead-letter index', log: silent, stopping: () => false, delayMs: () => 1 });
    assert.deepEqual(feed.calls, ['start']);
  });

  it('given the gateway shutting down, then no further attempt is made', async () => {
    let stopping = false;
    const feed = flakyFeed(5, () => (stopping = true));
    await keepStarting(feed, { name: 'live order feed', log: silent, stopping: () => stopping, delayMs: () => 1 });
    assert.deepEqual(feed.calls, ['start', 'stop']);
  });

  it('given a shutdown while a start succeeds, then the feed is stopped again', async () => {
    let stopping = false;
    const feed = flakyFeed(0, () => (stopping = true));
    await keepStarting(feed, { name: 'live order feed', log: silent, stopping: () => stopping, delayMs: () => 1 });
    assert.deepEqual(feed.calls, ['start', 'stop']);
  });
});
