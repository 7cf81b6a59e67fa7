/**
 * The inventory service's Nest application on real Postgres and Kafka, driven
 * the way the platform drives it: commands on inventory.commands, OrderConfirmed
 * on order.events, operators over HTTP; answers read back from saga.replies and
 * stock changes from inventory.events. Each test works on SKUs of its own.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessage, Topics, type Message, type MessageType, type OrderLine } from '@shopfront/contracts';
import { callService, eventually, MessageTap, startServiceUnderTest, type ServiceUnderTest, type TestDatabase } from '@shopfront/testing';
import { loadInventoryConfig } from './config.js';
import { InventoryModule } from './inventory.module.js';

let db: TestDatabase;
let tap: MessageTap;
let service: ServiceUnderTest | undefined;
let url: string;

before(async () => {
  service = await startServiceUnderTest({
    name: 'inventory',
    migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
    module: (env, logger) => InventoryModule.register(loadInventoryConfig(env), logger),
    beforeStart: async (resources) => {
      tap = await MessageTap.open(resources.kafka, [Topics.sagaReplies, Topics.inventoryEvents]);
    },
  });
  ({ db, url } = service);
});

after(async () => {
  await tap?.close();
  await service?.stop();
});

const slow = { timeoutMs: 20_000, intervalMs: 100 };
const reserveStock = (orderId: string, items: OrderLine[]) => createMessage('ReserveStock', { orderId, items }, { correlationId: orderId });
const releaseStock = (orderId: string) => createMessage('ReleaseStock', { orderId }, { correlationId: orderId });
const command = (...messages: Message[]) => tap.publish(Topics.inventoryCommands, ...messages);

/** Answers on saga.replies for one order, waiting until there are at least `count`. */
const replies = (orderId: string, count = 1) =>
  eventually(() => {
    const found = tap.messages({ key: orderId, topic: Topics.sagaReplies }).map((entry) => entry.message);
    return found.length >= count && found;
  }, { ...slow, what: `${count} replies for ${orderId}` });

const stockChanges = (sku: string) => tap.messages({ types: ['StockChanged'], key: sku, topic: Topics.inventoryEvents }).map((entry) => entry.message.data);

async function http(method: string, path: string, body?: unknown) {
  const response = await callService(url, path, { method, body });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as Record<string, unknown> };
}

async function stock(sku: string) {
  const { body } = await http('GET', '/admin/inventory');
  return (body.items as { sku: string; onHand: number; reserved: number; available: number }[]).find((item) => item.sku === sku);
}

/** The consumer's own count of messages it processed or skipped as duplicates (GET /metrics). */
async function consumed(consumer: string, type: MessageType, outcome: 'processed' | 'duplicate'): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const labels = [`consumer="${consumer}"`, `type="${type}"`, `outcome="${outcome}"`];
  const line = text.split('\n').find((entry) => entry.startsWith('messaging_consumed_total{') && labels.every((label) => entry.includes(label)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('inventory on real Postgres and Kafka', () => {
  it('given a fresh start, when the service runs, then the seeded catalog is announced on inventory.events keyed by SKU and listed with prices', async () => {
    const skus = Array.from({ length: 10 }, (_, i) => `SKU-${String(i + 1).padStart(3, '0')}`);
    // Twice each: once by the seed migration, once more by the start's re-announcement (a read model that lost it can refill).
    await eventually(() => skus.every((sku) => stockChanges(sku).length >= 2), { ...slow, what: 'the seed announced, then re-announced at start' });
    for (const sku of skus) {
      const [first, again] = stockChanges(sku);
      assert.deepEqual([first!.sku, first!.onHand, first!.reserved, first!.available, first!.price.currency], [sku, 1000, 0, 1000, 'EUR']);
      assert.ok(Number.isInteger(first!.price.amount) && first!.price.amount > 0);
      assert.deepEqual(again, first);
    }
    const products = (await http('GET', '/products')).body.items as { sku: string; name: string; price: { amount: number; currency: string }; available: number }[];
    assert.deepEqual(products.map((product) => product.sku), skus);
    assert.deepEqual(products[0], { sku: 'SKU-001', name: stockChanges('SKU-001')[0]!.name, price: stockChanges('SKU-001')[0]!.price, available: 1000 });
  });

  it('given stock, when ReserveStock and then ReleaseStock arrive, then each is answered, units are held per SKU then given back, and each change is announced', async () => {
    const orderId = randomUUID();
    const reserve = reserveStock(orderId, [{ sku: 'SKU-002', quantity: 2 }, { sku: 'SKU-003', quantity: 1 }, { sku: 'SKU-002', quantity: 1 }]);
    await command(reserve);
    const [reserved] = await replies(orderId);
    assert.deepEqual([reserved!.type, reserved!.causationId, reserved!.correlationId], ['StockReserved', reserve.messageId, orderId]);
    assert.deepEqual(await stock('SKU-002'), { sku: 'SKU-002', onHand: 1000, reserved: 3, available: 997 });
    assert.deepEqual(await stock('SKU-003'), { sku: 'SKU-003', onHand: 1000, reserved: 1, available: 999 });
    await eventually(() => stockChanges('SKU-002').some((change) => change.reserved === 3 && change.available === 997), { ...slow, what: 'reservation announced' });

    await command(releaseStock(orderId));
    assert.deepEqual((await replies(orderId, 2)).map((message) => message.type), ['StockReserved', 'StockReleased']);
    assert.deepEqual(await stock('SKU-002'), { sku: 'SKU-002', onHand: 1000, reserved: 0, available: 1000 });
    await eventually(() => stockChanges('SKU-002').at(-1)?.reserved === 0 && stockChanges('SKU-002').length === 4, { ...slow, what: 'release announced' });
  });

  it('given one ReserveStock envelope delivered twice, when consumed, then one reservation and one answer; a re-send under a new id is answered without reserving more', async () => {
    const orderId = randomUUID();
    const first = reserveStock(orderId, [{ sku: 'SKU-004', quantity: 3 }]);
    const duplicatesBefore = await consumed('inventory.commands', 'ReserveStock', 'duplicate');
    await command(first, first);
    await command(reserveStock(orderId, [{ sku: 'SKU-004', quantity: 3 }]));
    const answered = await replies(orderId, 2);
    await eventually(async () => (await consumed('inventory.commands', 'ReserveStock', 'duplicate')) > duplicatesBefore, { ...slow, what: 'the duplicate skipped' });
    assert.deepEqual(tap.typesOf(orderId, Topics.sagaReplies), ['StockReserved', 'StockReserved']);
    assert.equal(answered[0]!.causationId, first.messageId);
    assert.deepEqual(await stock('SKU-004'), { sku: 'SKU-004', onHand: 1000, reserved: 3, available: 997 });
  });

  it('given a line the stock cannot cover, when ReserveStock arrives, then OUT_OF_STOCK names it and no line is held; a re-send after a restock is refused the same way', async () => {
    const orderId = randomUUID();
    const items = [{ sku: 'SKU-005', quantity: 2 }, { sku: 'SKU-006', quantity: 1001 }];
    await command(reserveStock(orderId, items));
    const [failed] = await replies(orderId);
    assert.deepEqual(failed!.type === 'StockReservationFailed' && failed!.data, { orderId, reason: 'OUT_OF_STOCK', detail: 'SKU-006: 1001 wanted, 1000 available' });
    assert.equal((await stock('SKU-005'))?.reserved, 0);

    assert.equal((await http('PUT', '/admin/inventory/SKU-006', { onHand: 2000 })).status, 200);
    await command(reserveStock(orderId, items));
    const [, again] = await replies(orderId, 2);
    assert.deepEqual(again!.type === 'StockReservationFailed' && again!.data.detail, 'SKU-006: 1001 wanted, 1000 available');
    assert.deepEqual([(await stock('SKU-005'))?.reserved, (await stock('SKU-006'))?.reserved], [0, 0]);

    const unknown = randomUUID();
    await command(reserveStock(unknown, [{ sku: 'SKU-404', quantity: 1 }]));
    const [refused] = await replies(unknown);
    assert.deepEqual(refused!.type === 'StockReservationFailed' && refused!.data.detail, 'unknown SKU SKU-404');
  });

  it('given 5 units left, when 20 orders of one unit race for them, then exactly 5 are reserved, 15 refused, and no announced level ever oversells', async () => {
    assert.deepEqual((await http('PUT', '/admin/inventory/SKU-007', { onHand: 5 })).body, { sku: 'SKU-007', onHand: 5, reserved: 0, available: 5 });
    const orders = Array.from({ length: 20 }, () => randomUUID());
    await command(...orders.map((orderId) => reserveStock(orderId, [{ sku: 'SKU-007', quantity: 1 }])));
    const answers = await Promise.all(orders.map(async (orderId) => (await replies(orderId))[0]!.type));
    assert.deepEqual([answers.filter((type) => type === 'StockReserved').length, answers.filter((type) => type === 'StockReservationFailed').length], [5, 15]);
    assert.deepEqual(await stock('SKU-007'), { sku: 'SKU-007', onHand: 5, reserved: 5, available: 0 });
    await eventually(() => stockChanges('SKU-007').at(-1)?.available === 0, { ...slow, what: 'last unit announced' });
    assert.ok(stockChanges('SKU-007').every((level) => level.available >= 0 && level.reserved <= level.onHand));
  });

  it('given a reservation, when its order is confirmed (even twice), then the units are sold once; a later release restocks them', async () => {
    const orderId = randomUUID();
    await command(reserveStock(orderId, [{ sku: 'SKU-008', quantity: 4 }]));
    await replies(orderId);
    const confirmed = createMessage('OrderConfirmed', { orderId }, { correlationId: orderId });
    const processedBefore = await consumed('inventory.order-events', 'OrderConfirmed', 'processed');
    await tap.publish(Topics.orderEvents, confirmed, confirmed, createMessage('OrderConfirmed', { orderId }, { correlationId: orderId }));
    await eventually(async () => (await consumed('inventory.order-events', 'OrderConfirmed', 'processed')) === processedBefore + 2, { ...slow, what: 'confirmations handled' });
    assert.deepEqual(await stock('SKU-008'), { sku: 'SKU-008', onHand: 996, reserved: 0, available: 996 });
    await eventually(() => stockChanges('SKU-008').length >= 4, { ...slow, what: 'sale announced' });
    assert.deepEqual(stockChanges('SKU-008').map((level) => [level.onHand, level.reserved]).slice(2), [[1000, 4], [996, 0]]);

    await command(releaseStock(orderId));
    assert.deepEqual((await replies(orderId, 2)).map((message) => message.type), ['StockReserved', 'StockReleased']);
    assert.deepEqual(await stock('SKU-008'), { sku: 'SKU-008', onHand: 1000, reserved: 0, available: 1000 });
  });

  it('given a release that overtakes its reservation, when the reservation arrives late, then the release is answered, a tombstone stays and nothing is reserved', async () => {
    const orderId = randomUUID();
    await command(releaseStock(orderId));
    await replies(orderId);
    // Same key, same partition: the second release is handled after the late reservation.
    await command(reserveStock(orderId, [{ sku: 'SKU-009', quantity: 2 }]), releaseStock(orderId));
    await replies(orderId, 2);
    assert.deepEqual(tap.typesOf(orderId, Topics.sagaReplies), ['StockReleased', 'StockReleased']);
    assert.deepEqual(await stock('SKU-009'), { sku: 'SKU-009', onHand: 1000, reserved: 0, available: 1000 });
    const { rows } = await db.pool.query('SELECT status, items FROM reservations WHERE order_id = $1', [orderId]);
    assert.deepEqual(rows, [{ status: 'RELEASED', items: [] }]);
  });

  it('given the admin routes, when stock is set, then bad input is a 400, an unknown SKU a 404, going below reserved a 409, and a change is announced', async () => {
    for (const body of [{ onHand: -1 }, { onHand: 1.5 }, { onHand: '5' }, {}, { onHand: 5, reserved: 0 }]) {
      const answer = await http('PUT', '/admin/inventory/SKU-010', body);
      assert.deepEqual([answer.status, answer.type.startsWith('application/problem+json')], [400, true], JSON.stringify(body));
    }
    const unknown = await http('PUT', '/admin/inventory/SKU-999', { onHand: 5 });
    assert.deepEqual([unknown.status, unknown.body.status, unknown.type.startsWith('application/problem+json')], [404, 404, true]);

    const orderId = randomUUID();
    await command(reserveStock(orderId, [{ sku: 'SKU-010', quantity: 3 }]));
    await replies(orderId);
    const oversell = await http('PUT', '/admin/inventory/SKU-010', { onHand: 2 });
    assert.deepEqual([oversell.status, oversell.body.title], [409, 'Conflict']);
    assert.match(String(oversell.body.detail), /3 units are reserved/);
    assert.deepEqual((await http('PUT', '/admin/inventory/SKU-010', { onHand: 3 })).body, { sku: 'SKU-010', onHand: 3, reserved: 3, available: 0 });
    await eventually(() => stockChanges('SKU-010').some((level) => level.onHand === 3 && level.available === 0), { ...slow, what: 'operator change announced' });
  });
});
