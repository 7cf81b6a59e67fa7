/**
 * The stock command handler under real concurrency on Postgres: more racing
 * transactions than Kafka's partitions would ever run at once. Each delivery
 * is what the consumer does: inbox row and effect in one transaction.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessage, type Message, type OrderLine } from '@shopfront/contracts';
import { messagingMigrations, type Delivery } from '@shopfront/messaging';
import { createLogger } from '@shopfront/observability';
import { readMigrations, withTransaction } from '@shopfront/postgres';
import { freshDatabase, rowsUpdated, type TestDatabase } from '@shopfront/testing';
import { postgresStockStore } from '../infra/stock.repository.js';
import { InventoryCommandsConsumer } from './inventory-commands.consumer.js';

/** What the consumer would pass: the handlers here do not read it. */
const delivery: Delivery = { topic: 'test', partition: 0, offset: '0', headers: {}, attempt: 1 };

let db: TestDatabase;
const commands = new InventoryCommandsConsumer(postgresStockStore, createLogger('inventory', 'silent'));

before(async () => {
  db = await freshDatabase('inventory_race', [...messagingMigrations, ...(await readMigrations(fileURLToPath(new URL('../../migrations', import.meta.url))))]);
});
after(async () => {
  await db?.drop();
});

/** What the consumer does with a batch: inbox rows, then open, every message, close, in one transaction. */
const deliverBatch = (messages: Message[]) =>
  withTransaction(db.pool, async (tx) => {
    const fresh: Message[] = [];
    for (const message of messages) {
      const claimed = await tx.query('INSERT INTO inbox (consumer, message_id, message_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', ['test', message.messageId, message.type]);
      if (claimed.rowCount === 1) fresh.push(message);
    }
    await commands.openBatch(fresh, tx);
    for (const message of fresh) await commands.on.handle(message, tx, delivery);
    await commands.closeBatch(tx);
  });
const deliver = (message: Message) => deliverBatch([message]);
/** A batch delivered as above, and how many product rows its transaction updated. */
const productUpdatesOfBatch = (messages: Message[]) =>
  withTransaction(db.pool, async (tx) => {
    const before = await rowsUpdated(tx, 'products');
    await commands.openBatch(messages, tx);
    for (const message of messages) await commands.on.handle(message, tx, delivery);
    await commands.closeBatch(tx);
    return (await rowsUpdated(tx, 'products')) - before;
  });
const reserve = (items: OrderLine[]) => {
  const orderId = randomUUID();
  return createMessage('ReserveStock', { orderId, items }, { correlationId: orderId });
};
const answers = async (type: string) => (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE topic = 'saga.replies' AND message_type = $1", [type])).rows[0]!.n;
const stock = async (sku: string) => (await db.pool.query<{ on_hand: number; reserved: number }>('SELECT on_hand, reserved FROM products WHERE sku = $1', [sku])).rows[0]!;

describe('stock commands under concurrency on real Postgres', () => {
  it('given 5 units left, when 40 orders race for them in parallel transactions, then exactly 5 are reserved and 35 refused', async () => {
    await db.pool.query("UPDATE products SET on_hand = 5 WHERE sku = 'SKU-004'");
    await Promise.all(Array.from({ length: 40 }, () => deliver(reserve([{ sku: 'SKU-004', quantity: 1 }]))));
    assert.deepEqual(await stock('SKU-004'), { on_hand: 5, reserved: 5 });
    assert.deepEqual([await answers('StockReserved'), await answers('StockReservationFailed')], [5, 35]);
  });

  it('given orders naming the same SKUs in opposite orders, when they race, then none deadlocks and every unit is accounted for', async () => {
    const orders = Array.from({ length: 30 }, (_, i) =>
      reserve(i % 2 === 0 ? [{ sku: 'SKU-001', quantity: 1 }, { sku: 'SKU-002', quantity: 2 }] : [{ sku: 'SKU-002', quantity: 2 }, { sku: 'SKU-001', quantity: 1 }]),
    );
    const outcomes = await Promise.allSettled(orders.map(deliver));
    assert.deepEqual(outcomes.filter((outcome) => outcome.status === 'rejected'), []);
    assert.deepEqual([await stock('SKU-001'), await stock('SKU-002')], [{ on_hand: 1000, reserved: 30 }, { on_hand: 1000, reserved: 60 }]);
  });

  it('given batches whose messages take the same SKUs in opposite orders, when they race, then none deadlocks and each batch announces each SKU once, with its final state', async () => {
    const batches: Message[][] = Array.from({ length: 12 }, (_, i) => {
      const skus = i % 2 === 0 ? ['SKU-005', 'SKU-006', 'SKU-007'] : ['SKU-007', 'SKU-006', 'SKU-005'];
      return skus.map((sku) => reserve([{ sku, quantity: 1 }]));
    });
    // A release after its reservation in the same batch: its rows come from the reservation the batch made.
    const reserved = reserve([{ sku: 'SKU-008', quantity: 4 }]);
    const released = createMessage('ReleaseStock', { orderId: reserved.data.orderId }, { correlationId: reserved.data.orderId });
    const withRelease: Message[] = [reserved, released];
    batches.push(withRelease);
    const before = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE message_type = 'StockChanged'")).rows[0]!.n;
    const outcomes = await Promise.allSettled(batches.map(deliverBatch));
    assert.deepEqual(outcomes.filter((outcome) => outcome.status === 'rejected'), []);
    assert.deepEqual([await stock('SKU-005'), await stock('SKU-006'), await stock('SKU-007'), await stock('SKU-008')], [
      { on_hand: 1000, reserved: 12 },
      { on_hand: 1000, reserved: 12 },
      { on_hand: 1000, reserved: 12 },
      { on_hand: 1000, reserved: 0 },
    ]);
    const { rows } = await db.pool.query<{ sku: string; reserved: number }>(
      "SELECT payload->'data'->>'sku' AS sku, (payload->'data'->>'reserved')::int AS reserved FROM outbox WHERE message_type = 'StockChanged' ORDER BY id OFFSET $1",
      [before],
    );
    // 12 batches × 3 SKUs, plus SKU-008 once (reserved then released: only its final state).
    assert.equal(rows.length, 12 * 3 + 1);
    assert.deepEqual(rows.filter((row) => row.sku === 'SKU-008'), [{ sku: 'SKU-008', reserved: 0 }]);
    assert.equal(Math.max(...rows.filter((row) => row.sku === 'SKU-005').map((row) => row.reserved)), 12);
  });

  it("given a batch of reservations and a release on two SKUs, then each product row is written once, with the batch's final state", async () => {
    const reserved = reserve([{ sku: 'SKU-009', quantity: 2 }]);
    const batch: Message[] = [
      ...Array.from({ length: 5 }, () => reserve([{ sku: 'SKU-003', quantity: 1 }])),
      reserved,
      createMessage('ReleaseStock', { orderId: reserved.data.orderId }, { correlationId: reserved.data.orderId }),
    ];
    const [before003, before009] = [await stock('SKU-003'), await stock('SKU-009')];
    assert.equal(await productUpdatesOfBatch(batch), 2);
    assert.deepEqual([await stock('SKU-003'), await stock('SKU-009')], [
      { ...before003, reserved: before003.reserved + 5 },
      before009,
    ]);
  });
});
