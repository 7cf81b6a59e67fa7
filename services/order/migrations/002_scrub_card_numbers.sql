-- ADR 0017: no full card number past the edge. Events written before OrderPlaced v3 (and any
-- outbox row not yet relayed) held the number. Stored events keep only its last four digits; the
-- order service's upcasters (src/domain/upcasters.ts) read the masked value as they read the number.
UPDATE events
   SET data = regexp_replace(data::text, '"card": "\d{8,15}(\d{4})"', '"card": "************\1"', 'g')::jsonb
 WHERE type = 'OrderPlaced' AND data::text ~ '"card": "\d{12,19}"';

-- An outbox row not yet relayed is bound for the wire, where v2 must carry a number: it becomes v3
-- with the retired token and the last four, as the wire's v2 → v3 upcaster reads a v2 message
-- (libs/contracts/src/order-placed.ts); the brand went with the number.
UPDATE outbox
   SET payload = jsonb_set(
         jsonb_set(payload, '{schemaVersion}', '3'),
         '{data,payment}',
         jsonb_build_object('token', 'tok_retired_before_vault_0000', 'last4', right(payload #>> '{data,payment,card}', 4), 'brand', 'unknown'))
 WHERE message_type = 'OrderPlaced' AND payload->>'schemaVersion' = '2' AND payload #>> '{data,payment,card}' ~ '^\d{12,19}$';

-- Anything else still holding a number (an OrderPlaced v1 row from two releases back) is masked:
-- no number reaches a topic, even if the orchestrator then dead-letters that row as invalid v1.
UPDATE outbox
   SET payload = regexp_replace(payload::text, '"card": "\d{8,15}(\d{4})"', '"card": "************\1"', 'g')::jsonb
 WHERE payload::text ~ '"card": "\d{12,19}"';
