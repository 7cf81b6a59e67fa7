/** A small client for the gateway's public API, as the contract pins it. */
import { randomUUID } from 'node:crypto';

export const keys = { client1: 'dev-key-1', client2: 'dev-key-2', admin: 'admin-key' } as const;

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class GatewayClient {
  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? keys.client1 : options.key;
    if (key) headers['x-api-key'] = key;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  /**
   * POST /v1/orders as a well-behaved client: a checkout refused because the saga backlog is full
   * (503 `pipeline-full`, which reached no service) is sent again with the same Idempotency-Key after
   * its Retry-After, for up to `overloadedForMs`. With `retryUnknownOutcome`, so is an answer that
   * leaves the outcome unknown (504: the gateway's timeout) or still pending (409: the first request
   * with this key is in flight), as the contract tells clients to: a retried POST never makes a second
   * order. Every other answer, other 503s included, is returned.
   */
  async placeOrder(body: unknown, options: { key?: string; idempotencyKey?: string | null; overloadedForMs?: number; retryUnknownOutcome?: boolean } = {}) {
    const idempotencyKey = options.idempotencyKey === undefined ? randomUUID() : options.idempotencyKey;
    const giveUpAt = Date.now() + (options.overloadedForMs ?? 60_000);
    const sendAgain = (answer: { status: number; body: { reason?: string } }) =>
      (answer.status === 503 && answer.body.reason === 'pipeline-full') || (options.retryUnknownOutcome === true && (answer.status === 504 || answer.status === 409));
    for (;;) {
      const answer = await this.call<{ orderId: string; status: string; reason?: string }>('POST', '/v1/orders', {
        key: options.key,
        body,
        headers: idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey },
      });
      const retryAfterMs = Number(answer.headers.get('retry-after') ?? '1') * 1000;
      if (!sendAgain(answer) || idempotencyKey === null || Date.now() + retryAfterMs > giveUpAt) return answer;
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    }
  }

  order(orderId: string, key: string = keys.client1) {
    return this.call<OrderView>('GET', `/v1/orders/${orderId}`, { key });
  }

  /** Waits until the order is CONFIRMED or CANCELLED. */
  async settled(orderId: string, timeoutMs = 30_000, key: string = keys.client1): Promise<OrderView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.order(orderId, key);
      if (answer.status === 200 && answer.body.status !== 'PENDING') return answer.body;
      if (Date.now() > deadline) throw new Error(`order ${orderId} still ${answer.body.status ?? answer.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** One server-sent event as the wire carries it. */
export interface StreamedEvent {
  event: string;
  id?: string;
  data: unknown;
}

/**
 * Reads `GET /v1/orders/{id}/events` until the gateway closes it (after the
 * terminal status) or `timeoutMs` passes: the events, and the answer's status
 * and content type. The stream is cancelled on every path.
 */
export async function streamOrder(baseUrl: string, orderId: string, key: string = keys.client1, timeoutMs = 30_000) {
  const response = await fetch(`${baseUrl}/v1/orders/${orderId}/events`, { headers: { 'x-api-key': key, accept: 'text/event-stream' }, signal: AbortSignal.timeout(timeoutMs) });
  const events: StreamedEvent[] = [];
  if (response.status !== 200) return { status: response.status, contentType: response.headers.get('content-type'), events, body: await response.text() };
  let buffered = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body!) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((line) => line && !line.startsWith(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
        if (fields.event) events.push({ event: fields.event, ...(fields.id ? { id: fields.id } : {}), data: JSON.parse(fields.data ?? 'null') });
      }
    }
  } finally {
    await response.body?.cancel().catch(() => undefined);
  }
  return { status: response.status, contentType: response.headers.get('content-type'), events, body: '' };
}

/**
 * Waits until the platform serves through the gateway with every circuit closed. A
 * test that starts while a cold platform's first calls are still timing out would
 * otherwise meet a breaker opened by its predecessor's traffic, not by its own.
 */
export async function untilServing(gateway: GatewayClient, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const products = await gateway.call('GET', '/v1/products', { key: keys.client1 });
      const resilience = await gateway.call<{ items: { upstream: string; circuit: { state: string } }[] }>('GET', '/v1/admin/resilience', { key: keys.admin });
      const open = resilience.body.items?.filter((item) => item.circuit.state !== 'closed').map((item) => `${item.upstream} ${item.circuit.state}`) ?? [];
      if (products.status === 200 && open.length === 0) return;
      last = `products ${products.status}; circuits: ${open.join(', ') || 'closed'}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the platform did not serve with every circuit closed within ${timeoutMs} ms: ${last}`);
}

/**
 * Until a round of `concurrency` simultaneous catalog reads (from client-1) is
 * answered 200 in full, then until every circuit is closed again: connection
 * pools are open and the code paths warm, so a test's own burst measures its
 * subject (a rate limit, say) and not a cold start that trips a tight breaker.
 */
export async function warmedUp(gateway: GatewayClient, concurrency = 20, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let statuses: number[] = [];
  while (Date.now() < deadline) {
    statuses = (await Promise.all(Array.from({ length: concurrency }, () => gateway.call('GET', '/v1/products', { key: keys.client1 })))).map((answer) => answer.status);
    if (statuses.every((status) => status === 200)) return untilServing(gateway, Math.max(1, deadline - Date.now()));
    // A new one-second window for client-1's rate limit, and time for an opened circuit to probe again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
  throw new Error(`the platform did not answer ${concurrency} concurrent reads within ${timeoutMs} ms: last round ${statuses.join(',')}`);
}

export interface OrderView {
  orderId: string;
  customerId: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  reason?: string;
  items: { sku: string; quantity: number; unitPrice: { amount: number; currency: string } }[];
  total: { amount: number; currency: string };
  createdAt: string;
  updatedAt: string;
}
