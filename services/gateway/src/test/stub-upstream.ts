/**
 * A real HTTP server on a random port playing the internal services the
 * gateway calls (order, inventory, payment, shipping): enough behaviour to
 * test the edge — scoping by x-client-id, one order per x-order-id, unknown
 * SKUs — plus knobs to make it slow or failing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

interface StubOrder {
  orderId: string;
  clientId: string;
  customerId: string;
}

export class StubUpstream {
  readonly calls: RecordedCall[] = [];
  readonly orders = new Map<string, StubOrder>();
  /** Times POST /orders created a new order (not a repeat of a known x-order-id). */
  creations = 0;
  /** Applied before answering any request. */
  delayMs = 0;
  private failure: { status: number; remaining: number; pathPrefix: string } | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    // Wake whatever still sleeps (a "never answering" upstream), so the test process can end.
    for (const sleeper of this.sleeping) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  callsTo(method: string, pathPrefix: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && call.path.startsWith(pathPrefix));
  }

  reset(): void {
    this.calls.length = 0;
    this.delayMs = 0;
    this.failure = undefined;
  }

  /** Answers the next `count` requests (all, by default) under `pathPrefix` with `status` and a problem body. */
  fail(status: number, count = Number.POSITIVE_INFINITY, pathPrefix = '/'): void {
    this.failure = { status, remaining: count, pathPrefix };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = { timer: setTimeout(() => wake(), ms), wake: () => wake() };
      const wake = () => {
        this.sleeping.delete(sleeper);
        resolve();
      };
      this.sleeping.add(sleeper);
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const url = new URL(request.url ?? '/', 'http://stub');
    this.calls.push({ method: request.method ?? 'GET', path: url.pathname + url.search, headers: request.headers, body: text ? JSON.parse(text) : undefined });
    if (this.delayMs > 0) await this.sleep(this.delayMs);
    if (response.destroyed) return;
    if (this.failure && this.failure.remaining > 0 && url.pathname.startsWith(this.failure.pathPrefix)) {
      this.failure.remaining--;
      const { status } = this.failure;
      return send(response, status, { type: 'about:blank', title: 'Injected', status, detail: 'stub failure', instance: url.pathname }, true);
    }
    this.route(request.method ?? 'GET', url, request.headers, text ? JSON.parse(text) : undefined, response);
  }

  private route(method: string, url: URL, headers: IncomingMessage['headers'], body: unknown, response: ServerResponse): void {
    const clientId = String(headers['x-client-id'] ?? '');
    const path = url.pathname;
    const orderMatch = /^\/orders\/([^/]+)(\/timeline|\/cancel)?$/.exec(path);
    if (method === 'POST' && path === '/orders') {
      const order = body as { customerId: string; items: { sku: string }[] };
      if (order.items.some((item) => item.sku === 'SKU-999')) {
        return send(response, 422, { type: 'about:blank', title: 'Unknown SKU', status: 422, detail: 'SKU-999 is not in the catalog', instance: '/orders' }, true);
      }
      const orderId = String(headers['x-order-id']);
      if (!this.orders.has(orderId)) {
        this.creations++;
        this.orders.set(orderId, { orderId, clientId, customerId: order.customerId });
      }
      return send(response, 202, { orderId, status: 'PENDING' });
    }
    if (orderMatch) {
      const order = this.orders.get(orderMatch[1]!);
      if (!order || order.clientId !== clientId) {
        return send(response, 404, { type: 'about:blank', title: 'Not found', status: 404, detail: 'no such order', instance: path }, true);
      }
      if (orderMatch[2] === '/cancel') return send(response, 202, { orderId: order.orderId, status: 'PENDING' });
      if (orderMatch[2] === '/timeline') return send(response, 200, { items: [{ at: new Date().toISOString(), step: 'OrderPlaced' }] });
      return send(response, 200, { orderId: order.orderId, customerId: order.customerId, status: 'PENDING' });
    }
    if (method === 'GET' && path === '/orders') {
      const items = [...this.orders.values()].filter((order) => order.clientId === clientId);
      return send(response, 200, { items, nextCursor: null });
    }
    if (method === 'GET' && path === '/products') return send(response, 200, { items: [{ sku: 'SKU-001', name: 'One', price: { amount: 1999, currency: 'EUR' }, available: 1000 }] });
    if (method === 'PUT' && path.startsWith('/admin/')) return send(response, 200, { path, ...(body as object) });
    if (method === 'GET' && path.startsWith('/admin/')) return send(response, 200, { items: [], path: path + url.search });
    return send(response, 404, { type: 'about:blank', title: 'Not found', status: 404, detail: `${method} ${path}` }, true);
  }
}

function send(response: ServerResponse, status: number, body: unknown, problem = false): void {
  response.writeHead(status, { 'content-type': problem ? 'application/problem+json' : 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
