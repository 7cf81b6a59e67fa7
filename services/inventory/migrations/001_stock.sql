CREATE TABLE products (
  sku           text PRIMARY KEY,
  name          text        NOT NULL,
  price_amount  integer     NOT NULL CHECK (price_amount >= 0),
  currency      char(3)     NOT NULL,
  on_hand       integer     NOT NULL,
  reserved      integer     NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  -- The database itself refuses an oversell, whatever the code does.
  CONSTRAINT stock_consistent CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
);

CREATE TABLE reservations (
  order_id    uuid PRIMARY KEY,
  status      text        NOT NULL CHECK (status IN ('RESERVED', 'COMMITTED', 'RELEASED')),
  items       jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
