import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PollPause } from './pause.js';

describe('PollPause', () => {
  it('given nothing cuts it, when waited on, then it ends after the interval', async () => {
    const started = performance.now();
    await new PollPause(60).wait();
    assert.ok(performance.now() - started >= 55);
  });

  it('given a long interval, when cut (a notification, a stop), then the wait ends at once', async () => {
    const pause = new PollPause(60_000);
    const started = performance.now();
    const waiting = pause.wait();
    pause.cut();
    await waiting;
    assert.ok(performance.now() - started < 1_000);
  });

  it('given no wait in progress, when cut, then nothing happens and the next wait still waits', async () => {
    const pause = new PollPause(60);
    pause.cut();
    const started = performance.now();
    await pause.wait();
    assert.ok(performance.now() - started >= 55);
  });
});
