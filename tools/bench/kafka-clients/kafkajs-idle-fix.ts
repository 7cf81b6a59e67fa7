/**
 * The platform ran kafkajs with this patch until it moved to @platformatic/kafka (ADR 0025); the client
 * bench keeps it, so that kafkajs is measured as the platform ran it (ADR 0024's figures).
 *
 * Two timers of kafkajs 2.2.4's request queue (one queue per broker connection) are replaced here.
 *
 * 1. It re-arms a timer on every broker connection after each response,
 * even with nothing queued: `throttledUntil` is -1, so the delay is negative and
 * Node runs it after 1 ms, forever (tulios/kafkajs#1556, #1704, #1751; the fix,
 * #1667, was never released). Each connection of an idle process spins ~1,000
 * timers a second, and Node 24 warns TimeoutNegativeWarning. The one method is replaced with the released logic minus
 * the loop: a check is scheduled only when a request waits or a throttle runs.
 * Requests still go out at once on `push`, and queued ones on each response.
 *
 * 2. Every connection also runs its own 100 ms interval, for its whole life, to time out requests
 * the broker never answers. A service holds a dozen connections (producer, each group's fetch and
 * coordinator connections, the lag probe's admin): they woke an idle service about seven times a
 * second (strace, with prom-client's lag monitor at 1 s), and on a virtual machine each wake-up is
 * a costly system call. One sweep a second now serves every connection of the process: a request's
 * timeout (30 s, more for a long-poll fetch) is enforced within a second of it, and the sweep stops
 * when the last connection goes.
 */
import { createRequire } from 'node:module';

const CHECK_PENDING_REQUESTS_INTERVAL = 10; // kafkajs's own constant

interface SocketRequest {
  sentAt: number | null;
  requestTimeout: number;
  timeoutRequest(): void;
}

interface RequestQueue {
  pending: unknown[];
  inflight: Map<number, SocketRequest>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  enforceRequestTimeout: boolean;
  isConnected(): boolean;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
  destroy(): void;
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

export const REQUEST_TIMEOUT_SWEEP_MS = 1_000;
const sweptQueues = new Set<RequestQueue>();
let sweep: NodeJS.Timeout | undefined;

/** What kafkajs's per-connection interval did, for every connection at once. */
function sweepRequestTimeouts(): void {
  const now = Date.now();
  for (const queue of sweptQueues) {
    for (const request of queue.inflight.values()) {
      if (request.sentAt !== null && now - request.sentAt > request.requestTimeout) request.timeoutRequest();
    }
    if (!queue.isConnected()) queue.destroy();
  }
}

/** Called by kafkajs when a connection opens. */
function scheduleRequestTimeoutCheck(this: RequestQueue): void {
  if (!this.enforceRequestTimeout) return;
  this.destroy();
  sweptQueues.add(this);
  sweep ??= setInterval(sweepRequestTimeouts, REQUEST_TIMEOUT_SWEEP_MS);
}

/** Called by kafkajs when a connection closes or is reset, and by the sweep for a disconnected one. */
function destroy(this: RequestQueue): void {
  sweptQueues.delete(this);
  if (sweptQueues.size === 0 && sweep !== undefined) {
    clearInterval(sweep);
    sweep = undefined;
  }
  clearTimeout(this.throttleCheckTimeoutId ?? undefined);
  this.throttleCheckTimeoutId = null;
}

/** How many connections the sweep serves, and whether it runs: for tests. */
export const requestTimeoutSweep = (): { queues: number; running: boolean } => ({ queues: sweptQueues.size, running: sweep !== undefined });

const require = createRequire(import.meta.url);
const { version } = require('kafkajs/package.json') as { version: string };

/** The patched class, or undefined when this kafkajs is not the version the fix was written for. */
export const patchedRequestQueue: (new (options: Record<string, unknown>) => RequestQueue) | undefined = (() => {
  if (version !== '2.2.4') return undefined; // another version: read its code again before patching it
  const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as new (options: Record<string, unknown>) => RequestQueue;
  RequestQueueClass.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  RequestQueueClass.prototype.scheduleRequestTimeoutCheck = scheduleRequestTimeoutCheck;
  RequestQueueClass.prototype.destroy = destroy;
  return RequestQueueClass;
})();
