/**
 * The order service on real Postgres and Kafka: its HTTP API as the gateway
 * uses it, read-your-writes, and a rebuild of the client_orders projection
 * after 1,000 orders that matches the live one, and the re-announcement of
 * orders stranded in PENDING.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { eventStoreMigrations, projectionChecksum, rebuildProjection, applyBatch } from '@shopfront/event-store';
import { holdWrites, releaseWrites, withTransaction } from '@shopfront/postgres';
import { aTokenizedCard, callService, startServiceUnderTest, type ServiceUnderTest, type TestDatabase } from '@shopfront/testing';
import { createMessage, parseMessage } from '@shopfront/contracts';
import { OrderCommands } from './app/order-commands.consumer.js';
import { CatalogUpdatesConsumer } from './app/catalog-updates.consumer.js';
import { SagaStepsConsumer } from './app/saga-steps.consumer.js';
import { reannounceStrandedOrders } from './app/stranded-orders.js';
import { loadOrderConfig } from './config.js';
import { cancelOrder, confirmOrder, placeOrder } from './domain/order.js';
import { clientOrders } from './infra/client-orders.projection.js';
import { postgresOrderReadModels as readModels } from './infra/read-models.js';
import { OrderModule } from './order.module.js';

let db: TestDatabase;
/** The order's commands on the test's own database, as the service runs them. */
const commands = () => new OrderCommands(db.pool, readModels);
let service: ServiceUnderTest | undefined;
let base: string;

before(async () => {
  service = await startServiceUnderTest({
    name: 'order',
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    libraryMigrations: eventStoreMigrations,
    module: (env, logger) => OrderModule.register(loadOrderConfig(env), logger),
    // The catalog view, as inventory's stock events would have filled it.
    beforeStart: ({ db: fresh }) => fresh.pool.query(`INSERT INTO catalog VALUES ('SKU-001', 'Espresso cup', 1999, 'EUR', 1000), ('SKU-002', 'Kettle', 4599, 'EUR', 1000)`).then(() => undefined),
  });
  ({ db, url: base } = service);
});
after(async () => {
  await service?.stop();
});

const body = (sku = 'SKU-001') => ({
  customerId: 'cust-1',
  items: [{ sku, quantity: 2 }],
  payment: aTokenizedCard(),
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
});
const call = async (method: string, path: string, headers: Record<string, string> = {}, payload?: unknown) => {
  const { 'x-client-id': clientId, ...rest } = headers;
  const response = await callService(base, path, { method, clientId, headers: rest, body: payload });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
};

describe('the order service API', () => {
  it('given 50 orders placed at once, when each is read right after its 202, then none answers 404', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const placed = await call('POST', '/orders', { 'x-client-id': 'client-1' }, body());
        assert.equal(placed.status, 202);
        return (await call('GET', `/orders/${placed.body.orderId}`, { 'x-client-id': 'client-1' })).status;
      }),
    );
    assert.deepEqual(statuses.filter((status) => status !== 200), []);
  });

  it('given a chosen order id, when placed 8 times at once, then every answer is that one order; another client cannot see it', async () => {
    const orderId = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('POST', '/orders', { 'x-client-id': 'client-1', 'x-order-id': orderId }, body())));
    assert.deepEqual(new Set(answers.map((answer) => `${answer.status} ${answer.body.orderId}`)), new Set([`202 ${orderId}`]));
    const events = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`order-${orderId}`]);
    assert.equal(events.rows[0].n, 1);
    assert.equal((await call('GET', `/orders/${orderId}`, { 'x-client-id': 'client-2' })).status, 404);
  });

  it('given a placed order, when cancelled 8 times at once, then the commands queue on its lock: one 202, seven 409, no conflict', async () => {
    const placed = await call('POST', '/orders', { 'x-client-id': 'client-1' }, body());
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('POST', `/orders/${placed.body.orderId}/cancel`, { 'x-client-id': 'client-1' })));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [202, 409, 409, 409, 409, 409, 409, 409]);
    const events = await db.pool.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version', [`order-${placed.body.orderId}`]);
    assert.deepEqual(events.rows.map((row) => row.type), ['OrderPlaced', 'OrderCancellationRequested']);
  });

  it('given an unknown SKU or a malformed body, when placed, then 422 and 400 problems answer', async () => {
    const unknown = await call('POST', '/orders', { 'x-client-id': 'client-1' }, body('SKU-404'));
    assert.equal(unknown.status, 422);
    assert.match(unknown.headers.get('content-type') ?? '', /problem\+json/);
    const malformed = await call('POST', '/orders', { 'x-client-id': 'client-1' }, { customerId: '' });
    assert.equal(malformed.status, 400);
    assert.ok(Array.isArray(malformed.body.errors));
  });

  it('given a placed order, when cancelled twice, then 202 then 409', async () => {
    const placed = await call('POST', '/orders', { 'x-client-id': 'client-1' }, body());
    assert.equal((await call('POST', `/orders/${placed.body.orderId}/cancel`, { 'x-client-id': 'client-1' })).status, 202);
    assert.equal((await call('POST', `/orders/${placed.body.orderId}/cancel`, { 'x-client-id': 'client-1' })).status, 409);
  });
});

describe('the client_orders projection', () => {
  it('given 1,000 orders with mixed outcomes, when rebuilt from zero, then it equals the live read model', async () => {
    for (let i = 0; i < 1_000; i++) {
      const orderId = randomUUID();
      await withTransaction(db.pool, async (tx) => {
        await commands().execute(tx, orderId, (order) => placeOrder(order, { orderId, clientId: `client-${i % 3}`, customerId: `cust-${i % 7}`, items: [{ sku: 'SKU-001', quantity: 1, unitPrice: { amount: 1999, currency: 'EUR' } }], total: { amount: 1999, currency: 'EUR' }, payment: aTokenizedCard(), shippingAddress: body().shippingAddress }), { causationId: null });
        await commands().execute(tx, orderId, (order) => (i % 4 === 0 ? cancelOrder(order, orderId, 'PAYMENT_DECLINED') : confirmOrder(order, orderId)), { causationId: null });
      });
    }
    while ((await applyBatch(db.pool, clientOrders)) > 0);
    const live = await projectionChecksum(db.pool, clientOrders);
    const report = await rebuildProjection(db.pool, clientOrders);
    assert.equal(report.swapped, true);
    assert.ok(report.events >= 2_000);
    assert.equal(report.checksum, live);
    const list = await call('GET', '/orders?limit=5&status=CANCELLED', { 'x-client-id': 'client-0' });
    assert.equal((list.body.items as unknown[]).length, 5);
    assert.equal(typeof list.body.nextCursor, 'string');
  });
});

describe('order.events messages', () => {
  it('given an order placed then confirmed, then each message carries the time the event store recorded, which the timeline keeps', async () => {
    const orderId = randomUUID();
    const placed = { orderId, clientId: 'client-1', customerId: 'cust-1', items: [{ sku: 'SKU-001', quantity: 1, unitPrice: { amount: 1999, currency: 'EUR' as const } }], total: { amount: 1999, currency: 'EUR' as const }, payment: aTokenizedCard(), shippingAddress: body().shippingAddress };
    const inTurn: [string, Parameters<OrderCommands['execute']>[2]][] = [['OrderPlaced', (order) => placeOrder(order, placed)], ['OrderConfirmed', (order) => confirmOrder(order, orderId)]];
    for (const [type, decide] of inTurn) {
      const times = await withTransaction(db.pool, async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 5)); // the clock moves past the transaction's now()
        await commands().execute(tx, orderId, decide, { causationId: null });
        // Read in the command's own transaction: the relay cannot have published (and deleted) the row yet.
        const { rows } = await tx.query<{ sent: string; recorded: Date; stored: Date }>(
          `SELECT o.payload->>'occurredAt' AS sent, e.occurred_at AS recorded, t.at AS stored
             FROM outbox o JOIN events e ON e.message_id = o.message_id JOIN order_timeline t ON t.message_id = o.message_id
            WHERE o.message_key = $1 AND o.message_type = $2`,
          [orderId, type],
        );
        return rows.map((row) => ({ sent: row.sent, recorded: row.recorded.toISOString(), stored: row.stored.toISOString() }));
      });
      assert.equal(times.length, 1, type);
      assert.equal(times[0]!.sent, times[0]!.recorded, `${type}: the message's time is the event's`);
      assert.equal(times[0]!.sent, times[0]!.stored, `${type}: and the timeline's`);
    }
  });
});

describe('orders stranded in PENDING', () => {
  const placeDirectly = async () => {
    const orderId = randomUUID();
    await withTransaction(db.pool, (tx) =>
      commands().execute(tx, orderId, (order) => placeOrder(order, { orderId, clientId: 'client-1', customerId: 'cust-1', items: [{ sku: 'SKU-001', quantity: 1, unitPrice: { amount: 1999, currency: 'EUR' } }], total: { amount: 1999, currency: 'EUR' }, payment: aTokenizedCard(), shippingAddress: body().shippingAddress }), { causationId: null }),
    );
    return orderId;
  };
  const ageBy = (orderIds: string[], column: 'updated_at' | 'reannounced_at') =>
    db.pool.query(`UPDATE orders_view SET ${column} = now() - interval '1 hour' WHERE order_id = ANY($1::uuid[])`, [orderIds]);
  const pendingFor = 30 * 60_000; // every other order of this file is younger

  it('given an order PENDING past the threshold, when swept, then OrderPlaced goes out again under a new id caused by the first, once per threshold; recent and settled orders are left alone', async () => {
    const stranded = await placeDirectly();
    await placeDirectly(); // recent: too young to be re-announced
    const settled = await placeDirectly();
    await withTransaction(db.pool, (tx) => commands().execute(tx, settled, (order) => confirmOrder(order, settled), { causationId: null }));
    await ageBy([stranded, settled], 'updated_at');
    const original = await db.pool.query<{ message_id: string; occurred_at: Date }>(`SELECT message_id, occurred_at FROM events WHERE stream_id = $1 AND type = 'OrderPlaced'`, [`order-${stranded}`]);

    const sent = await withTransaction(db.pool, async (tx) => {
      assert.deepEqual(await reannounceStrandedOrders(readModels, tx, pendingFor, 100), [stranded]);
      // Read in the sweep's own transaction: the relay cannot have published (and deleted) the row yet.
      const { rows } = await tx.query<{ message_id: string; message_type: string; payload: { causationId: string; occurredAt: string; data: { orderId: string } } }>(
        `SELECT message_id, message_type, payload FROM outbox WHERE message_key = $1 AND created_at = now()`,
        [stranded],
      );
      return rows;
    });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.message_type, 'OrderPlaced');
    assert.equal(sent[0]!.payload.data.orderId, stranded);
    assert.equal(sent[0]!.payload.causationId, original.rows[0]!.message_id);
    assert.notEqual(sent[0]!.message_id, original.rows[0]!.message_id);
    assert.equal(sent[0]!.payload.occurredAt, original.rows[0]!.occurred_at.toISOString(), 'at the time first recorded, the timeline entry a watcher already has');

    assert.deepEqual(await withTransaction(db.pool, (tx) => reannounceStrandedOrders(readModels, tx, pendingFor, 100)), [], 'not again before the threshold passes once more');
    await ageBy([stranded], 'reannounced_at');
    assert.deepEqual(await withTransaction(db.pool, (tx) => reannounceStrandedOrders(readModels, tx, pendingFor, 100)), [stranded]);
  });
});

describe('the timeline from saga.events', () => {
  it("given a saga move's message with two steps, delivered twice, and a v1 message of one, then the timeline has each line once, in order", async () => {
    const placed = await call('POST', '/orders', { 'x-client-id': 'client-1' }, body());
    const orderId = String(placed.body.orderId);
    const causation = { correlationId: orderId, causationId: null };
    const move = createMessage('SagaStepRecorded', { orderId, steps: [{ step: 'reserveStock', phase: 'SUCCEEDED', detail: 'StockReserved' }, { step: 'authorizePayment', phase: 'TRIED' }] }, causation);
    // A v1 message as an orchestrator of before the change wrote it: the consumer's edge upcasts it.
    const v1 = parseMessage(JSON.stringify({ ...createMessage('SagaStepRecorded', { orderId, steps: [{ step: 'authorizePayment', phase: 'SUCCEEDED' }] }, causation), schemaVersion: 1, data: { orderId, step: 'authorizePayment', phase: 'SUCCEEDED' } }));
    const steps = new SagaStepsConsumer(readModels);
    const delivery = { topic: 'saga.events', partition: 0, offset: '0', headers: {}, attempt: 1 };
    for (const message of [move, move, v1]) await withTransaction(db.pool, (tx) => steps.on.handle(message, tx, delivery));
    const timeline = await call('GET', `/orders/${orderId}/timeline`, { 'x-client-id': 'client-1' });
    const lines = (timeline.body.items as { kind: string; step?: string; phase?: string }[]).map((entry) => `${entry.kind} ${entry.step ?? ''} ${entry.phase ?? ''}`.trim());
    assert.deepEqual(lines, ['OrderPlaced', 'SagaStepRecorded reserveStock SUCCEEDED', 'SagaStepRecorded authorizePayment TRIED', 'SagaStepRecorded authorizePayment SUCCEEDED']);
  });
});

describe('the catalog from inventory.events', () => {
  it('given a batch with a SKU changed twice and another once, then one write keeps the latest state of each', async () => {
    const changed = (sku: string, name: string, amount: number, available: number) =>
      createMessage('StockChanged', { sku, name, price: { amount, currency: 'EUR' }, onHand: available, reserved: 0, available }, { correlationId: sku, causationId: null });
    const catalog = new CatalogUpdatesConsumer(readModels);
    const delivery = { topic: 'inventory.events', partition: 0, offset: '0', headers: {}, attempt: 1 };
    const batch = [changed('SKU-CAT-1', 'Mug', 900, 5), changed('SKU-CAT-2', 'Tray', 1500, 7), changed('SKU-CAT-1', 'Mug, blue', 950, 4)];
    const during = await withTransaction(db.pool, async (tx) => {
      // As a consumer's batch runs: writes held until its end (libs/messaging's applyBatch).
      holdWrites(tx);
      for (const message of batch) await catalog.on.handle(message, tx, delivery);
      const { rows } = await tx.query("SELECT count(*)::int AS n FROM catalog WHERE sku LIKE 'SKU-CAT-%'");
      await releaseWrites(tx);
      return rows[0].n as number;
    });
    assert.equal(during, 0, 'nothing written before the batch ends');
    const { rows } = await db.pool.query("SELECT sku, name, price_amount, available FROM catalog WHERE sku LIKE 'SKU-CAT-%' ORDER BY sku");
    assert.deepEqual(rows, [
      { sku: 'SKU-CAT-1', name: 'Mug, blue', price_amount: 950, available: 4 },
      { sku: 'SKU-CAT-2', name: 'Tray', price_amount: 1500, available: 7 },
    ]);
  });
});
