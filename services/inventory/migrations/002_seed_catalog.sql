-- The development catalog: SKU-001..SKU-010, 1000 units each.
INSERT INTO products (sku, name, price_amount, currency, on_hand) VALUES
  ('SKU-001', 'Espresso cup',          1999, 'EUR', 1000),
  ('SKU-002', 'Pour-over kettle',      4599, 'EUR', 1000),
  ('SKU-003', 'Burr grinder',          8999, 'EUR', 1000),
  ('SKU-004', 'Coffee beans 1 kg',     2499, 'EUR', 1000),
  ('SKU-005', 'Milk jug',              1299, 'EUR', 1000),
  ('SKU-006', 'Tamper',                1799, 'EUR', 1000),
  ('SKU-007', 'Paper filters (100)',    499, 'EUR', 1000),
  ('SKU-008', 'Scale with timer',      3499, 'EUR', 1000),
  ('SKU-009', 'Travel mug',            1599, 'EUR', 1000),
  ('SKU-010', 'Descaler',               899, 'EUR', 1000)
ON CONFLICT (sku) DO NOTHING;

-- Announce the catalog through the outbox, so the order service's catalog view
-- fills from Kafka on a fresh start (StockChanged v1, keyed by SKU). Written
-- here rather than by a seed step at startup: the migration runs exactly once,
-- in the same transaction as the rows it announces, so there is nothing to make
-- idempotent and no window where the stock exists unannounced. The envelope is
-- built by hand to the shape createMessage makes; the relay publishes it as is
-- and the order service validates it on arrival like any other message.
INSERT INTO outbox (topic, message_key, message_id, message_type, payload)
SELECT 'inventory.events', p.sku, p.id, 'StockChanged', jsonb_build_object(
  'messageId', p.id, 'type', 'StockChanged', 'schemaVersion', 1,
  'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'correlationId', p.sku, 'causationId', NULL,
  'data', jsonb_build_object('sku', p.sku, 'name', p.name,
    'price', jsonb_build_object('amount', p.price_amount, 'currency', p.currency),
    'onHand', p.on_hand, 'reserved', p.reserved, 'available', p.on_hand - p.reserved))
FROM (SELECT gen_random_uuid() AS id, * FROM products) AS p;
