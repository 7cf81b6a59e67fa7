import type { Migration, Pool } from '@shopfront/postgres';

/** Tables every service with messaging needs; run before the service's own migrations. */
export const messagingMigrations: Migration[] = [
  {
    id: '000_messaging',
    sql: `
      CREATE TABLE IF NOT EXISTS outbox (
        id            bigserial PRIMARY KEY,
        topic         text        NOT NULL,
        message_key   text        NOT NULL,
        message_id    uuid        NOT NULL UNIQUE,
        message_type  text        NOT NULL,
        payload       jsonb       NOT NULL,
        headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
        created_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS inbox (
        consumer      text        NOT NULL,
        message_id    uuid        NOT NULL,
        message_type  text        NOT NULL,
        processed_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      );
      -- Wake the relay as soon as a transaction with outbox rows commits.
      CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$;
      DROP TRIGGER IF EXISTS outbox_notify ON outbox;
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
    `,
  },
  {
    id: '001_messaging_outbox_notice_after_commit',
    sql: `
      -- A NOTIFY inside a transaction takes a global lock until it ends, so every commit that wrote
      -- outbox rows waited for the one before it. The writer now hands its rows to its own relay, or
      -- notifies after its commit when another process leads (outbox.ts): the trigger goes.
      DROP TRIGGER IF EXISTS outbox_notify ON outbox;
      DROP FUNCTION IF EXISTS outbox_notify();
    `,
  },
];

/**
 * Forgets inbox claims older than `retentionDays`. A claim only has to outlive any
 * redelivery of its message, and Kafka keeps messages for 7 days by default: the
 * default retention is twice that.
 */
export async function pruneInbox(pool: Pool, retentionDays = 14): Promise<number> {
  const { rowCount } = await pool.query("DELETE FROM inbox WHERE processed_at < now() - make_interval(days => $1)", [retentionDays]);
  return rowCount ?? 0;
}
