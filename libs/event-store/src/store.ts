import { isUniqueViolation, type Sql } from '@shopfront/postgres';
import { randomUUID } from 'node:crypto';
import { EventStoreError } from './errors.js';
import type { DomainEvent, EventMetadata, RecordedEvent } from './types.js';
import { upcast, type Upcaster } from './upcasting.js';

/** A number is the version the caller read; `no_stream` means the stream must not exist yet. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface NewEvent<E extends DomainEvent = DomainEvent> {
  type: E['type'];
  data: E['data'];
  schemaVersion: number;
  /** Reused as the id of the message announcing it, so one id follows the fact everywhere. */
  messageId?: string;
  metadata?: EventMetadata;
}

export interface Checkpoint {
  transactionId: string;
  position: number;
}
export const startOfStore: Checkpoint = { transactionId: '0', position: 0 };

interface EventRow {
  global_position: number;
  stream_id: string;
  stream_version: number;
  message_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  occurred_at: Date;
  transaction_id: string;
}

/*
 * Named statements: Postgres parses and plans each once per connection, not on
 * every append; that halves the cost of this small, hot query (ADR 0005). The
 * version check and the insert are ONE statement, so no writer can come between.
 */
const appendOne = {
  name: 'event-store.append-one',
  text: `WITH current AS (
           SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1
         )
         INSERT INTO events (stream_id, stream_version, message_id, type, schema_version, data, metadata)
         SELECT $1, current.version + 1, $3, $4, $5, $6, $7 FROM current
          WHERE $2::int IS NULL OR current.version = $2::int
         RETURNING global_position, stream_version, transaction_id, occurred_at`,
};

const appendMany = {
  name: 'event-store.append-many',
  text: `WITH current AS (
           SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1
         )
         INSERT INTO events (stream_id, stream_version, message_id, type, schema_version, data, metadata)
         SELECT $1, current.version + e.ordinality, (e.event->>'message_id')::uuid, e.event->>'type',
                (e.event->>'schema_version')::int, e.event->'data', e.event->'metadata'
           FROM current, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(event, ordinality)
          WHERE $2::int IS NULL OR current.version = $2::int
         RETURNING global_position, stream_version, transaction_id, occurred_at`,
};

/** Told of every append made in this process (before its transaction commits): a hint, not a guarantee. */
const appendListeners = new Set<() => void>();
export function onAppend(listener: () => void): () => void {
  appendListeners.add(listener);
  return () => appendListeners.delete(listener);
}

/**
 * Appends events if the stream is at the expected version; the unique
 * (stream, version) key settles any race, and a lost race is a typed
 * CONCURRENCY_CONFLICT. Runs in the caller's transaction when given one.
 */
export async function appendToStream<E extends DomainEvent>(sql: Sql, streamId: string, expected: ExpectedVersion, events: NewEvent<E>[]): Promise<RecordedEvent<E>[]> {
  if (events.length === 0) return [];
  const rows = events.map((event) => ({
    message_id: event.messageId ?? randomUUID(),
    type: event.type,
    schema_version: event.schemaVersion,
    data: event.data,
    metadata: event.metadata ?? {},
  }));
  let result;
  try {
    const expectedParam = expected === 'any' ? null : expected === 'no_stream' ? 0 : expected;
    const event = rows[0]!;
    result = await sql.query<Pick<EventRow, 'global_position' | 'stream_version' | 'transaction_id' | 'occurred_at'>>(
      rows.length === 1
        ? // The common case, one event: plain parameters, no JSON array to build and unpack.
          { ...appendOne, values: [streamId, expectedParam, event.message_id, event.type, event.schema_version, JSON.stringify(event.data), JSON.stringify(event.metadata)] }
        : { ...appendMany, values: [streamId, expectedParam, JSON.stringify(rows)] },
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(streamId, expected, error);
    throw error;
  }
  if (result.rowCount !== events.length) throw conflict(streamId, expected);
  for (const listener of appendListeners) listener();
  // What the caller sent plus what the database assigned: no need to ship the data back.
  return result.rows
    .sort((a, b) => a.stream_version - b.stream_version)
    .map((row, i) => toRecorded<E>({ ...row, stream_id: streamId, message_id: rows[i]!.message_id, type: rows[i]!.type, schema_version: rows[i]!.schema_version, data: rows[i]!.data, metadata: rows[i]!.metadata }, []));
}

export interface ReadOptions {
  upcasters?: readonly Upcaster[];
}

/** A stream's events in order, upcast to current shapes; version 0 when it does not exist. */
export async function readStream<E extends DomainEvent>(sql: Sql, streamId: string, options: ReadOptions = {}): Promise<{ version: number; events: RecordedEvent<E>[] }> {
  const { rows } = await sql.query<EventRow>(
    'SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version',
    [streamId],
  );
  const events = rows.map((row) => toRecorded<E>(row, options.upcasters ?? []));
  return { version: events.at(-1)?.streamVersion ?? 0, events };
}

/**
 * Events after a checkpoint in commit-safe order. Only transactions older than
 * every transaction still in flight are visible (`pg_snapshot_xmin`), so an
 * event committed late by a slow writer is read late, never skipped.
 */
export async function readAll(sql: Sql, after: Checkpoint, limit: number, options: ReadOptions & { types?: readonly string[] } = {}): Promise<RecordedEvent[]> {
  const { rows } = await sql.query<EventRow>(
    `SELECT * FROM events
      WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        AND ($4::text[] IS NULL OR type = ANY($4::text[]))
      ORDER BY transaction_id, global_position
      LIMIT $3`,
    [after.transactionId, after.position, limit, options.types ?? null],
  );
  return rows.map((row) => toRecorded(row, options.upcasters ?? []));
}

function toRecorded<E extends DomainEvent>(row: EventRow, upcasters: readonly Upcaster[]): RecordedEvent<E> {
  const current = upcast(row.type, row.schema_version, row.data, row.metadata, upcasters);
  return {
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: row.global_position,
    transactionId: row.transaction_id,
    messageId: row.message_id,
    type: row.type as E['type'],
    schemaVersion: current.schemaVersion,
    data: current.data as E['data'],
    metadata: row.metadata,
    occurredAt: row.occurred_at,
  } as RecordedEvent<E>;
}

const conflict = (streamId: string, expected: ExpectedVersion, cause?: unknown) =>
  new EventStoreError('CONCURRENCY_CONFLICT', `stream ${streamId} is not at version ${String(expected)}`, { cause });
