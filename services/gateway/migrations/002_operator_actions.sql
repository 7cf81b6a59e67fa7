-- Every operator action taken through the console's admin routes, kept for audit:
-- who (the admin key's client id), what, on what, with what outcome.
CREATE TABLE operator_actions (
  id         bigserial   PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text        NOT NULL,
  action     text        NOT NULL,
  target     text        NOT NULL,
  dry_run    boolean     NOT NULL DEFAULT false,
  outcome    text        NOT NULL,
  detail     jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX operator_actions_at ON operator_actions (at DESC);

-- Dead letters sent back to their source topic: one row per dead letter, so that no
-- replica and no second click redrives the same one twice.
CREATE TABLE dead_letter_redrives (
  dead_letter_id text        PRIMARY KEY,
  redriven_at    timestamptz NOT NULL DEFAULT now(),
  actor          text        NOT NULL
);
