/** A transaction's statements gathered into round trips, against the real server (gathered.ts, pipeline.ts). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPool, withTransaction } from './pool.js';

// Not @shopfront/testing: it depends on this lib.
const url = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const table = `pipeline_${randomUUID().slice(0, 8)}`;
let pool: pg.Pool;

before(async () => {
  pool = createPool(url, { max: 1, name: 'pipeline-int' });
  await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, note text, big bigint)`);
});
after(async () => {
  await pool?.query(`DROP TABLE IF EXISTS ${table}`);
  await pool?.query(`DROP TABLE IF EXISTS ${table}_later`);
  await pool?.end();
});

/** Runs `work` in a transaction and counts the server's ReadyForQuery answers on its connection: one per round trip, the COMMIT's included. */
async function roundTrips<T>(work: (tx: pg.PoolClient) => Promise<T>): Promise<{ result: T; trips: number }> {
  let trips = 0;
  let connection: { on: (event: string, listener: () => void) => void; off: (event: string, listener: () => void) => void } | undefined;
  const count = () => void trips++;
  const result = await withTransaction(pool, async (tx) => {
    connection = (tx as unknown as { connection: NonNullable<typeof connection> }).connection;
    connection.on('readyForQuery', count);
    return work(tx);
  }).finally(() => connection?.off('readyForQuery', count));
  return { result, trips };
}

const count = async () => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

describe('a transaction of withTransaction', () => {
  it('given a first statement and then two issued together, then they take two round trips and the COMMIT a third, and each gets its own result', async () => {
    const { result, trips } = await roundTrips(async (tx) => {
      const first = await tx.query<{ big: number }>('SELECT $1::bigint AS big', [9_007_199_254_740_000]);
      const [inserted, selected] = await Promise.all([
        tx.query(`INSERT INTO ${table} (id, note) VALUES ($1, $2), ($3, $4)`, [1, 'one', 2, 'two']),
        tx.query<{ note: string }>(`SELECT note FROM ${table} WHERE id = ANY($1::int[]) ORDER BY id`, [[1, 2]]),
      ]);
      return { first: first.rows, inserted: inserted.rowCount, selected: selected.rows.map((row) => row.note) };
    });
    assert.deepEqual(result, { first: [{ big: 9_007_199_254_740_000 }], inserted: 2, selected: ['one', 'two'] }, 'types parsed as the pool parses them; the insert was seen by the select after it');
    assert.equal(trips, 3, 'BEGIN went with the first statement; four statements one at a time would take six');
    assert.equal(await count(), 2, 'committed');
    await pool.query(`DELETE FROM ${table}`);
  });

  it('given a statement that fails among statements issued together, then it gets the server error, the later one is skipped with that same error, and the transaction rolls back', async () => {
    const outcomes: unknown[] = [];
    const failure = await withTransaction(pool, async (tx) => {
      const settled = await Promise.allSettled([
        tx.query(`INSERT INTO ${table} (id) VALUES ($1)`, [10]),
        tx.query(`INSERT INTO ${table} (id) VALUES ($1)`, [10]),
        tx.query(`INSERT INTO ${table} (id) VALUES ($1)`, [11]),
      ]);
      outcomes.push(...settled.map((entry) => (entry.status === 'fulfilled' ? entry.value.rowCount : entry.reason)));
      throw (settled[1] as PromiseRejectedResult).reason;
    }).catch((error: unknown) => error);
    assert.equal(outcomes[0], 1);
    assert.ok(outcomes[1] instanceof pg.DatabaseError && outcomes[1].code === '23505', `the duplicate key: ${String(outcomes[1])}`);
    // Skipped by the server, it fails with the cause: a Promise.all that hears it first still sees the real error.
    assert.equal(outcomes[2], outcomes[1], 'the statement after the failure carries the failure itself');
    assert.equal(failure, outcomes[1]);
    assert.equal(await count(), 0, 'nothing of it was committed');
  });

  it('given work that runs no statement, then nothing reaches the server, and the connection serves the next transaction', async () => {
    const { trips } = await roundTrips(async () => 'nothing');
    assert.equal(trips, 0, 'neither BEGIN nor COMMIT');
    const { rows } = await withTransaction(pool, (tx) => tx.query<{ status: string }>("SELECT current_setting('transaction_isolation') AS status"));
    assert.equal(rows[0]!.status, 'read committed');
  });

  it('given a statement that cannot be gathered (several in one text), then it runs in its place, inside the transaction', async () => {
    const { trips } = await roundTrips(async (tx) => {
      await tx.query(`INSERT INTO ${table} (id) VALUES (20); INSERT INTO ${table} (id) VALUES (21)`);
      await tx.query(`INSERT INTO ${table} (id) VALUES ($1)`, [22]);
      throw new Error('roll it all back');
    }).catch(() => ({ trips: -1 }));
    assert.equal(trips, -1);
    assert.equal(await count(), 0, 'the multi-statement text ran in the transaction, and was rolled back with it');
  });

  it('given a prepared statement whose pipeline failed, then its next use prepares it again and runs', async () => {
    const later = `${table}_later`;
    const text = `INSERT INTO ${later} (id) VALUES ($1)`;
    // The table does not exist yet: the statement's Parse fails (and a Parse of a good one before it may or may not stand).
    const missing = await withTransaction(pool, (tx) => Promise.all([tx.query(`SELECT $1::int AS one`, [1]), tx.query(text, [1])])).catch((error: unknown) => error);
    assert.ok(missing instanceof pg.DatabaseError && missing.code === '42P01', `undefined table: ${String(missing)}`);
    // Outside a transaction too (pg's own path would Parse the name again, and the good one exists).
    const alone = await pool.query<{ one: number }>(`SELECT $1::int AS one`, [7]);
    assert.deepEqual(alone.rows, [{ one: 7 }]);
    await pool.query(`CREATE TABLE ${later} (id int PRIMARY KEY)`);
    const { result } = await roundTrips((tx) => Promise.all([tx.query(`SELECT $1::int AS one`, [1]), tx.query(text, [2])]));
    assert.deepEqual([result[0].rows, result[1].rowCount], [[{ one: 1 }], 1]);
  });
});
