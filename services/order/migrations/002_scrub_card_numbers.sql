-- ADR 0015: no full card number past the edge. Events written before OrderPlaced v3 (and any
-- outbox row not yet relayed) held the number; keep only its last four digits. The v2 upcaster
-- reads the masked value as it read the number, so the events stay readable.
UPDATE events
   SET data = regexp_replace(data::text, '"card": "\d{8,15}(\d{4})"', '"card": "************\1"', 'g')::jsonb
 WHERE type = 'OrderPlaced' AND data::text ~ '"card": "\d{12,19}"';

UPDATE outbox
   SET payload = regexp_replace(payload::text, '"card": "\d{8,15}(\d{4})"', '"card": "************\1"', 'g')::jsonb
 WHERE payload::text ~ '"card": "\d{12,19}"';
