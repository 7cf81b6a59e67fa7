/** The pool against the real server: what happens to a connection that stops answering. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { isConnectionLost } from './errors.js';
import { createPool, withTransaction } from './pool.js';
import { statementName } from './prepared.js';

// Not @shopfront/testing: it depends on this lib.
const url = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let pool: pg.Pool;

before(() => {
  pool = createPool(url, { max: 1, name: 'pool-int', queryTimeoutMs: 300 });
});
after(async () => {
  await pool?.end();
});

describe('a pool whose server stops answering', () => {
  it('given a statement with no answer within the query timeout, then the transaction fails as a lost connection, that connection is discarded, and the next one answers its own query', async () => {
    const started = Date.now();
    const failure = await withTransaction(pool, (tx) => tx.query('SELECT pg_sleep(2)')).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof Error && isConnectionLost(failure), `a lost connection: ${String(failure)}`);
    assert.ok(Date.now() - started < 1_500, 'it gave up at the query timeout, not when the server answered');
    assert.equal(pool.totalCount, 0, 'the connection was discarded, not handed back');
    // Had it been reused, the late pg_sleep answer could be taken for this query's.
    const { rows } = await withTransaction(pool, (tx) => tx.query<{ answer: number }>('SELECT 42 AS answer'));
    assert.deepEqual(rows, [{ answer: 42 }]);
  });
});

describe('a pool whose connection is terminated between the queries of a transaction', () => {
  it('given pg_terminate_backend while the transaction waits on other work, then the transaction fails as a lost connection and the pool serves again', async () => {
    const admin = createPool(url, { max: 1, name: 'pool-int-admin' });
    try {
      const failure = await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        // Idle in the transaction, as while a batch is sent to Kafka: the FATAL arrives with no query running.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.query('SELECT 1');
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof Error && isConnectionLost(failure), `a lost connection: ${String(failure)}`);
      const { rows } = await withTransaction(pool, (tx) => tx.query<{ answer: number }>('SELECT 7 AS answer'));
      assert.deepEqual(rows, [{ answer: 7 }]);
    } finally {
      await admin.end();
    }
  });
});

describe('a pool with session settings', () => {
  it('given settings, then every session of the pool runs with them and other pools keep the server default', async () => {
    const relaxed = createPool(url, { max: 1, name: 'pool-int-settings', settings: { synchronous_commit: 'off' } });
    try {
      const show = async (target: pg.Pool) => (await target.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit;
      assert.equal(await show(relaxed), 'off');
      assert.equal(await withTransaction(relaxed, async (tx) => (await tx.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit), 'off');
      assert.equal(await show(pool), 'on');
    } finally {
      await relaxed.end();
    }
  });
});

describe('statements with parameters', () => {
  it('given the same text run twice on one connection, then it is prepared once under its derived name and both runs answer their own values', async () => {
    const prepared = createPool(url, { max: 1, name: 'pool-int-prepared' });
    try {
      const text = 'SELECT $1::int * 2 AS doubled';
      const first = await prepared.query<{ doubled: number }>(text, [2]);
      const second = await prepared.query<{ doubled: number }>({ text, values: [21] });
      assert.deepEqual([first.rows[0]!.doubled, second.rows[0]!.doubled], [4, 42]);
      const { rows } = await prepared.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');
      assert.deepEqual(rows, [{ name: statementName(text), statement: text }], 'one prepared statement, named from its text');
      // No parameters: the simple protocol, several statements in one text, nothing prepared.
      await prepared.query('SELECT 1; SELECT 2');
      assert.equal((await prepared.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0].n, 1);
    } finally {
      await prepared.end();
    }
  });
});
