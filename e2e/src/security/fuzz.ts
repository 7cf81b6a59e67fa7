/**
 * Property-based passes over the gateway's inputs (fast-check): whatever the
 * order body, the headers or the query string, the gateway answers below 500.
 * Invariant 8 of the contract: no input, however malformed, yields a 5xx.
 */
import fc from 'fast-check';
// undici's own fetch: the global one rejects an Agent of another undici version.
import { Agent, fetch } from 'undici';
import { anOrder } from '@shopfront/testing';
import { keys } from '../client.js';

/** Text as an attacker would send it: any code unit (NUL and lone surrogates included), often near the real values. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', 'SKU-001', 'DE', 'AQ', '__proto__', 'constructor', '4242424242424242', '../../etc/passwd'),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 10_000, 10_001, 2 ** 31 - 1, 2 ** 31, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE),
);
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, anyText, anyNumber, fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(anyText, tie('value'), { maxKeys: 3 })),
})).value;

/** Mostly a valid order with one part replaced by anything: deep enough to reach the order service, not only the gateway's validation. */
const orderBody = fc.oneof(
  fc.record({
    customerId: fc.oneof(anyText, anyJson),
    items: fc.oneof(fc.array(fc.record({ sku: fc.oneof(fc.constantFrom('SKU-001', 'SKU-002', 'SKU-010'), anyText), quantity: anyNumber }), { minLength: 0, maxLength: 101 }), anyJson),
    payment: fc.oneof(fc.record({ card: fc.oneof(fc.constantFrom('4242424242424242', '4000000000000002'), anyText) }), anyJson),
    shippingAddress: fc.oneof(
      fc.record({ name: anyText, line1: anyText, city: anyText, postalCode: anyText, country: fc.oneof(fc.constantFrom('DE', 'AQ'), anyText) }),
      anyJson,
    ),
  }),
  fc.record({ ...Object.fromEntries(Object.entries(anOrder()).map(([name, value]) => [name, fc.constant(value as unknown)])) }).chain((order) =>
    fc.constantFrom(...Object.keys(order)).chain((part) => anyJson.map((value) => ({ ...order, [part]: value }))),
  ),
  anyJson,
);

/** Header values a client can send (Latin-1 without controls or DEL): the rest never leaves the client, so never reaches the gateway. */
const headerValue = fc.oneof(fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 300 }), fc.constantFrom('', '\t', 'dev-key-1', 'admin-key'));
const headers = fc.record(
  { 'x-api-key': headerValue, 'idempotency-key': headerValue, 'x-client-id': headerValue, 'content-type': fc.oneof(headerValue, fc.constant('application/json')), authorization: headerValue },
  { requiredKeys: [] },
);

const queryValue = fc.oneof(anyText, fc.constantFrom('%00', '%ED%A0%80', '%FF', '1e400', '-1', 'PENDING', 'LOST', '%'));
const query = fc.array(fc.tuple(fc.constantFrom('customerId', 'status', 'limit', 'cursor', 'orderId', '__proto__', 'x'), queryValue), { maxLength: 5 });
// encodeURIComponent refuses lone surrogates; send them as the bytes a broken client would (ED A0 80).
const encoded = (text: string) => (/^%/.test(text) ? text : encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd')).replace(/%EF%BF%BD/g, '%ED%A0%80'));

export interface FuzzReport {
  runs: number;
  statuses: Record<string, number>;
}

/**
 * Wrong keys are throttled per source address: the header pass spreads its
 * cases over loopback addresses (all of 127.0.0.0/8 is this machine), ten each.
 */
class SourceAddresses {
  private readonly agents = new Map<string, Agent>();
  private sent = 0;

  next(): Agent {
    const block = Math.floor(this.sent++ / 10);
    const address = `127.${10 + ((block >> 8) % 200)}.${block & 255}.1`;
    let agent = this.agents.get(address);
    if (!agent) this.agents.set(address, (agent = new Agent({ localAddress: address })));
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
  }
}

async function send(
  baseUrl: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string; dispatcher?: Agent },
  statuses: Map<number, number>,
): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(15_000), ...(init.dispatcher ? { dispatcher: init.dispatcher } : {}) });
  const text = await response.text();
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  // Thrown rather than returned false: the counterexample then says what the gateway answered.
  if (response.status >= 500) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return response.status;
}

/** Runs the three passes; throws fast-check's counterexample (shrunk) on the first 5xx. */
export async function fuzzGateway(baseUrl: string, runs: number): Promise<FuzzReport> {
  const statuses = new Map<number, number>();
  const below500 = (status: number) => status < 500;
  // One key per case: a replay would only answer the stored first response.
  let n = 0;
  await fc.assert(
    fc.asyncProperty(orderBody, async (body) =>
      below500(await send(baseUrl, 'POST', '/v1/orders', { headers: { 'x-api-key': keys.client1, 'idempotency-key': `fuzz-${Date.now()}-${n++}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }, statuses)),
    ),
    { numRuns: runs },
  );
  const addresses = new SourceAddresses();
  await fc.assert(
    fc.asyncProperty(headers, fc.constantFrom('GET /v1/products', 'GET /v1/orders', 'POST /v1/orders', 'GET /v1/admin/resilience', 'GET /metrics'), async (sent, route) => {
      const [method, path] = route.split(' ') as [string, string];
      const { 'x-api-key': key = keys.client1, ...rest } = sent;
      const body = method === 'POST' ? JSON.stringify(anOrder()) : undefined;
      return below500(await send(baseUrl, method, path, { headers: { ...rest, 'x-api-key': key }, body, dispatcher: addresses.next() }, statuses));
    }),
    { numRuns: runs },
  ).finally(() => addresses.close());
  await fc.assert(
    fc.asyncProperty(query, fc.constantFrom('/v1/orders', '/v1/admin/payments', '/v1/admin/shipments'), async (pairs, path) => {
      const search = pairs.map(([name, value]) => `${name}=${encoded(value)}`).join('&');
      return below500(await send(baseUrl, 'GET', `${path}?${search}`, { headers: { 'x-api-key': path.includes('admin') ? keys.admin : keys.client1 } }, statuses));
    }),
    { numRuns: runs },
  );
  return { runs: runs * 3, statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b).map(([status, count]) => [String(status), count])) };
}
