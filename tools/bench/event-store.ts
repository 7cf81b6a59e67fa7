/**
 * Event store benchmark: single-event appends with expected-version checks at
 * 16 concurrent writers, against raw INSERTs of the same rows into an
 * identical table, in the same run and interleaved (raw, store, raw, store),
 * so the ratio holds whatever else the machine is doing.
 */
import { appendToStream, eventStoreMigrations } from '@shopfront/event-store';
import { freshDatabase } from '@shopfront/testing';
import { randomUUID } from 'node:crypto';

const writers = Number(process.env.BENCH_WRITERS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const data = { orderId: randomUUID(), items: [{ sku: 'SKU-001', quantity: 2 }], note: 'benchmark' };

export async function benchEventStore(): Promise<Record<string, unknown>> {
  const db = await freshDatabase('bench_es', [
    ...eventStoreMigrations,
    { id: '001_raw', sql: 'CREATE TABLE raw_events (LIKE events INCLUDING ALL)' },
  ]);
  try {
    const run = async (label: string, write: (writer: number, version: number) => Promise<void>) => {
      let count = 0;
      const deadline = Date.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          for (let version = 0; Date.now() < deadline; version++) {
            await write(writer, version);
            count++;
          }
        }),
      );
      const perSecond = count / seconds;
      console.log(`  ${label.padEnd(34)} ${perSecond.toFixed(0).padStart(7)} /s`);
      return perSecond;
    };
    let round = 0;
    const store = (writer: number, version: number) =>
      appendToStream(db.pool, `bench-${round}-${writer}`, version === 0 ? 'no_stream' : version, [{ type: 'Benchmarked', data, schemaVersion: 1 }]).then(() => undefined);
    const raw = (writer: number, version: number) =>
      db.pool
        .query({
          // Prepared once per connection, like the store's own statements: the baseline gets every advantage the store has.
          name: 'bench.raw-insert',
          text: 'INSERT INTO raw_events (stream_id, stream_version, message_id, type, schema_version, data, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          values: [`bench-${round}-${writer}`, version + 1, randomUUID(), 'Benchmarked', 1, JSON.stringify(data), '{}'],
        })
        .then(() => undefined);
    const results = { raw: [] as number[], store: [] as number[] };
    for (round = 0; round < rounds; round++) {
      results.raw.push(await run(`raw INSERT (round ${round + 1})`, raw));
      results.store.push(await run(`append, expected version (round ${round + 1})`, store));
    }
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const appendsPerSecond = mean(results.store);
    const rawPerSecond = mean(results.raw);
    return { writers, secondsPerRound: seconds, appendsPerSecond: Math.round(appendsPerSecond), rawInsertsPerSecond: Math.round(rawPerSecond), ratio: Number((appendsPerSecond / rawPerSecond).toFixed(3)), targets: { ratio: 0.8, appendsPerSecond: 5000 } };
  } finally {
    await db.drop();
  }
}
