-- One row per order saga: its state, what its commands need, and its one timer.
CREATE TABLE sagas (
  order_id     uuid PRIMARY KEY,
  status       text        NOT NULL CHECK (status IN ('RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED')),
  phase        text        NOT NULL CHECK (phase IN ('ACTION', 'COMPENSATION', 'NONE')),
  step_index   int         NOT NULL,
  steps_done   text[]      NOT NULL DEFAULT '{}',
  reason       text,
  attempt      int         NOT NULL DEFAULT 0,
  -- Null when nothing is awaited; the deadline poller only ever looks at rows where it is set.
  deadline_at  timestamptz,
  -- Optimistic concurrency: every write checks and bumps it.
  version      int         NOT NULL,
  data         jsonb       NOT NULL,
  started_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((deadline_at IS NULL) = (phase = 'NONE'))
);
CREATE INDEX sagas_due ON sagas (deadline_at) WHERE deadline_at IS NOT NULL;
CREATE INDEX sagas_by_status ON sagas (status, started_at DESC);

-- Every transition (and every input ignored), for operators debugging one saga.
CREATE TABLE saga_log (
  id          bigserial   PRIMARY KEY,
  order_id    uuid        NOT NULL REFERENCES sagas (order_id),
  -- What caused it: a consumed message (type and id) or DeadlineExpired (no id).
  input       text        NOT NULL,
  message_id  uuid,
  event       text        NOT NULL,
  detail      jsonb       NOT NULL,
  status      text        NOT NULL,
  phase       text        NOT NULL,
  version     int         NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_log_by_order ON saga_log (order_id, id);
