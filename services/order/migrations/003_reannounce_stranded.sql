-- When a PENDING order was last re-announced (app/stranded-orders.ts); null if never.
ALTER TABLE orders_view ADD COLUMN reannounced_at timestamptz;
-- The sweep reads only PENDING orders, the oldest first: a small partial index keeps it cheap.
CREATE INDEX orders_view_pending ON orders_view (updated_at) WHERE status = 'PENDING';
