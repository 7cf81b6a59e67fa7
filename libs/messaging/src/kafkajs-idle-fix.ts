/**
 * kafkajs 2.2.4 re-arms a timer on every broker connection after each response,
 * even with nothing queued: `throttledUntil` is -1, so the delay is negative and
 * Node runs it after 1 ms, forever (tulios/kafkajs#1556, #1704, #1751; the fix,
 * #1667, was never released). Each connection of an idle process spins ~1,000
 * timers a second, and Node 24 warns TimeoutNegativeWarning. Until the client is
 * swapped (ADR 0019), the one method is replaced with the released logic minus
 * the loop: a check is scheduled only when a request waits or a throttle runs.
 * Requests still go out at once on `push`, and queued ones on each response.
 */
import { createRequire } from 'node:module';

const CHECK_PENDING_REQUESTS_INTERVAL = 10; // kafkajs's own constant

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

function scheduleCheckPendingRequests(this: RequestQueue): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL,
  );
}

const require = createRequire(import.meta.url);
const { version } = require('kafkajs/package.json') as { version: string };

/** The patched class, or undefined when this kafkajs is not the version the fix was written for. */
export const patchedRequestQueue: (new (options: Record<string, unknown>) => RequestQueue) | undefined = (() => {
  if (version !== '2.2.4') return undefined; // another version: read its code again before patching it
  const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as new (options: Record<string, unknown>) => RequestQueue;
  RequestQueueClass.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  return RequestQueueClass;
})();
