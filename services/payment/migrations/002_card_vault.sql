-- The simulated provider's card vault: the number only encrypted (AES-256-GCM, key from
-- PAYMENT_VAULT_KEY), addressed by a random token. Everything else in the platform holds the
-- token, the brand and the last four digits; the number itself never leaves this table.
CREATE TABLE card_vault (
  token       text PRIMARY KEY,
  ciphertext  bytea       NOT NULL,
  iv          bytea       NOT NULL,
  auth_tag    bytea       NOT NULL,
  last4       char(4)     NOT NULL,
  brand       text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
