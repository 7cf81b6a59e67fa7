-- A refused reservation is remembered, with its reason: the answer to an order
-- stays the same however often its ReserveStock is re-sent, and a re-send that
-- arrives after a restock cannot reserve units for an order already cancelled
-- (a failed step is not compensated, so nothing would ever release them).
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check CHECK (status IN ('RESERVED', 'COMMITTED', 'RELEASED', 'REJECTED'));
ALTER TABLE reservations ADD COLUMN detail text;
