/**
 * A consumer batch's sagas on real Postgres: read and locked once, moved in
 * memory, written once; nothing of a rolled-back batch survives on the
 * pooled connection; two batches naming the same sagas in opposite orders
 * queue instead of deadlocking. The row lock alone serialises moves; a saga
 * started twice at once, with no row to lock yet, is a SAGA_CONFLICT.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { messagingMigrations, TransientError } from '@shopfront/messaging';
import { dropWrites, holdWrites, readMigrations, releaseWrites, withTransaction, type Sql } from '@shopfront/postgres';
import { freshDatabase, sequentialScans, type TestDatabase } from '@shopfront/testing';
import { OrchestratorError } from '../domain/errors.js';
import { evolve, type Saga } from '../domain/saga.js';
import { order } from '../test/sagas.js';
import { lockSagasOfBatch, writeSagasOfBatch } from './saga-batch.js';
import { findSaga, findSagaForUpdate, insertSaga, updateSaga } from './sagas.repository.js';

let db: TestDatabase;

before(async () => {
  db = await freshDatabase('saga_batch', [...messagingMigrations, ...(await readMigrations(fileURLToPath(new URL('../../migrations', import.meta.url))))]);
});
after(async () => {
  await db?.drop();
});

const started = (orderId: string): Saga =>
  evolve(undefined, { type: 'SagaStarted', orderId, at: new Date(), data: { clientId: order.clientId, customerId: order.customerId, items: order.items, total: order.total, card: order.payment, address: order.shippingAddress } });
const tried = (saga: Saga): Saga => evolve(saga, { type: 'StepTried', step: 'reserveStock', deadlineAt: new Date(Date.now() + 5_000) });

/** A batch as the consumer runs it: a unit of work around open, moves and close. */
async function inBatch<T>(orderIds: string[], work: (tx: Sql) => Promise<T>): Promise<T> {
  return withTransaction(db.pool, async (tx) => {
    holdWrites(tx);
    try {
      await lockSagasOfBatch(tx, orderIds);
      const result = await work(tx);
      await writeSagasOfBatch(tx);
      await releaseWrites(tx);
      return result;
    } finally {
      dropWrites(tx);
    }
  });
}

describe('sagas of a consumer batch', () => {
  it('given a batch that starts a saga and moves it twice, then moves read the batch state and the table gets one row at the last version only at the end', async () => {
    const orderId = randomUUID();
    const seenMidway = await inBatch([orderId], async (tx) => {
      const version = await insertSaga(tx, started(orderId));
      const moved = tried((await findSagaForUpdate(tx, orderId))!.saga);
      const next = await updateSaga(tx, moved, version);
      await updateSaga(tx, { ...moved, attempt: 2 }, next);
      assert.equal((await findSagaForUpdate(tx, orderId))?.saga.attempt, 2, 'a move reads what the batch wrote before it');
      return (await tx.query('SELECT count(*)::int AS n FROM sagas WHERE order_id = $1', [orderId])).rows[0].n as number;
    });
    assert.equal(seenMidway, 0, 'nothing is written before the batch closes');
    const stored = await findSaga(db.pool, orderId);
    assert.equal(stored?.version, 3);
    assert.equal(stored?.saga.phase, 'ACTION');
    assert.equal(stored?.saga.attempt, 2);
  });

  it('given a batch rolled back, when its connection runs a transaction without a batch, then that one reads and writes the table', async () => {
    const orderId = randomUUID();
    await withTransaction(db.pool, (tx) => insertSaga(tx, started(orderId)));
    await assert.rejects(inBatch([orderId], async (tx) => {
      await updateSaga(tx, tried((await findSagaForUpdate(tx, orderId))!.saga), 1);
      throw new Error('the batch fails');
    }));
    // The pool has one idle client left from the failed batch; every later transaction may get it.
    for (let i = 0; i < 3; i++) {
      await withTransaction(db.pool, async (tx) => {
        const stored = await findSagaForUpdate(tx, orderId);
        assert.equal(stored?.version, 1 + i);
        await updateSaga(tx, { ...stored!.saga, attempt: i }, stored!.version);
      });
    }
    assert.equal((await findSaga(db.pool, orderId))?.version, 4);
  });

  it('given two batches naming the same sagas in opposite orders, when run at once many times, then none deadlocks and no move is lost', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await withTransaction(db.pool, (tx) => insertSaga(tx, started(id)));
    const move = (orderIds: string[]) =>
      inBatch(orderIds, async (tx) => {
        for (const id of orderIds) {
          const stored = (await findSagaForUpdate(tx, id))!;
          await updateSaga(tx, { ...stored.saga, attempt: stored.saga.attempt + 1 }, stored.version);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      });
    await Promise.all(Array.from({ length: 10 }, (_, i) => move(i % 2 === 0 ? ids : [...ids].reverse())));
    for (const id of ids) assert.equal((await findSaga(db.pool, id))?.saga.attempt, 10);
  });

  it('given ten moves of one saga at once outside a batch (poller, operator), then each waits for the row lock and none is lost', async () => {
    const orderId = randomUUID();
    await withTransaction(db.pool, (tx) => insertSaga(tx, started(orderId)));
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withTransaction(db.pool, async (tx) => {
          const stored = (await findSagaForUpdate(tx, orderId))!;
          await new Promise((resolve) => setTimeout(resolve, 2));
          await updateSaga(tx, { ...stored.saga, attempt: stored.saga.attempt + 1 }, stored.version);
        }),
      ),
    );
    const stored = await findSaga(db.pool, orderId);
    assert.equal(stored?.saga.attempt, 10);
    assert.equal(stored?.version, 11);
  });

  it('given two batches starting one saga at once, then one writes it and the other, with no row to lock, gets a SAGA_CONFLICT', async () => {
    const orderId = randomUUID();
    let arrived = 0;
    let bothStarted: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (bothStarted = resolve));
    const start = () =>
      inBatch([orderId], async (tx) => {
        await insertSaga(tx, started(orderId));
        if (++arrived === 2) bothStarted();
        await barrier;
      });
    const results = await Promise.allSettled([start(), start()]);
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    const lost = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    // Transient: the consumer retries the batch, which then finds the row and decides again.
    assert.ok(lost.reason instanceof TransientError, String(lost.reason));
    assert.ok(lost.reason.cause instanceof OrchestratorError && lost.reason.cause.code === 'SAGA_CONFLICT', String(lost.reason.cause));
    assert.equal((await findSaga(db.pool, orderId))?.version, 1);
  });

  it('given thousands of sagas, when a batch writes its moves back, then it reaches them by key instead of scanning the table', async () => {
    await db.pool.query(`INSERT INTO sagas (order_id, status, phase, step_index, steps_done, version, data, started_at)
                         SELECT gen_random_uuid(), 'CONFIRMED', 'NONE', 4, '{}', 1, '{}'::jsonb, now() FROM generate_series(1, 3000)`);
    await db.pool.query('ANALYZE sagas');
    const orderId = randomUUID();
    await inBatch([orderId], (tx) => insertSaga(tx, started(orderId)));
    const scans = await withTransaction(db.pool, async (tx) => {
      holdWrites(tx);
      try {
        const before = await sequentialScans(tx, 'sagas');
        await lockSagasOfBatch(tx, [orderId]);
        const { saga, version } = (await findSagaForUpdate(tx, orderId))!;
        await updateSaga(tx, tried(saga), version);
        await writeSagasOfBatch(tx);
        await releaseWrites(tx);
        return (await sequentialScans(tx, 'sagas')) - before;
      } finally {
        dropWrites(tx);
      }
    });
    assert.equal(scans, 0, 'the write-back scanned the sagas table');
    assert.equal((await findSaga(db.pool, orderId))?.saga.phase, 'ACTION', 'the move was written');
  });
});
