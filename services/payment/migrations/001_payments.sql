CREATE TABLE payments (
  order_id           uuid PRIMARY KEY,
  status             text        NOT NULL CHECK (status IN ('AUTHORIZED', 'DECLINED', 'CAPTURED', 'VOIDED', 'REFUNDED')),
  decline_reason     text,
  currency           char(3)     NOT NULL,
  authorized_amount  integer     NOT NULL DEFAULT 0,
  captured_amount    integer     NOT NULL DEFAULT 0,
  refunded_amount    integer     NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT money_consistent CHECK (refunded_amount <= captured_amount AND captured_amount <= authorized_amount)
);

-- The simulated card provider's own records. It plays an external system, so it is
-- written outside the payment service's transactions, keyed by an idempotency key.
CREATE TABLE provider_ledger (
  idempotency_key  text PRIMARY KEY,
  operation        text        NOT NULL,
  amount           integer     NOT NULL,
  outcome          text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
