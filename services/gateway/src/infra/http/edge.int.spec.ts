/**
 * The contract's edge rules against a real gateway (its own module and
 * bootstrap) on real Postgres and Redis, in front of a real HTTP upstream.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { developmentCardPrivateKey } from '@shopfront/config';
import { cardPrivateKey, openCard } from '@shopfront/contracts';
import { anOrder, type TestDatabase } from '@shopfront/testing';
import { call, gatewayDatabase, keys, startGateway, testRedisPrefix, type RunningGateway } from '../../test/gateway-fixture.js';
import { StubUpstream } from '../../test/stub-upstream.js';

let db: TestDatabase;
let stub: StubUpstream;
let gateway: RunningGateway;
let stubUrl: string;

before(async () => {
  stub = new StubUpstream();
  stubUrl = await stub.start();
  db = await gatewayDatabase('edge');
  gateway = await startGateway({ databaseUrl: db.url, upstreamUrl: stubUrl, redisPrefix: testRedisPrefix('edge') });
});
after(async () => {
  await gateway?.stop();
  await stub?.stop();
  await db?.drop();
});
beforeEach(() => stub.reset());

const place = (body: unknown, options: { key?: string; idempotencyKey?: string | null } = {}) =>
  call<Record<string, unknown>>(gateway.url, 'POST', '/v1/orders', {
    key: options.key,
    body,
    headers: options.idempotencyKey === null ? {} : { 'idempotency-key': options.idempotencyKey ?? crypto.randomUUID() },
  });

describe('authentication', () => {
  it('given no key or an unknown key, then 401 problem+json, and nothing reaches the upstream', async () => {
    for (const key of [null, 'nope']) {
      const answer = await call(gateway.url, 'GET', '/v1/products', { key });
      assert.equal(answer.status, 401);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(answer.body.status, 401);
    }
    assert.equal(stub.calls.length, 0);
  });

  it('given a client key on an admin route, then 403; given the admin key, then the admin route answers', async () => {
    assert.equal((await call(gateway.url, 'GET', '/v1/admin/inventory', { key: keys.client1 })).status, 403);
    assert.equal((await call(gateway.url, 'GET', '/v1/admin/resilience', { key: keys.client2 })).status, 403);
    const inventory = await call(gateway.url, 'GET', '/v1/admin/inventory', { key: keys.admin });
    assert.equal(inventory.status, 200);
    assert.deepEqual(stub.callsTo('GET', '/admin/inventory').length, 1);
  });

  it('given health and the API description, then they need no key; metrics need the admin key', async () => {
    assert.equal((await call(gateway.url, 'GET', '/health/live', { key: null })).status, 200);
    assert.equal((await call(gateway.url, 'GET', '/metrics', { key: null })).status, 401);
    assert.equal((await call(gateway.url, 'GET', '/metrics', { key: keys.client1 })).status, 403);
    assert.equal((await call(gateway.url, 'GET', '/metrics', { key: keys.admin })).status, 200);
    assert.equal((await call(gateway.url, 'GET', '/metrics', { key: null, headers: { authorization: `Bearer ${keys.admin}` } })).status, 200);
    assert.equal((await call(gateway.url, 'GET', '/openapi.json', { key: null })).status, 200);
    const docs = await call<string>(gateway.url, 'GET', '/docs', { key: null });
    assert.equal(docs.status, 200);
    assert.match(docs.body, /swagger-ui-bundle\.js/);
    assert.equal((await call(gateway.url, 'GET', '/docs/swagger-ui-bundle.js', { key: null })).status, 200);
    assert.equal((await call(gateway.url, 'GET', '/docs/..%2Fpackage.json', { key: null })).status, 404);
  });

  it('then readiness reports only Postgres: the gateway uses no Kafka and serves without Redis', async () => {
    const ready = await call<{ checks: Record<string, string> }>(gateway.url, 'GET', '/health/ready', { key: null });
    assert.deepEqual(Object.keys(ready.body.checks).sort(), ['postgres']);
    assert.equal(ready.body.checks.postgres, 'up');
  });
});

describe('validation', () => {
  const badOrders: [string, unknown, string][] = [
    ['quantity below 1', anOrder({ quantity: 0 }), 'items.0.quantity'],
    ['card failing Luhn', anOrder({ card: '4242424242424241' }), 'payment.card'],
    ['unknown country', anOrder({ country: 'XX' }), 'shippingAddress.country'],
    ['more than 100 lines', { ...anOrder(), items: Array.from({ length: 101 }, (_, n) => ({ sku: `SKU-${n}`, quantity: 1 })) }, 'items'],
    ['no lines', { ...anOrder(), items: [] }, 'items'],
    ['an unexpected field', { ...anOrder(), discount: 100 }, '(body)'],
    ['no body', undefined, '(body)'],
  ];
  for (const [what, body, field] of badOrders) {
    it(`given an order with ${what}, then 400 with a field error on ${field}, and nothing reaches the upstream`, async () => {
      const answer = await place(body);
      assert.equal(answer.status, 400);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
      const errors = answer.body.errors as { field: string; message: string }[];
      assert.ok(errors.some((error) => error.field === field), JSON.stringify(errors));
      assert.equal(stub.calls.length, 0);
    });
  }

  it('given a missing or non-printable Idempotency-Key, then 400 naming the header', async () => {
    for (const idempotencyKey of [null, 'café', 'x'.repeat(256)]) {
      const answer = await place(anOrder(), { idempotencyKey });
      assert.equal(answer.status, 400, String(idempotencyKey));
      assert.deepEqual((answer.body.errors as { field: string }[]).map((error) => error.field), ['Idempotency-Key']);
    }
    assert.equal(stub.calls.length, 0);
  });

  it('given malformed JSON, then 400 problem+json', async () => {
    const answer = await call(gateway.url, 'POST', '/v1/orders', { rawBody: '{"customerId":', headers: { 'idempotency-key': 'k' } });
    assert.equal(answer.status, 400);
    assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('given a body over 64 KiB, then 413 before anything else runs', async () => {
    const padded = { ...anOrder(), customerId: 'c'.repeat(65 * 1024) };
    const answer = await place(padded);
    assert.equal(answer.status, 413);
    assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(stub.calls.length, 0);
  });

  it('given a malformed order id in a path, then 400 and no upstream call', async () => {
    assert.equal((await call(gateway.url, 'GET', '/v1/orders/..%2F..%2Fadmin')).status, 400);
    assert.equal(stub.calls.length, 0);
  });
});

describe('orders through the gateway', () => {
  it('given a valid order, then 202 with Location, and the upstream got the client id and a fresh order id', async () => {
    const answer = await place(anOrder());
    assert.equal(answer.status, 202);
    assert.equal(answer.body.status, 'PENDING');
    assert.equal(answer.headers.get('location'), `/v1/orders/${answer.body.orderId}`);
    const [sent] = stub.callsTo('POST', '/orders');
    assert.equal(sent?.headers['x-client-id'], 'client-1');
    assert.equal(sent?.headers['x-order-id'], answer.body.orderId);
    // The card number stops here: the order service gets a sealed token, the brand and the last four.
    const { payment, ...rest } = sent?.body as { payment: { token: string; last4: string; brand: string } };
    assert.deepEqual(rest, (({ payment: _card, ...order }) => order)(anOrder()));
    assert.deepEqual({ last4: payment.last4, brand: payment.brand }, { last4: '4242', brand: 'visa' });
    assert.equal(openCard(cardPrivateKey(developmentCardPrivateKey), payment.token), '4242424242424242', 'only the private key opens it');
    assert.ok(!JSON.stringify(stub.calls).includes('4242424242424242'));
  });

  it('given an unknown SKU, then the order service\'s 422 passes through with a public instance', async () => {
    const answer = await place(anOrder({ sku: 'SKU-999' }));
    assert.equal(answer.status, 422);
    assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(answer.body.instance, '/v1/orders');
  });

  it("given another client's order id, then 404: the client id the gateway sends scopes every read", async () => {
    const placed = await place(anOrder());
    const orderId = String(placed.body.orderId);
    assert.equal((await call(gateway.url, 'GET', `/v1/orders/${orderId}`)).status, 200);
    assert.equal((await call(gateway.url, 'GET', `/v1/orders/${orderId}`, { key: keys.client2 })).status, 404);
    assert.equal((await call(gateway.url, 'GET', `/v1/orders/${orderId}/timeline`, { key: keys.client2 })).status, 404);
    assert.equal((await call(gateway.url, 'POST', `/v1/orders/${orderId}/cancel`, { key: keys.client2 })).status, 404);
    const theirs = await call<{ items: unknown[] }>(gateway.url, 'GET', '/v1/orders', { key: keys.client2 });
    assert.equal(theirs.body.items.length, 0);
  });

  it('given a client trying to pass another client id, then the gateway sends its own', async () => {
    await call(gateway.url, 'GET', '/v1/orders?limit=5&status=PENDING', { headers: { 'x-client-id': 'client-2' } });
    const [sent] = stub.callsTo('GET', '/orders');
    assert.equal(sent?.headers['x-client-id'], 'client-1');
    assert.equal(sent?.path, '/orders?status=PENDING&limit=5');
  });

  it('given a bad list query, then 400 with the field', async () => {
    const answer = await call(gateway.url, 'GET', '/v1/orders?limit=0&status=LOST');
    assert.equal(answer.status, 400);
    assert.deepEqual((answer.body.errors as { field: string }[]).map((error) => error.field).sort(), ['limit', 'status']);
  });
});

describe('admin routes', () => {
  it('given a stock update, then it reaches the inventory service validated', async () => {
    const answer = await call(gateway.url, 'PUT', '/v1/admin/inventory/SKU-001', { key: keys.admin, body: { onHand: 5 } });
    assert.equal(answer.status, 200);
    assert.deepEqual(stub.callsTo('PUT', '/admin/inventory/SKU-001')[0]?.body, { onHand: 5 });
    assert.equal((await call(gateway.url, 'PUT', '/v1/admin/inventory/SKU-001', { key: keys.admin, body: { onHand: -1 } })).status, 400);
  });

  it('given an order filter, then payments and shipments are asked for that order', async () => {
    const orderId = crypto.randomUUID();
    assert.equal((await call(gateway.url, 'GET', `/v1/admin/payments?orderId=${orderId}`, { key: keys.admin })).status, 200);
    assert.equal((await call(gateway.url, 'GET', `/v1/admin/shipments?orderId=${orderId}`, { key: keys.admin })).status, 200);
    assert.deepEqual(stub.calls.map((sent) => sent.path), [`/admin/payments?orderId=${orderId}`, `/admin/shipments?orderId=${orderId}`]);
  });

  it('given a fault for a service, then it is forwarded to that service; the provider goes to payment; the gateway keeps its own', async () => {
    const fault = { latencyMs: 0, errorRate: 0.5 };
    assert.equal((await call(gateway.url, 'PUT', '/v1/admin/faults/inventory', { key: keys.admin, body: fault })).status, 200);
    assert.equal((await call(gateway.url, 'PUT', '/v1/admin/faults/payment-provider', { key: keys.admin, body: fault })).status, 200);
    assert.deepEqual(stub.calls.map((sent) => [sent.path, sent.body]), [
      ['/admin/faults/self', fault],
      ['/admin/faults/payment-provider', fault],
    ]);
    assert.equal((await call(gateway.url, 'PUT', '/v1/admin/faults/nowhere', { key: keys.admin, body: fault })).status, 404);
    assert.equal((await call(gateway.url, 'PUT', '/v1/admin/faults/order', { key: keys.client1, body: fault })).status, 403);
  });

  it('given a failing gateway, then its own fault route still answers so the drill can heal it', async () => {
    const broken = await call(gateway.url, 'PUT', '/v1/admin/faults/gateway', { key: keys.admin, body: { latencyMs: 0, errorRate: 1 } });
    assert.equal(broken.status, 200);
    try {
      const faulted = await call(gateway.url, 'GET', '/v1/products');
      assert.equal(faulted.status, 503);
      assert.ok(faulted.headers.get('retry-after'));
    } finally {
      const healed = await call(gateway.url, 'PUT', '/v1/admin/faults/gateway', { key: keys.admin, body: { latencyMs: 0, errorRate: 0 } });
      assert.equal(healed.status, 200);
    }
    assert.equal((await call(gateway.url, 'GET', '/v1/products')).status, 200);
  });
});

describe('where CHAOS_ENABLED=false', () => {
  it('given a fault request, then 404 and nothing is forwarded', async () => {
    const production = await startGateway({ databaseUrl: db.url, upstreamUrl: stubUrl, redisPrefix: testRedisPrefix('edge'), env: { CHAOS_ENABLED: 'false' } });
    try {
      const answer = await call(production.url, 'PUT', '/v1/admin/faults/order', { key: keys.admin, body: { latencyMs: 0, errorRate: 1 } });
      assert.equal(answer.status, 404);
      assert.equal(stub.calls.length, 0);
    } finally {
      await production.stop();
    }
  });
});
