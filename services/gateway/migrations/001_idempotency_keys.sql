-- Durable idempotency records (ADR 0010). The primary key is the arbiter:
-- of any number of concurrent first requests, exactly one inserts the row.
CREATE TABLE idempotency_keys (
  client_id        text        NOT NULL,
  key              text        NOT NULL,
  request_hash     text        NOT NULL,
  status           text        NOT NULL CHECK (status IN ('in_flight', 'completed')),
  response_status  integer,
  -- json, not jsonb: it keeps the exact text, so a replay is byte for byte the first answer.
  response_body    json,
  response_headers jsonb,
  -- The order the key creates (or acts on), passed upstream as x-order-id: a retry reaches the same order.
  order_id         uuid        NOT NULL,
  -- Lease of the request executing the key; once past, a retry may take over.
  locked_until     timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz,
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (client_id, key),
  CHECK (status = 'in_flight' OR (response_status IS NOT NULL AND response_body IS NOT NULL))
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
