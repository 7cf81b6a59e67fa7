/**
 * One open-loop step: POSTs leave on a schedule fixed up front, whatever the
 * platform answers, and every accepted order is read until it is terminal.
 *
 * Reading is bounded so it does not become the load: orders go to customers
 * in blocks of `ordersPerCustomer`, and a customer with orders still pending
 * is listed (`GET /v1/orders?customerId=`) at most once a second, within a
 * budget of list calls per second. Latency comes from the orders' own
 * timestamps, so how often we look does not change what we measure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { anOrder } from '@shopfront/testing';
import { arrivalSchedule, orderPlan } from './stats.ts';

export interface StepOptions {
  gatewayUrl: string;
  apiKey: string;
  rate: number;
  seconds: number;
  /** Unique per run and step: names the customers and idempotency keys. */
  prefix: string;
  ordersPerCustomer?: number;
  /** How long to wait after the last send for answers and terminal states. */
  drainMs?: number;
  pollsPerSecond?: number;
  onProgress?: (progress: StepProgress) => void;
}

export interface StepProgress {
  elapsedS: number;
  sent: number;
  answered: number;
  accepted: number;
  terminal: number;
}

export interface Attempt {
  index: number;
  /** HTTP status, or `error`/`timeout` when no answer came. */
  status: string;
  /** From the intended send time to the full answer: what a user arriving on schedule waited. */
  postMs: number;
  /** How late the request actually left (the load generator's own lag). */
  sendLagMs: number;
  orderId?: string;
}

export interface Terminal {
  index: number;
  status: string;
  reason?: string;
  createdAt: number;
  updatedAt: number;
}

export interface StepLoad {
  /** Epoch ms of the first intended send. */
  startedAt: number;
  sendEndedAt: number;
  finishedAt: number;
  attempts: Attempt[];
  terminals: Terminal[];
  /** Accepted orders never seen terminal before the drain deadline. */
  stillPending: number;
  /** Epoch ms each order was meant to leave, by index. */
  intendedAt: number[];
}

const epochNow = () => performance.timeOrigin + performance.now();

interface ListedOrder {
  orderId: string;
  status: string;
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

/** The n-th order of a step: its customer (orders go to customers in blocks), key and body, so a replay can send it again. */
export function stepOrder(prefix: string, index: number, perCustomer = defaultOrdersPerCustomer) {
  const plan = orderPlan(index);
  const customerId = `${prefix}-c${Math.floor(index / perCustomer)}`;
  return { customerId, idempotencyKey: `${prefix}-${index}`, body: anOrder({ customerId, sku: plan.sku, quantity: 1, card: plan.card }) };
}

const defaultOrdersPerCustomer = 25;

export async function offerStep(options: StepOptions): Promise<StepLoad> {
  const { gatewayUrl, apiKey, prefix } = options;
  const perCustomer = options.ordersPerCustomer ?? defaultOrdersPerCustomer;
  const offsets = arrivalSchedule(options.rate, options.seconds);
  const attempts: Attempt[] = [];
  const terminals: Terminal[] = [];
  // customer → (orderId → index) of accepted orders not yet seen terminal
  const pending = new Map<string, Map<string, number>>();
  const lastListed = new Map<string, number>();
  let sent = 0;

  const startAt = performance.now() + 200;
  const startedAt = performance.timeOrigin + startAt;
  const intendedAt = offsets.map((offset) => startedAt + offset);

  async function send(index: number, intended: number): Promise<void> {
    const { customerId, idempotencyKey, body } = stepOrder(prefix, index, perCustomer);
    const leftAt = performance.now();
    let attempt: Attempt;
    try {
      const response = await fetch(`${gatewayUrl}/v1/orders`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      attempt = { index, status: String(response.status), postMs: performance.now() - intended, sendLagMs: leftAt - intended };
      if (response.status === 202) {
        attempt.orderId = (JSON.parse(text) as { orderId: string }).orderId;
        const orders = pending.get(customerId) ?? new Map<string, number>();
        orders.set(attempt.orderId, index);
        pending.set(customerId, orders);
      }
    } catch (error) {
      attempt = { index, status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'error', postMs: performance.now() - intended, sendLagMs: leftAt - intended };
    }
    attempts.push(attempt);
  }

  async function list(customerId: string): Promise<void> {
    const orders = pending.get(customerId);
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ customerId, limit: '100', ...(cursor ? { cursor } : {}) });
      const response = await fetch(`${gatewayUrl}/v1/orders?${query}`, { headers: { 'x-api-key': apiKey }, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      if (!response || response.status !== 200) return; // try again next round
      const page = (await response.json()) as { items: ListedOrder[]; nextCursor: string | null };
      for (const order of page.items) {
        const index = orders?.get(order.orderId);
        if (index === undefined || order.status === 'PENDING') continue;
        terminals.push({ index, status: order.status, ...(order.reason ? { reason: order.reason } : {}), createdAt: Date.parse(order.createdAt), updatedAt: Date.parse(order.updatedAt) });
        orders!.delete(order.orderId);
      }
      cursor = orders && orders.size > 0 ? page.nextCursor : null;
    } while (cursor);
    if (orders && orders.size === 0) pending.delete(customerId);
  }

  const pendingCount = () => [...pending.values()].reduce((sum, orders) => sum + orders.size, 0);
  let sendsDone = false;
  let deadline = Number.POSITIVE_INFINITY;
  const inFlight = new Set<Promise<void>>();

  const poller = (async () => {
    const budgetPerTick = (options.pollsPerSecond ?? 20) / 10;
    let tokens = 0;
    while (!(sendsDone && attempts.length === sent && pending.size === 0) && performance.now() < deadline) {
      await sleep(100);
      tokens = Math.min(tokens + budgetPerTick, budgetPerTick * 10);
      const now = performance.now();
      const due = [...pending.keys()].filter((customer) => now - (lastListed.get(customer) ?? 0) >= 1000).sort((a, b) => (lastListed.get(a) ?? 0) - (lastListed.get(b) ?? 0));
      for (const customer of due) {
        if (tokens < 1 || inFlight.size >= 4) break;
        tokens--;
        lastListed.set(customer, now);
        const call = list(customer).finally(() => inFlight.delete(call));
        inFlight.add(call);
      }
    }
    await Promise.all(inFlight);
  })();

  const progress = setInterval(() => {
    options.onProgress?.({ elapsedS: Math.round((epochNow() - startedAt) / 1000), sent, answered: attempts.length, accepted: attempts.filter((a) => a.orderId).length, terminal: terminals.length });
  }, 1000);

  const sends: Promise<void>[] = [];
  try {
    while (sent < offsets.length) {
      const now = performance.now();
      while (sent < offsets.length && startAt + offsets[sent]! <= now) {
        sends.push(send(sent, startAt + offsets[sent]!));
        sent++;
      }
      if (sent < offsets.length) await sleep(Math.max(0, startAt + offsets[sent]! - performance.now()));
    }
    const sendEndedAt = epochNow();
    deadline = performance.now() + (options.drainMs ?? 30_000);
    sendsDone = true;
    await Promise.all(sends);
    await poller;
    return { startedAt, sendEndedAt, finishedAt: epochNow(), attempts: attempts.sort((a, b) => a.index - b.index), terminals, stillPending: pendingCount(), intendedAt };
  } finally {
    clearInterval(progress);
    sendsDone = true;
    deadline = 0;
  }
}
