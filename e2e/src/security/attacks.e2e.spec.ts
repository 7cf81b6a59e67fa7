/**
 * Issue 10's attacks, each as a test, against a platform of local processes
 * on ports of its own: what a caller on the network can do, and what it can no
 * longer do. Then the card search: the whole flow with every test card, and no
 * card number in any table, topic or log line afterwards.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signInternalRequest } from '@shopfront/http';
import { anOrder, callService, eventually, testKafkaBrokers } from '@shopfront/testing';
import { serviceNames } from '../../../tools/runner/services.ts';
import { GatewayClient, keys } from '../client.js';
import { e2eConfig } from '../config.js';
import { startLocalPlatform, type LocalPlatform } from '../platform/local.js';
import { fuzzGateway } from './fuzz.js';
import { messagesContaining, tablesContaining } from './search.js';

const testCards = ['4242424242424242', '4000000000000002', '4000000000009995', '5555555555554444'];
let platform: LocalPlatform;
let gateway: GatewayClient;
const logLines: string[] = [];

before(async () => {
  platform = await startLocalPlatform({
    label: 'security',
    portBase: e2eConfig.E2E_SECURITY_PORT_BASE,
    // Debug level: the most a service ever logs, so the card search sees every line it could write.
    extraEnv: { LOG_LEVEL: 'debug' },
    onLogLine: (line) => void logLines.push(line),
  });
  gateway = new GatewayClient(platform.gatewayUrl);
});

after(async () => {
  await platform?.stop();
});

const fieldsOf = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string }[]).map((error) => error.field);
const place = (body: unknown, key: string = keys.client1) => gateway.placeOrder(body, { key });
/** A body the JSON encoder cannot make: a lone surrogate escaped as JSON allows. */
const withLoneSurrogate = JSON.stringify(anOrder({ customerId: 'x' })).replace('"x"', '"a\\ud800b"');

describe('1. fault injection', () => {
  it("given no key, then the gateway has no fault route of its own to reach: 404, and the admin route answers 401", async () => {
    assert.equal((await gateway.call('PUT', '/admin/faults/self', { key: null, body: { errorRate: 1 } })).status, 404);
    assert.equal((await gateway.call('GET', '/admin/faults', { key: null })).status, 404);
    assert.equal((await gateway.call('PUT', '/v1/admin/faults/order', { key: null, body: { errorRate: 1 } })).status, 401);
    assert.equal((await gateway.call('PUT', '/v1/admin/faults/order', { key: keys.client1, body: { errorRate: 1 } })).status, 403);
  });

  it("given a service's own fault route without the internal credential, then 401 and nothing is faulted", async () => {
    for (const service of serviceNames.filter((name) => name !== 'gateway')) {
      const answer = await callService(platform.serviceUrl(service), '/admin/faults/self', { method: 'PUT', body: { errorRate: 1 }, signed: false });
      assert.equal(answer.status, 401, service);
    }
    assert.equal((await gateway.call('GET', '/v1/products')).status, 200);
  });
});

describe('2. inputs the platform cannot store', () => {
  it('given each, then 400 naming the field, from the gateway', async () => {
    const cases: [string, unknown, string][] = [
      ['quantity 2^31', anOrder({ quantity: 2_147_483_648 }), 'items.0.quantity'],
      ['quantity over 10 000', anOrder({ quantity: 10_001 }), 'items.0.quantity'],
      ['NUL in customerId', anOrder({ customerId: 'a\u0000b' }), 'customerId'],
      ['lone surrogate in customerId', withLoneSurrogate, 'customerId'],
      ['NUL in the address', { ...anOrder(), shippingAddress: { ...anOrder().shippingAddress, city: 'Ber\u0000lin' } }, 'shippingAddress.city'],
      ['NUL in a SKU', anOrder({ sku: 'SKU-\u0000' }), 'items.0.sku'],
    ];
    for (const [what, body, field] of cases) {
      const answer = await place(body);
      assert.equal(answer.status, 400, what);
      assert.deepEqual(fieldsOf(answer.body), [field], what);
    }
    for (const query of ['customerId=%00', 'cursor=%00', 'limit=1e400', 'status=PENDING&status=CONFIRMED']) {
      const answer = await gateway.call('GET', `/v1/orders?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(fieldsOf(answer.body).length, 1, query);
    }
  });

  it("given 40 of them from one client, then the order circuit stays closed and another client's orders go through", async () => {
    for (let n = 0; n < 40; n++) assert.equal((await place(n % 2 ? anOrder({ quantity: 2_147_483_648 }) : withLoneSurrogate)).status, 400);
    assert.equal((await gateway.call('GET', '/v1/orders', { key: keys.client2 })).status, 200);
    assert.equal((await place(anOrder(), keys.client2)).status, 202);
    const resilience = await gateway.call<{ items: { upstream: string; circuit: { state: string } }[] }>('GET', '/v1/admin/resilience', { key: keys.admin });
    assert.equal(resilience.body.items.find((item) => item.upstream === 'order')?.circuit.state, 'closed');
  });
});

describe('3. prototype keys', () => {
  it('given /docs/constructor or /docs/__proto__, then 404', async () => {
    for (const asset of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.equal((await fetch(`${platform.gatewayUrl}/docs/${asset}`)).status, 404, asset);
    }
  });
});

describe('4. internal ports', () => {
  it("given no credential, then every service answers 401 (client-1's orders, every tenant's sagas, placing for another tenant)", async () => {
    const order = platform.serviceUrl('order');
    assert.equal((await callService(order, '/orders', { clientId: 'client-1', signed: false })).status, 401);
    assert.equal((await callService(order, '/orders', { method: 'POST', clientId: 'client-2', body: anOrder(), signed: false })).status, 401);
    assert.equal((await callService(platform.serviceUrl('orchestrator'), '/admin/sagas', { signed: false })).status, 401);
    assert.equal((await callService(platform.serviceUrl('payment'), '/admin/payments', { signed: false })).status, 401);
  });

  it('given a credential signed with another secret, for another client or another route, or stale, then 401', async () => {
    const order = platform.serviceUrl('order');
    const attempt = (headers: Record<string, string>, path = '/orders') => fetch(`${order}${path}`, { headers }).then((answer) => answer.status);
    assert.equal(await attempt(signInternalRequest('a-secret-the-attacker-guessed-0123456789', { method: 'GET', path: '/orders', clientId: 'client-1' })), 401);
    const forClient2 = signInternalRequest('shopfront-development-internal-secret', { method: 'GET', path: '/orders', clientId: 'client-2' });
    assert.equal(await attempt({ ...forClient2, 'x-client-id': 'client-1' }), 401, 'a signature does not carry over to another client id');
    assert.equal(await attempt(signInternalRequest('shopfront-development-internal-secret', { method: 'GET', path: '/products' }), '/orders'), 401, 'nor to another route');
    const stale = signInternalRequest('shopfront-development-internal-secret', { method: 'GET', path: '/orders', clientId: 'client-1' }, Date.now() - 60_000);
    assert.equal(await attempt(stale), 401, 'nor past 30 s');
  });

  it('given probes and metrics, then they stay open on service ports; with the credential, the API answers', async () => {
    for (const service of serviceNames.filter((name) => name !== 'gateway')) {
      assert.equal((await fetch(`${platform.serviceUrl(service)}/health/ready`)).status, 200, service);
      assert.equal((await fetch(`${platform.serviceUrl(service)}/metrics`)).status, 200, service);
    }
    assert.equal((await callService(platform.serviceUrl('order'), '/orders', { clientId: 'client-1' })).status, 200);
  });
});

describe('5. card numbers', () => {
  it("given the whole flow with every test card, then the verdicts hold and no table, topic or log line holds a number", async () => {
    const expected = ['CONFIRMED', 'CANCELLED:PAYMENT_DECLINED', 'CANCELLED:INSUFFICIENT_FUNDS', 'CONFIRMED'];
    const placed = await Promise.all(testCards.map((card) => place(anOrder({ card, quantity: 1 }))));
    const unserved = await place(anOrder({ country: 'AQ', quantity: 1 }));
    const settled = await Promise.all([...placed, unserved].map((answer) => gateway.settled(answer.body.orderId)));
    assert.deepEqual(settled.map((order) => (order.reason ? `${order.status}:${order.reason}` : order.status)), [...expected, 'CANCELLED:SHIPPING_UNAVAILABLE']);

    const saga = await callService(platform.serviceUrl('orchestrator'), `/sagas/${placed[0]!.body.orderId}`);
    assert.equal(saga.status, 200);
    assert.ok(!(await saga.text()).includes('4242424242424242'), 'the saga view');
    // Relays publish asynchronously: let the outboxes drain before reading the topics.
    await eventually(async () => (await tablesContaining(platform.databaseUrl('orchestrator'), ['SagaConfirmed'])).length > 0, { what: 'saga log written' });
    const tables: Record<string, string[]> = {};
    for (const service of serviceNames) tables[service] = await tablesContaining(platform.databaseUrl(service), testCards);
    assert.deepEqual(tables, Object.fromEntries(serviceNames.map((service) => [service, []])), 'tables holding a card number');
    const topics = await messagesContaining(testKafkaBrokers(), platform.topicPrefix, testCards);
    assert.ok(topics.read > 20, `read ${topics.read} messages`);
    assert.deepEqual(topics.hits, [], 'messages holding a card number');
    assert.ok(logLines.length > 50, `${logLines.length} log lines`);
    assert.deepEqual(logLines.filter((line) => testCards.some((card) => line.includes(card))), [], 'log lines holding a card number');
  });
});

describe('invariant 8: no input yields a 5xx', () => {
  it(`given ${e2eConfig.E2E_FUZZ_RUNS} generated cases each of order bodies, headers and query strings, then every answer is below 500`, async () => {
    const report = await fuzzGateway(platform.gatewayUrl, e2eConfig.E2E_FUZZ_RUNS);
    console.log(`fuzz: ${report.runs} cases, statuses ${JSON.stringify(report.statuses)}`);
    assert.ok(Object.keys(report.statuses).every((status) => Number(status) < 500));
  });
});

describe('8. abuse at the edge', () => {
  it('given the gateway metrics without the admin key, then 401; with it, 200', async () => {
    assert.equal((await gateway.call('GET', '/metrics', { key: null })).status, 401);
    assert.equal((await fetch(`${platform.gatewayUrl}/metrics`, { headers: { 'x-api-key': keys.admin } })).status, 200);
  });

  it('given a trickled body, then the gateway closes the connection within its request timeout', async () => {
    const { port } = new URL(platform.gatewayUrl);
    const heldMs = await new Promise<number>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      const started = Date.now();
      socket.write('POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-API-Key: dev-key-1\r\nIdempotency-Key: trickle\r\n\r\n{');
      const drip = setInterval(() => socket.write(' '), 500);
      const giveUp = setTimeout(() => socket.destroy(), 30_000);
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(giveUp);
        resolve(Date.now() - started);
      });
      socket.on('error', () => undefined);
    });
    assert.ok(heldMs < 15_000, `held ${heldMs} ms`);
  });

  // Last: it leaves this address throttled for a minute.
  it('given wrong keys from one address, then it is throttled with 429 and Retry-After, a valid key included', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 25; n++) statuses.push((await gateway.call('GET', '/v1/products', { key: `guess-${n}` })).status);
    assert.deepEqual([...new Set(statuses)], [401, 429]);
    const throttled = await gateway.call('GET', '/v1/products');
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  });
});
