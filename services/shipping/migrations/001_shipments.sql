CREATE TABLE shipments (
  order_id     uuid PRIMARY KEY,
  shipment_id  uuid        NOT NULL UNIQUE,
  status       text        NOT NULL CHECK (status IN ('SCHEDULED', 'CANCELLED')),
  country      text,
  address      jsonb,
  items        jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
