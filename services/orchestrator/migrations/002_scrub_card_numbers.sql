-- ADR 0017: no full card number past the edge. Sagas started before OrderPlaced v3 kept the
-- number (in their data until the payment step ended, and in the SagaStarted log entry); keep
-- only the last four digits. Drain running sagas before this release: a v1 AuthorizePayment still
-- in flight is read with the retired token and declined (AuthorizePayment v2, ADR 0017).
UPDATE sagas
   SET data = regexp_replace(data::text, '"card": "\d{8,15}(\d{4})"', '"card": {"brand": "unknown", "last4": "\1", "token": "tok_retired_before_vault_0000"}', 'g')::jsonb
 WHERE data::text ~ '"card": "\d{12,19}"';

UPDATE saga_log
   SET detail = regexp_replace(detail::text, '"card": "\d{8,15}(\d{4})"', '"card": {"brand": "unknown", "last4": "\1", "token": "tok_retired_before_vault_0000"}', 'g')::jsonb
 WHERE detail::text ~ '"card": "\d{12,19}"';

-- An AuthorizePayment not yet relayed becomes v2 (the token shape), as the wire's v1 → v2 upcaster reads it.
UPDATE outbox
   SET payload = jsonb_set(
         regexp_replace(payload::text, '"card": "\d{8,15}(\d{4})"', '"card": {"brand": "unknown", "last4": "\1", "token": "tok_retired_before_vault_0000"}', 'g')::jsonb,
         '{schemaVersion}', '2')
 WHERE message_type = 'AuthorizePayment' AND payload::text ~ '"card": "\d{12,19}"';
