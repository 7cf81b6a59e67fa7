import type { Migration } from '@shopfront/postgres';

/**
 * The event store's tables. `transaction_id` (xid8) lets readers wait for
 * slower concurrent transactions instead of skipping their events: see ADR 0005.
 */
export const eventStoreMigrations: Migration[] = [
  {
    id: '000_event_store',
    sql: `
      CREATE TABLE IF NOT EXISTS events (
        global_position  bigserial   PRIMARY KEY,
        stream_id        text        NOT NULL,
        stream_version   integer     NOT NULL,
        message_id       uuid        NOT NULL UNIQUE,
        type             text        NOT NULL,
        schema_version   integer     NOT NULL,
        data             jsonb       NOT NULL,
        metadata         jsonb       NOT NULL DEFAULT '{}'::jsonb,
        occurred_at      timestamptz NOT NULL DEFAULT now(),
        transaction_id   xid8        NOT NULL DEFAULT pg_current_xact_id(),
        UNIQUE (stream_id, stream_version)
      );
      CREATE INDEX IF NOT EXISTS events_by_transaction ON events (transaction_id, global_position);
      CREATE TABLE IF NOT EXISTS projection_checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8   NOT NULL DEFAULT '0'::xid8,
        position        bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      );
      -- No NOTIFY trigger on purpose: NOTIFY takes a global lock at commit and would
      -- serialise every append. Projections poll (cheaply, by index) instead.
    `,
  },
];
