import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patchedRequestQueue } from './kafkajs-idle-fix.js';

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
});
