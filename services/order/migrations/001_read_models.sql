-- Order details: updated inline, in the same transaction as each append (read-your-writes).
CREATE TABLE orders_view (
  order_id                uuid PRIMARY KEY,
  client_id               text        NOT NULL,
  customer_id             text        NOT NULL,
  status                  text        NOT NULL,
  reason                  text,
  cancellation_requested  boolean     NOT NULL DEFAULT false,
  items                   jsonb       NOT NULL,
  total_amount            integer     NOT NULL,
  currency                char(3)     NOT NULL,
  version                 integer     NOT NULL,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL
);

-- The order's story: its own events and the orchestrator's saga steps. Keyed by message id: replays are no-ops.
CREATE TABLE order_timeline (
  message_id  uuid PRIMARY KEY,
  -- Arrival order breaks ties: steps recorded in one transaction share a timestamp.
  seq         bigserial,
  order_id    uuid        NOT NULL,
  at          timestamptz NOT NULL,
  kind        text        NOT NULL,
  step        text,
  phase       text,
  detail      text
);
CREATE INDEX order_timeline_by_order ON order_timeline (order_id, at, seq);

-- Choreography: prices and availability as inventory announces them (inventory.events).
CREATE TABLE catalog (
  sku           text PRIMARY KEY,
  name          text        NOT NULL,
  price_amount  integer     NOT NULL,
  currency      char(3)     NOT NULL,
  available     integer     NOT NULL
);
