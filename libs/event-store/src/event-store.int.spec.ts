/**
 * The event store on the real Postgres: optimistic concurrency, gap-safe
 * reading under out-of-order commits, checkpointed projections and rebuilds.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { withTransaction } from '@shopfront/postgres';
import { eventually, freshDatabase, sequentialScans, type TestDatabase } from '@shopfront/testing';
import {
  appendToStream,
  applyBatch,
  ensureProjection,
  EventStoreError,
  eventStoreMigrations,
  hasPendingEvents,
  projectionChecksum,
  ProjectionRunner,
  readAll,
  readStream,
  rebuildProjection,
  startOfStore,
  type Projection,
} from './index.js';

let db: TestDatabase;
before(async () => {
  db = await freshDatabase('event_store', eventStoreMigrations);
});
after(async () => {
  await db?.drop();
});

const counted = (n: number) => ({ type: 'Counted', data: { n }, schemaVersion: 1 });

/** A projection that records every event it sees, in the order it saw them. */
const seen: Projection = {
  name: 'seen',
  handles: ['Counted'],
  tables: ['seen'],
  tablesSql: 'CREATE TABLE IF NOT EXISTS seen (position bigint PRIMARY KEY, stream text NOT NULL, n int NOT NULL)',
  async apply(tx, event) {
    await tx.query('INSERT INTO seen VALUES ($1, $2, $3)', [event.globalPosition, event.streamId, (event.data as { n: number }).n]);
  },
};

describe('appendToStream', () => {
  it('given 16 writers at one expected version, when they append at once, then exactly one wins and the others get a typed conflict', async () => {
    const stream = `race-${randomUUID()}`;
    await appendToStream(db.pool, stream, 'no_stream', [counted(0)]);
    const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => appendToStream(db.pool, stream, 1, [counted(i + 1)])));
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason);
    assert.equal(won.length, 1);
    assert.equal(lost.length, 15);
    assert.ok(lost.every((error) => error instanceof EventStoreError && error.code === 'CONCURRENCY_CONFLICT'));
    assert.equal((await readStream(db.pool, stream)).version, 2);
  });

  it('given a stale expected version that points past the end, when appended, then it conflicts instead of leaving a gap', async () => {
    const stream = `gap-${randomUUID()}`;
    await appendToStream(db.pool, stream, 'no_stream', [counted(1)]);
    await assert.rejects(appendToStream(db.pool, stream, 5, [counted(2)]), (error: unknown) => error instanceof EventStoreError && error.code === 'CONCURRENCY_CONFLICT');
    await assert.rejects(appendToStream(db.pool, stream, 'no_stream', [counted(2)]), EventStoreError);
  });
});

describe('gap-safe reading', () => {
  it('given a slow transaction that took an earlier position commits after a faster one, when a projection runs in between, then it misses neither event', async () => {
    await ensureProjection(db.pool, seen);
    await applyBatch(db.pool, seen); // catch up on earlier tests' events
    const slow = await db.pool.connect();
    try {
      await slow.query('BEGIN');
      await appendToStream(slow, `slow-${randomUUID()}`, 'no_stream', [counted(100)]); // takes the lower position, stays uncommitted
      await appendToStream(db.pool, `fast-${randomUUID()}`, 'no_stream', [counted(200)]); // higher position, committed at once

      // A reader by position alone would now read 200 and later skip 100 for good.
      const whileSlowIsOpen = await applyBatch(db.pool, seen);
      assert.equal(whileSlowIsOpen, 0, 'the fast event waits until the slow transaction is decided');
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    await applyBatch(db.pool, seen);
    const { rows } = await db.pool.query<{ n: number }>('SELECT n FROM projection_seen.seen WHERE n IN (100, 200) ORDER BY n');
    assert.deepEqual(rows.map((row) => row.n), [100, 200]);
  });

  it('given a transaction that rolls back, when read, then its events never appear and the reader moves on', async () => {
    await withTransaction(db.pool, async (tx) => {
      await appendToStream(tx, `ghost-${randomUUID()}`, 'no_stream', [counted(300)]);
      throw new Error('roll back');
    }).catch(() => undefined);
    await appendToStream(db.pool, `after-${randomUUID()}`, 'no_stream', [counted(301)]);
    const events = await readAll(db.pool, startOfStore, 10_000);
    const ns = events.map((event) => (event.data as { n: number }).n);
    assert.ok(!ns.includes(300));
    assert.ok(ns.includes(301));
  });
});

type RunnerCall = 'look' | 'apply';

/** The test pool, telling of each call a runner makes: `query` is its look (hasPendingEvents), `connect` its transaction (applyBatch). */
function watchedPool(tell: (call: RunnerCall) => void): typeof db.pool {
  return new Proxy(db.pool, {
    get(target, property) {
      if (property === 'query') return (...args: Parameters<typeof target.query>) => (tell('look'), target.query(...args));
      if (property === 'connect') return () => (tell('apply'), target.connect());
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('ProjectionRunner', () => {
  it('given nothing new, when it polls, then it writes nothing; given an event, then it applies it', async () => {
    // `seen` under another name: its own checkpoint, and its tables in the schema projection_quiet.
    const quiet: Projection = { ...seen, name: 'quiet' };
    const runner = new ProjectionRunner({ pool: db.pool, projections: [quiet], pollIntervalMs: 20, idlePollIntervalMs: 20 });
    await runner.start();
    try {
      await eventually(async () => (await db.pool.query('SELECT 1 FROM projection_quiet.seen')).rowCount! > 0, { what: 'the events before it applied', timeoutMs: 10_000 });
      // A poll that locks the checkpoint row (SELECT … FOR UPDATE) leaves its xid as the row's xmax, poll after poll.
      const lockerOf = async () => (await db.pool.query<{ xmax: string }>("SELECT xmax::text FROM projection_checkpoints WHERE name = 'quiet'")).rows[0]!.xmax;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = await lockerOf();
      await new Promise((resolve) => setTimeout(resolve, 300)); // some fifteen polls
      assert.equal(await lockerOf(), before, 'idle polls took the checkpoint lock');

      await appendToStream(db.pool, `quiet-${randomUUID()}`, 'any', [counted(4242)]);
      await eventually(async () => (await db.pool.query('SELECT 1 FROM projection_quiet.seen WHERE n = 4242')).rowCount === 1, { what: 'the new event applied', timeoutMs: 5_000 });
    } finally {
      await runner.stop();
    }
  });
  it('given it has caught up after applying, then it waits its busy interval before it looks again, so appends meanwhile share one transaction', async () => {
    const paced: Projection = { ...seen, name: 'paced' };
    const looks: number[] = [];
    const applies: number[] = [];
    const pool = watchedPool((call) => (call === 'look' ? looks : applies).push(performance.now()));
    const runner = new ProjectionRunner({ pool, projections: [paced], pollIntervalMs: 400, idlePollIntervalMs: 400 });
    await runner.start();
    try {
      await eventually(async () => (await db.pool.query('SELECT 1 FROM projection_paced.seen')).rowCount! > 0, { what: 'the events before it applied', timeoutMs: 10_000 });
      await appendToStream(db.pool, `paced-${randomUUID()}`, 'any', [counted(5151)]);
      await eventually(async () => (await db.pool.query('SELECT 1 FROM projection_paced.seen WHERE n = 5151')).rowCount === 1, { what: 'the new event applied', timeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const applied = applies.at(-1)!;
      assert.deepEqual(looks.filter((at) => at > applied && at < applied + 300), [], 'it looked again right after applying');
    } finally {
      await runner.stop();
    }
  });
  it('given events keep coming, then it applies without asking first; once they stop, it asks again and takes no lock', async () => {
    const steady: Projection = { ...seen, name: 'steady' };
    const calls: RunnerCall[] = [];
    const pool = watchedPool((call) => calls.push(call));
    const runner = new ProjectionRunner({ pool, projections: [steady], pollIntervalMs: 50, idlePollIntervalMs: 50 });
    await runner.start();
    try {
      await eventually(async () => (await db.pool.query('SELECT 1 FROM projection_steady.seen')).rowCount! > 0, { what: 'the events before it applied', timeoutMs: 10_000 });
      calls.length = 0;
      // An append every 20 ms for 600 ms: every round of the runner finds some.
      for (let i = 0; i < 30; i++) {
        await appendToStream(db.pool, `steady-${randomUUID()}`, 'any', [counted(7000 + i)]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const busy = [...calls];
      await eventually(async () => (await db.pool.query('SELECT 1 FROM projection_steady.seen WHERE n = 7029')).rowCount === 1, { what: 'the last event applied', timeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      calls.length = 0;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const quiet = [...calls];
      const count = (of: RunnerCall[], what: RunnerCall) => of.filter((call) => call === what).length;
      assert.ok(count(busy, 'apply') >= 5, `it applied ${count(busy, 'apply')} times under load`);
      assert.ok(count(busy, 'look') < count(busy, 'apply') / 2, `it asked ${count(busy, 'look')} times under load (${busy.join(',')})`);
      assert.equal(count(quiet, 'apply'), 0, `it locked the checkpoint with nothing to apply (${quiet.join(',')})`);
      assert.ok(count(quiet, 'look') >= 2, 'it stopped asking once idle');
    } finally {
      await runner.stop();
    }
  });
});

describe('rebuildProjection', () => {
  it('given a live projection, when rebuilt from zero, then the new model has the same checksum and replaces the old one', async () => {
    for (let i = 0; i < 200; i++) await appendToStream(db.pool, `bulk-${i}`, 'any', [counted(1000 + i)]);
    while ((await applyBatch(db.pool, seen)) > 0);
    const before = await projectionChecksum(db.pool, seen);
    const report = await rebuildProjection(db.pool, seen);
    assert.equal(report.swapped, true);
    assert.equal(report.comparable, true);
    assert.equal(report.checksum, report.liveChecksumBefore);
    assert.equal(await projectionChecksum(db.pool, seen), before);
    assert.ok(report.events >= 200);
  });
});

describe('hasPendingEvents', () => {
  it('given thousands of events behind the checkpoint, when a projection asks whether any is pending, then it reads the index, not the whole table', async () => {
    const caughtUp: Projection = { ...seen, name: 'caught_up' };
    await db.pool.query(`INSERT INTO events (message_id, stream_id, stream_version, type, schema_version, data)
                         SELECT gen_random_uuid(), 'many-' || n, 1, 'Counted', 1, jsonb_build_object('n', n) FROM generate_series(1, 3000) AS n`);
    await db.pool.query('ANALYZE events');
    await ensureProjection(db.pool, caughtUp);
    while ((await applyBatch(db.pool, caughtUp)) > 0);
    const { pending, scans } = await withTransaction(db.pool, async (tx) => {
      const before = await sequentialScans(tx, 'events');
      const pending = await hasPendingEvents(tx, caughtUp);
      return { pending, scans: (await sequentialScans(tx, 'events')) - before };
    });
    assert.equal(pending, false);
    assert.equal(scans, 0, 'the peek scanned the events table');
  });
});
