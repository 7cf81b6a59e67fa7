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
import { messagingMigrations } from '@shopfront/messaging';
import { createLogger } from '@shopfront/observability';
import { readMigrations, withTransaction } from '@shopfront/postgres';
import { freshDatabase, type TestDatabase } from '@shopfront/testing';
import { InventoryCommands } from './inventory.commands.js';

let db: TestDatabase;
const commands = new InventoryCommands(createLogger('inventory', 'silent'));

before(async () => {
  db = await freshDatabase('inventory_race', [...messagingMigrations, ...(await readMigrations(fileURLToPath(new URL('../../migrations', import.meta.url))))]);
});
after(async () => {
  await db?.drop();
});

const deliver = (message: Message) =>
  withTransaction(db.pool, async (tx) => {
    const fresh = await tx.query('INSERT INTO inbox (consumer, message_id, message_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', ['test', message.messageId, message.type]);
    if (fresh.rowCount === 1) await commands.handle(message, tx);
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
});
