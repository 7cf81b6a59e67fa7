import type { Sql } from './pool.js';

/**
 * Inserts held back until the end of a unit of work (a consumer's batch), then
 * made as one statement per table instead of one per message, still inside the
 * same transaction and before its commit. Each statement costs Postgres a parse,
 * a plan, an executor start and a round trip; a batch of fifty saga moves made
 * two hundred of them.
 *
 * Only for writes nothing in the unit of work reads back (outbox rows, logs,
 * timelines). Outside an open unit of work a write is made at once, so code that
 * holds its writes behaves the same when called on its own.
 */
interface Held {
  rows: unknown[];
  write: (tx: Sql, rows: unknown[]) => Promise<void>;
}

const units = new WeakMap<Sql, Map<string, Held>>();
/** State a unit of work keeps for its own length (see unitState); pooled clients outlive transactions, so it goes with the unit. */
const states = new WeakMap<Sql, Map<string, unknown>>();

/** Starts holding writes made through `tx`; a unit already open is discarded (a rolled-back attempt's leftovers). */
export function holdWrites(tx: Sql): void {
  units.set(tx, new Map());
  states.set(tx, new Map());
}

/**
 * Scratch state of the unit of work open on `tx` (rows a batch loaded once and
 * writes back once, say), gone when the unit ends, committed or not. Outside a
 * unit there is none: `set` answers false and `get` undefined.
 */
export const unitState = {
  get<T>(tx: Sql, key: string): T | undefined {
    return states.get(tx)?.get(key) as T | undefined;
  },
  set<T>(tx: Sql, key: string, value: T): boolean {
    const state = states.get(tx);
    state?.set(key, value);
    return state !== undefined;
  },
};

/**
 * Adds rows to the table's held write, or writes them at once when no unit of
 * work is open on `tx`. Every call for one `table` must pass the same `write`.
 */
export async function heldWrite<T>(tx: Sql, table: string, rows: T[], write: (tx: Sql, rows: T[]) => Promise<void>): Promise<void> {
  if (rows.length === 0) return;
  const unit = units.get(tx);
  if (!unit) return write(tx, rows);
  const held = unit.get(table);
  if (held) held.rows.push(...rows);
  else unit.set(table, { rows: [...rows], write: write as Held['write'] });
}

/**
 * Takes `table`'s place in the release order now, before it has rows: a table that others refer to by
 * foreign key (a saga and its log rows, say) must be written before them, yet may get its rows last.
 */
export function holdPlace<T>(tx: Sql, table: string, write: (tx: Sql, rows: T[]) => Promise<void>): void {
  const unit = units.get(tx);
  if (unit && !unit.has(table)) unit.set(table, { rows: [], write: write as Held['write'] });
}

/**
 * Makes the held writes, one statement per table in the order the tables were first written, and stops
 * holding. They are issued together, so a transaction of withTransaction sends them in one round trip
 * (gathered.ts); the first failure is the one thrown.
 */
export async function releaseWrites(tx: Sql): Promise<void> {
  const unit = units.get(tx);
  units.delete(tx);
  states.delete(tx);
  const writes = [...(unit?.values() ?? [])].filter(({ rows }) => rows.length > 0);
  await Promise.all(writes.map(({ rows, write }) => write(tx, rows)));
}

/** Stops holding without writing: the transaction is being rolled back. */
export function dropWrites(tx: Sql): void {
  units.delete(tx);
  states.delete(tx);
}
