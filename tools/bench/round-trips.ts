/**
 * Round trips per transaction (ADR 0026): one consumer hop's statements (inbox
 * claim, row lock, a write, an outbox insert) in a transaction, three ways,
 * interleaved in turns of `--block` transactions so that whatever else the
 * machine does falls on all three alike:
 *   plain     statement by statement: BEGIN, four statements, COMMIT (six round trips)
 *   gathered  withTransaction on createPool, the two pairs issued together (three)
 *   pgpipe    pg's own pipeline mode, the same pairs issued together (six Syncs, three waits)
 * Each is one connection; its CPU is the client's (this process, per turn) and its backend's (/proc).
 *
 *   npm run bench -- round-trips [--rounds 30] [--block 100]
 */
import { createPool, withTransaction } from '@shopfront/postgres';
import { freshDatabase } from '@shopfront/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';

export function parseRoundTripArgs(args: string[]): { rounds: number; block: number } {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '30' }, block: { type: 'string', default: '100' } } });
  const rounds = Number(values.rounds);
  const block = Number(values.block);
  if (!(rounds > 0 && block > 0)) throw new Error('--rounds and --block must be positive numbers');
  return { rounds, block };
}

const statements = {
  claim: 'INSERT INTO inbox (id, consumer) SELECT id, $2 FROM unnest($1::uuid[]) AS m(id) ON CONFLICT DO NOTHING RETURNING id',
  lock: 'SELECT * FROM state WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE',
  write: 'UPDATE state SET v = v + 1 WHERE id = ANY($1::int[])',
  outbox: 'INSERT INTO outbox (payload) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(payload jsonb) RETURNING id',
};
const payload = JSON.stringify([{ payload: { type: 'StockReserved', data: { orderId: randomUUID(), items: [{ sku: 'SKU-001', quantity: 1 }] } } }]);
/** Named as createPool names them, so every way prepares its statements once per connection. */
const named = (text: string, values: unknown[]) => ({ text, values, name: `rt_${Object.values(statements).indexOf(text)}` });

const cpuMsOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

export async function benchRoundTrips({ rounds, block }: { rounds: number; block: number }): Promise<Record<string, unknown>> {
  const db = await freshDatabase('bench_round_trips', [
    {
      id: '001_hop',
      sql: `CREATE TABLE inbox (id uuid PRIMARY KEY, consumer text); CREATE TABLE outbox (id bigserial PRIMARY KEY, payload jsonb);
            CREATE TABLE state (id int PRIMARY KEY, v int); INSERT INTO state SELECT g, 0 FROM generate_series(1, 100) g`,
    },
  ]);
  const pools = { plain: new pg.Pool({ connectionString: db.url, max: 1 }), gathered: createPool(db.url, { max: 1 }), pgpipe: new pg.Pool({ connectionString: db.url, max: 1, pipeline: true } as pg.PoolConfig) };
  try {
    let next = 0;
    const key = () => [1 + (next++ % 100)];
    const hops: Record<keyof typeof pools, () => Promise<unknown>> = {
      plain: () =>
        withTransaction(pools.plain, async (tx) => {
          const k = key();
          await tx.query(named(statements.claim, [[randomUUID()], 'bench']));
          await tx.query(named(statements.lock, [k]));
          await tx.query(named(statements.write, [k]));
          await tx.query(named(statements.outbox, [payload]));
        }),
      gathered: () =>
        withTransaction(pools.gathered, async (tx) => {
          const k = key();
          await Promise.all([tx.query(statements.claim, [[randomUUID()], 'bench']), tx.query(statements.lock, [k])]);
          await Promise.all([tx.query(statements.write, [k]), tx.query(statements.outbox, [payload])]);
        }),
      pgpipe: async () => {
        const k = key();
        const client = await pools.pgpipe.connect();
        try {
          await Promise.all([client.query('BEGIN'), client.query(named(statements.claim, [[randomUUID()], 'bench'])), client.query(named(statements.lock, [k]))]);
          await Promise.all([client.query(named(statements.write, [k])), client.query(named(statements.outbox, [payload]))]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
    };
    const ways = Object.keys(pools) as (keyof typeof pools)[];
    const backends: Record<string, number> = {};
    for (const way of ways) {
      backends[way] = (await pools[way].query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      for (let i = 0; i < 200; i++) await hops[way](); // warm-up: JIT, prepared statements
    }
    const totals = Object.fromEntries(ways.map((way) => [way, { clientMs: 0, backendMs: 0, wallMs: 0, transactions: 0 }]));
    for (let round = 1; round <= rounds; round++) {
      for (const way of ways) {
        const cpu = process.cpuUsage();
        const backend = cpuMsOf(backends[way]!);
        const started = performance.now();
        for (let i = 0; i < block; i++) await hops[way]();
        const used = process.cpuUsage(cpu);
        const total = totals[way]!;
        total.clientMs += (used.user + used.system) / 1000;
        total.backendMs += cpuMsOf(backends[way]!) - backend;
        total.wallMs += performance.now() - started;
        total.transactions += block;
      }
      if (round % 5 === 0 || round === rounds) console.log(`  round ${round}/${rounds}`);
    }
    const result: Record<string, unknown> = { rounds, block };
    for (const way of ways) {
      const { clientMs, backendMs, wallMs, transactions } = totals[way]!;
      const figures = { transactionsPerSecond: Math.round((transactions / wallMs) * 1000), clientUsPerTransaction: Math.round((clientMs / transactions) * 1000), backendUsPerTransaction: Math.round((backendMs / transactions) * 1000) };
      result[way] = figures;
      console.log(`  ${way.padEnd(9)} ${String(figures.transactionsPerSecond).padStart(5)} tx/s   client ${String(figures.clientUsPerTransaction).padStart(5)} µs/tx   backend ${String(figures.backendUsPerTransaction).padStart(5)} µs/tx`);
    }
    return result;
  } finally {
    await Promise.all(Object.values(pools).map((pool) => pool.end()));
    await db.drop();
  }
}
