import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { patchedRequestQueue, REQUEST_TIMEOUT_SWEEP_MS, requestTimeoutSweep } from './kafkajs-idle-fix.ts';

const quietLogger = { debug: () => undefined, warn: () => undefined, info: () => undefined, error: () => undefined };
const queue = () => new patchedRequestQueue!({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'test', broker: 'b:9092', logger: quietLogger });

describe('kafkajs request queue (patched)', () => {
  it('given kafkajs 2.2.4, then the patch is in place', () => {
    assert.ok(patchedRequestQueue, 'kafkajs is 2.2.4 and its RequestQueue was found');
  });

  it('given nothing queued and no throttle, when a response is handled, then no timer is armed (the 1 ms loop is gone)', () => {
    const q = queue();
    q.checkPendingRequests();
    assert.equal(q.throttleCheckTimeoutId, null);
  });

  it('given a request waiting, then a check is scheduled; given a throttle, then at its end', () => {
    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    assert.notEqual(waiting.throttleCheckTimeoutId, null);
    clearTimeout(waiting.throttleCheckTimeoutId!);

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 50;
    throttled.scheduleCheckPendingRequests();
    assert.notEqual(throttled.throttleCheckTimeoutId, null);
    clearTimeout(throttled.throttleCheckTimeoutId!);
  });

  it('given five open connections, then one interval serves them all (kafkajs armed one per connection, every 100 ms)', (t) => {
    const intervals = t.mock.method(globalThis, 'setInterval');
    const queues = Array.from({ length: 5 }, () => queue());
    try {
      for (const q of queues) q.scheduleRequestTimeoutCheck();
      assert.equal(intervals.mock.callCount(), 1);
      assert.equal(intervals.mock.calls[0]!.arguments[1], REQUEST_TIMEOUT_SWEEP_MS);
      assert.deepEqual(requestTimeoutSweep(), { queues: 5, running: true });
    } finally {
      for (const q of queues) q.destroy();
    }
    assert.deepEqual(requestTimeoutSweep(), { queues: 0, running: false }, 'the last connection closed stops the sweep');
  });

  it('given a request unanswered past its timeout, then the sweep times it out within a second; an answered one is left alone', () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
    const q = queue();
    try {
      const timedOut: string[] = [];
      const request = (name: string, requestTimeout: number) => ({ sentAt: Date.now(), requestTimeout, timeoutRequest: () => timedOut.push(name) });
      q.inflight.set(1, request('overdue', 2_500));
      q.inflight.set(2, request('long poll', 60_000));
      q.scheduleRequestTimeoutCheck();
      mock.timers.tick(2_000);
      assert.deepEqual(timedOut, []);
      mock.timers.tick(REQUEST_TIMEOUT_SWEEP_MS);
      assert.deepEqual(timedOut, ['overdue']);
    } finally {
      q.destroy();
      mock.timers.reset();
    }
  });

  it('given a connection that is no longer connected, then the sweep lets it go', () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const q = queue();
    try {
      let connected = true;
      q.isConnected = () => connected;
      q.scheduleRequestTimeoutCheck();
      connected = false;
      mock.timers.tick(REQUEST_TIMEOUT_SWEEP_MS);
      assert.deepEqual(requestTimeoutSweep(), { queues: 0, running: false });
    } finally {
      q.destroy();
      mock.timers.reset();
    }
  });
});
