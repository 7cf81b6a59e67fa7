/**
 * Records a drill's history as its clients lived it, and reads the state the
 * checker compares it with. The drills need no change: every order they
 * place, read or cancel goes through `GatewayClient.call`, which the
 * recording gateway times and remembers.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayClient, keys, type Answer } from '../../../e2e/src/client.js';
import type { Violation } from './checker.js';
import { asOrderStatus, isAccepted, isIndefinite, type FinalOrder, type FinalState, type History, type Line, type Operation, type Outcome, type PaymentRecord, type ShipmentRecord, type StockRow } from './history.js';

/** Epoch ms from the monotonic clock: the same one the capacity bench's timings use. */
export const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Omit over each member of a union, so `kind` still tells them apart. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Unnumbered = Without<Operation, 'id'>;
/** What a call is before it is answered. */
type Shape = Without<Operation, 'id' | 'invokedAt' | 'completedAt' | 'outcome'>;
type CallOptions = { key?: string | null; body?: unknown; headers?: Record<string, string> };

export class RecordingGateway extends GatewayClient {
  private readonly operations: Operation[] = [];
  private readonly startedAt = now();
  private readonly drill: string;

  constructor(baseUrl: string, drill: string) {
    super(baseUrl);
    this.drill = drill;
  }

  history(): History {
    return { drill: this.drill, startedAt: this.startedAt, operations: [...this.operations] };
  }

  /** For operations sent around this client (the surge drill's own fetches). */
  record(operation: Unnumbered): void {
    this.operations.push({ ...operation, id: this.operations.length + 1 } as Operation);
  }

  override async call<T = Record<string, unknown>>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const shape = operationOf(method, path, options);
    if (!shape) return super.call<T>(method, path, options);
    const invokedAt = now();
    try {
      const answer = await super.call<T>(method, path, options);
      this.record({ ...shape, invokedAt, completedAt: now(), outcome: outcomeOf(answer as Answer) } as Unnumbered);
      return answer;
    } catch (error) {
      const outcome: Outcome = { status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'error', message: (error as Error).message };
      this.record({ ...shape, invokedAt, completedAt: now(), outcome } as Unnumbered);
      throw error;
    }
  }
}

/** What a call is, in the history's words; undefined for calls the checker does not judge (listings, faults, admin reads). */
function operationOf(method: string, path: string, options: CallOptions): Shape | undefined {
  const clientKey = options.key === undefined ? keys.client1 : (options.key ?? '');
  let match: RegExpMatchArray | null;
  if (method === 'POST' && path === '/v1/orders') {
    return { kind: 'place', clientKey, idempotencyKey: options.headers?.['idempotency-key'] ?? null, ...placed(options.body) };
  }
  if (method === 'GET' && (match = path.match(/^\/v1\/orders\/([^/?]+)$/))) return { kind: 'read', clientKey, orderId: match[1]! };
  if (method === 'POST' && (match = path.match(/^\/v1\/orders\/([^/?]+)\/cancel$/))) return { kind: 'cancel', clientKey, orderId: match[1]! };
  if (method === 'PUT' && (match = path.match(/^\/v1\/admin\/inventory\/([^/?]+)$/))) {
    return { kind: 'set-stock', clientKey, sku: decodeURIComponent(match[1]!), onHand: Number((options.body as { onHand?: unknown } | undefined)?.onHand) };
  }
  return undefined;
}

/** The parts of a checkout body the checks read; a malformed one records what it can. */
function placed(body: unknown): { customerId: string; lines: Line[]; bodyDigest: string } {
  const parsed = (typeof body === 'string' ? safeParse(body) : body) as { customerId?: unknown; items?: { sku?: unknown; quantity?: unknown }[] } | undefined;
  const items = Array.isArray(parsed?.items) ? parsed.items : [];
  return {
    customerId: typeof parsed?.customerId === 'string' ? parsed.customerId : '',
    lines: items.filter((item) => typeof item?.sku === 'string' && typeof item.quantity === 'number').map((item) => ({ sku: item.sku as string, quantity: item.quantity as number })),
    bodyDigest: createHash('sha256').update(typeof body === 'string' ? body : JSON.stringify(body ?? null)).digest('hex').slice(0, 16),
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function outcomeOf(answer: Answer): Outcome {
  const body = answer.body ?? {};
  const orderStatus = asOrderStatus(body.status);
  return {
    status: answer.status,
    ...(typeof body.orderId === 'string' ? { orderId: body.orderId } : {}),
    ...(orderStatus ? { orderStatus } : {}),
    ...(answer.headers.get('idempotent-replayed') === 'true' ? { replayed: true } : {}),
    // Admission control answers before any other work (ADR 0020): such a 503 placed nothing.
    ...(answer.status === 503 && body.code === 'OVERLOADED' ? { refused: true } : {}),
  };
}

/** Checkouts the caller sent itself (not through `call`), as the history records them. */
export function recordPlaces(gateway: GatewayClient, places: { invokedAt: number; completedAt: number; clientKey: string; idempotencyKey: string; body: unknown; status: string; orderId?: string }[]): void {
  if (!(gateway instanceof RecordingGateway)) return;
  for (const place of places) {
    const status = /^\d+$/.test(place.status) ? Number(place.status) : place.status === 'timeout' ? 'timeout' : 'error';
    const outcome: Outcome = typeof status === 'number' ? { status, ...(place.orderId ? { orderId: place.orderId } : {}) } : { status };
    gateway.record({ kind: 'place', invokedAt: place.invokedAt, completedAt: place.completedAt, clientKey: place.clientKey, idempotencyKey: place.idempotencyKey, ...placed(place.body), outcome });
  }
}

/** Runs a restock sent around the client, then records each SKU's resulting stock on hand as a set. */
export async function recordStockSets(gateway: GatewayClient, skus: readonly string[], restock: () => Promise<void>): Promise<void> {
  const invokedAt = now();
  await restock();
  if (!(gateway instanceof RecordingGateway)) return;
  const completedAt = now();
  const levels = new Map((await startingInventory(gateway)).map((row) => [row.sku, row]));
  for (const sku of skus) {
    const onHand = levels.get(sku)?.onHand;
    if (onHand !== undefined) gateway.record({ kind: 'set-stock', invokedAt, completedAt, clientKey: keys.admin, sku, onHand, outcome: { status: 200 } });
  }
}

/** A read that tolerates the platform being briefly busy (429, 503) once the drill is over. */
async function read<T>(client: GatewayClient, path: string, key: string): Promise<Answer<T> | { status: 'timeout' | 'error' }> {
  let last: Answer<T> | { status: 'timeout' | 'error' } = { status: 'error' };
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      last = await client.call<T>('GET', path, { key });
      if (![429, 502, 503, 504].includes(last.status)) return last;
      await sleep(Math.min(2_000, Number(last.headers.get('retry-after') ?? 0) * 1000 || 250 * attempt));
    } catch (error) {
      last = { status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'error' };
      await sleep(250 * attempt);
    }
  }
  return last;
}

async function items<T>(client: GatewayClient, path: string): Promise<T[]> {
  const answer = await read<{ items: T[] }>(client, path, keys.admin);
  if (answer.status !== 200 || !('body' in answer)) throw new Error(`GET ${path} answered ${answer.status}: the final state cannot be read`);
  return answer.body.items;
}

/** Runs `work` over `values`, `limit` at a time: the final reads must not become a load of their own. */
async function eachLimited<T>(values: T[], limit: number, work: (value: T) => Promise<void>): Promise<void> {
  const queue = [...values];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let value = queue.shift(); value !== undefined; value = queue.shift()) await work(value);
  }));
}

/** Stock per SKU from the inventory service's own store; read before a drill starts. */
export function startingInventory(gateway: GatewayClient): Promise<StockRow[]> {
  return items<StockRow>(new GatewayClient(gateway.baseUrl), '/v1/admin/inventory');
}

/**
 * The state to judge the history by: every order the history names (and any
 * a checkout with no definite answer may have made), each read until terminal
 * within `settleMs`, then stock, payments and shipments. Reads go through a
 * plain client: they are the checker's, not the drill's.
 */
export async function readFinalState(gateway: GatewayClient, history: History, inventoryAtStart: StockRow[], options: { settleMs?: number; concurrency?: number } = {}): Promise<FinalState> {
  const client = new GatewayClient(gateway.baseUrl);
  const concurrency = options.concurrency ?? 8;
  const owners = new Map<string, string>();
  for (const operation of history.operations) {
    const orderId = operation.kind === 'place' ? (isAccepted(operation.outcome) ? operation.outcome.orderId : undefined) : operation.kind === 'set-stock' ? undefined : operation.orderId;
    if (orderId && !owners.has(orderId) && (operation.kind === 'place' || isAccepted(operation.outcome))) owners.set(orderId, operation.clientKey);
  }
  const discovered = await discoverOrders(client, history, owners);
  const readAt = now();
  const deadline = readAt + (options.settleMs ?? 15_000);
  const orders: FinalOrder[] = [];
  const missing: FinalState['missing'] = [];
  await eachLimited([...owners], concurrency, async ([orderId, clientKey]) => {
    for (;;) {
      const answer = await read<{ status: string; reason?: string; total: { amount: number }; items: Line[] }>(client, `/v1/orders/${orderId}`, clientKey);
      const status = answer.status === 200 && 'body' in answer ? asOrderStatus(answer.body.status) : undefined;
      if (status && (status !== 'PENDING' || now() > deadline) && 'body' in answer) {
        const { reason, total, items: lines } = answer.body;
        orders.push({ orderId, clientKey, status, ...(reason ? { reason } : {}), total: total.amount, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })), ...(discovered.has(orderId) ? { discovered: true as const } : {}) });
        return;
      }
      if (!status && (answer.status === 404 || now() > deadline)) return void missing.push({ orderId, status: answer.status });
      await sleep(250);
    }
  });
  const inventoryAtEnd = await items<StockRow>(client, '/v1/admin/inventory');
  const payments: PaymentRecord[] = [];
  const shipments: ShipmentRecord[] = [];
  await eachLimited(orders, concurrency, async ({ orderId }) => {
    const [paid, shipped] = await Promise.all([items<PaymentRecord>(client, `/v1/admin/payments?orderId=${orderId}`), items<ShipmentRecord>(client, `/v1/admin/shipments?orderId=${orderId}`)]);
    payments.push(...paid.map(({ orderId, status, authorizedAmount, capturedAmount, refundedAmount }) => ({ orderId, status, authorizedAmount, capturedAmount, refundedAmount })));
    shipments.push(...shipped.map(({ orderId, status }) => ({ orderId, status })));
  });
  return { readAt, inventoryAtStart, inventoryAtEnd, orders, missing, payments, shipments };
}

/**
 * A checkout that timed out or met a 5xx may still have made an order no answer
 * named; its stock and money count all the same. The customer's orders created
 * since the drill began (newest first) are added to `owners`.
 */
interface Listing {
  items: { orderId: string; createdAt: string }[];
  nextCursor: string | null;
}

async function discoverOrders(client: GatewayClient, history: History, owners: Map<string, string>): Promise<Set<string>> {
  const found = new Set<string>();
  const customers = new Map<string, { clientKey: string; customerId: string }>();
  for (const operation of history.operations) {
    if (operation.kind === 'place' && isIndefinite(operation.outcome) && operation.customerId) customers.set(`${operation.clientKey} ${operation.customerId}`, operation);
  }
  const since = history.startedAt - 2_000;
  await eachLimited([...customers.values()], 4, async ({ clientKey, customerId }) => {
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const query: URLSearchParams = new URLSearchParams({ customerId, limit: '100', ...(cursor ? { cursor } : {}) });
      const answer: Answer<Listing> | { status: 'timeout' | 'error' } = await read<Listing>(client, `/v1/orders?${query}`, clientKey);
      if (answer.status !== 200 || !('body' in answer)) throw new Error(`listing ${customerId}'s orders answered ${answer.status}: the final state cannot be read`);
      const recent = answer.body.items.filter((order) => Date.parse(order.createdAt) >= since);
      for (const order of recent) {
        if (owners.has(order.orderId)) continue;
        owners.set(order.orderId, clientKey);
        found.add(order.orderId);
      }
      cursor = answer.body.nextCursor;
      if (!cursor || recent.length < answer.body.items.length) return;
    }
  });
  return found;
}

/** The history and its verdict, for reading after the run: `bench-results/chaos-<drill>-<time>.json`. */
export function writeVerdict(directory: string, history: History, final: FinalState | undefined, violations: Violation[]): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `chaos-${history.drill}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ drill: history.drill, violations, history, final }, null, 2)}\n`);
  return file;
}
