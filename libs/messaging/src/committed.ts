import type { Sql } from '@shopfront/postgres';

/** An outbox row as the relay publishes it, whether read back from the table or handed over on commit. */
export interface OutboxRow {
  id: number;
  topic: string;
  message_key: string;
  message_id: string;
  message_type: string;
  payload: unknown;
  headers: Record<string, string>;
}

type Taker = (rows: OutboxRow[]) => void;

/** The relays of this process, by the database whose outbox they publish. */
const takers = new Map<string, Set<Taker>>();

/**
 * Which database a connection (or a pool's session) is on: host, port and name.
 * A transaction and its relay use different pools (the relay's commits are
 * asynchronous), so the database, not the pool, pairs them.
 */
export function databaseOf(sql: Sql): string {
  const { host, port, database } = (sql as unknown as { connectionParameters: { host: string; port: number; database: string } }).connectionParameters;
  return `${host}:${port}/${database}`;
}

/** Until the returned function is called, `take` is given the outbox rows this process commits on `database`. */
export function onCommittedRows(database: string, take: Taker): () => void {
  let set = takers.get(database);
  if (!set) takers.set(database, (set = new Set()));
  set.add(take);
  return () => {
    set.delete(take);
    if (set.size === 0) takers.delete(database);
  };
}

/** Called once a transaction that wrote outbox rows has committed; false when no relay of this process leads on `database`. */
export function handOverCommitted(database: string, rows: OutboxRow[]): boolean {
  const relays = takers.get(database);
  for (const take of relays ?? []) take(rows);
  return relays !== undefined;
}
