import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropWrites, heldWrite, holdPlace, holdWrites, releaseWrites, unitState } from './held-writes.js';
import type { Sql } from './pool.js';

/** A transaction that only counts statements: what is measured is when writes are made, not what Postgres does. */
const fakeTx = () => ({ query: async () => ({ rows: [], rowCount: 0 }) }) as unknown as Sql;

describe('held writes', () => {
  it('given no open unit of work, when rows are written, then they are written at once', async () => {
    const tx = fakeTx();
    const written: number[][] = [];
    await heldWrite(tx, 'outbox', [1, 2], async (_tx, rows) => void written.push(rows));
    assert.deepEqual(written, [[1, 2]]);
  });

  it('given an open unit, when several messages write, then each table gets one write at release, in first-written order', async () => {
    const tx = fakeTx();
    const written: [string, number[]][] = [];
    const to = (table: string) => async (_tx: Sql, rows: number[]) => void written.push([table, rows]);
    holdWrites(tx);
    await heldWrite(tx, 'outbox', [1], to('outbox'));
    await heldWrite(tx, 'saga_log', [10], to('saga_log'));
    await heldWrite(tx, 'outbox', [2, 3], to('outbox'));
    assert.deepEqual(written, []);
    await releaseWrites(tx);
    assert.deepEqual(written, [['outbox', [1, 2, 3]], ['saga_log', [10]]]);
    await heldWrite(tx, 'outbox', [4], to('outbox'));
    assert.deepEqual(written.at(-1), ['outbox', [4]], 'after release, writes are immediate again');
  });

  it('given a place held for a table before others are written, then its rows go first though added last, and a place left empty writes nothing', async () => {
    const tx = fakeTx();
    const written: string[] = [];
    const to = (table: string) => async () => void written.push(table);
    holdWrites(tx);
    holdPlace(tx, 'sagas', to('sagas'));
    holdPlace(tx, 'catalog', to('catalog'));
    await heldWrite(tx, 'saga_log', [1], to('saga_log'));
    await heldWrite(tx, 'sagas', [2], to('sagas'));
    await releaseWrites(tx);
    assert.deepEqual(written, ['sagas', 'saga_log']);
  });

  it('given several held tables, then their writes are all issued before the first one settles (so a transaction can send them in one round trip)', async () => {
    const tx = fakeTx();
    const issued: string[] = [];
    let settle: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (settle = resolve));
    const to = (table: string) => async () => {
      issued.push(table);
      await gate;
    };
    holdWrites(tx);
    await heldWrite(tx, 'outbox', [1], to('outbox'));
    await heldWrite(tx, 'saga_log', [2], to('saga_log'));
    const released = releaseWrites(tx);
    assert.deepEqual(issued, ['outbox', 'saga_log'], 'the second was issued while the first was still open');
    settle();
    await released;
  });

  it('given a unit dropped (rolled back), when the connection is used again, then nothing of it is written', async () => {
    const tx = fakeTx();
    const written: number[][] = [];
    holdWrites(tx);
    await heldWrite(tx, 'outbox', [1], async (_tx, rows) => void written.push(rows));
    dropWrites(tx);
    holdWrites(tx);
    await releaseWrites(tx);
    assert.deepEqual(written, []);
  });

  it('given unit state, then it lives exactly as long as its unit: none outside, gone after release or drop', () => {
    const tx = fakeTx();
    assert.equal(unitState.set(tx, 'sagas', 1), false, 'no unit open: nothing kept');
    assert.equal(unitState.get(tx, 'sagas'), undefined);
    holdWrites(tx);
    assert.equal(unitState.set(tx, 'sagas', 2), true);
    assert.equal(unitState.get(tx, 'sagas'), 2);
    dropWrites(tx);
    assert.equal(unitState.get(tx, 'sagas'), undefined, 'a rolled-back unit leaves nothing for the connection\'s next transaction');
    holdWrites(tx);
    unitState.set(tx, 'sagas', 3);
    void releaseWrites(tx);
    assert.equal(unitState.get(tx, 'sagas'), undefined);
  });
});
