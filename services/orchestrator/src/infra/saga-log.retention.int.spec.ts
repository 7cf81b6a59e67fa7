import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { messagingMigrations } from '@shopfront/messaging';
import { readMigrations } from '@shopfront/postgres';
import { freshDatabase, type TestDatabase } from '@shopfront/testing';
import { pruneSagaLog } from './saga-log.retention.js';

let db: TestDatabase;

before(async () => {
  db = await freshDatabase('saga_log_retention', [...messagingMigrations, ...(await readMigrations(fileURLToPath(new URL('../../migrations', import.meta.url))))]);
});
after(async () => {
  await db?.drop();
});

/** A saga in `status`, last moved `daysAgo`, with three log rows. */
async function sagaWithLog(status: string, daysAgo: number): Promise<string> {
  const orderId = randomUUID();
  const phase = status === 'RUNNING' ? 'ACTION' : 'NONE';
  await db.pool.query(
    `INSERT INTO sagas (order_id, status, phase, step_index, version, data, started_at, updated_at, deadline_at)
     VALUES ($1, $2, $3, 0, 1, '{}', now() - make_interval(days => $4), now() - make_interval(days => $4), CASE WHEN $3 = 'NONE' THEN NULL ELSE now() END)`,
    [orderId, status, phase, daysAgo],
  );
  for (let i = 0; i < 3; i++) {
    await db.pool.query(`INSERT INTO saga_log (order_id, input, event, detail, status, phase, version) VALUES ($1, 'OrderPlaced', 'SagaStarted', '{}', $2, $3, $4)`, [orderId, status, phase, i + 1]);
  }
  return orderId;
}

const logRows = async (orderId: string) => Number((await db.pool.query('SELECT count(*) FROM saga_log WHERE order_id = $1', [orderId])).rows[0].count);

describe('the saga log retention', () => {
  it('given sagas settled before and within the retention, and one still running, then only the log of those settled before it is pruned, and saga rows stay', async () => {
    const oldConfirmed = await sagaWithLog('CONFIRMED', 40);
    const oldCancelled = await sagaWithLog('CANCELLED', 31);
    const recent = await sagaWithLog('CONFIRMED', 2);
    const running = await sagaWithLog('RUNNING', 40);

    assert.equal(await pruneSagaLog(db.pool, 30), 6);
    assert.deepEqual(await Promise.all([oldConfirmed, oldCancelled, recent, running].map(logRows)), [0, 0, 3, 3]);
    assert.equal(Number((await db.pool.query('SELECT count(*) FROM sagas')).rows[0].count), 4);
    assert.equal(await pruneSagaLog(db.pool, 30), 0, 'a second pass finds nothing');
  });
});
