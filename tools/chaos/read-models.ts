/**
 * Invariant 5 of the contract, checked in the order service's own database:
 * each read model agrees with the event store once projections catch up.
 * For every order: the inline view (`orders_view`) is at the stream's last
 * version and says what its last event says, every event has its timeline
 * row, and the asynchronous projection (`client_orders`) shows the same
 * status. Asked again until `withinMs`, since the projection may lag.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { serviceEnv, type PlatformSettings } from '../runner/services.ts';

const agreement = `
  SELECT o.id::text AS order_id, last.stream_version, last.type, v.status, v.version, listed.status AS listed_status,
         (SELECT count(*)::int FROM events e
           WHERE e.stream_id = 'order-' || o.id
             AND NOT EXISTS (SELECT 1 FROM order_timeline t WHERE t.message_id = e.message_id)) AS events_without_timeline
    FROM unnest($1::uuid[]) AS o(id)
    LEFT JOIN LATERAL (SELECT stream_version, type FROM events WHERE stream_id = 'order-' || o.id ORDER BY stream_version DESC LIMIT 1) last ON true
    LEFT JOIN orders_view v ON v.order_id = o.id
    LEFT JOIN projection_client_orders.client_orders listed ON listed.order_id = o.id`;

interface Row {
  order_id: string;
  stream_version: number | null;
  type: string | null;
  status: string | null;
  version: number | null;
  listed_status: string | null;
  events_without_timeline: number;
}

const statusAfter: Record<string, string> = { OrderConfirmed: 'CONFIRMED', OrderCancelled: 'CANCELLED' };

/** What is wrong with one order's read models, or undefined when they agree with its stream. */
export function disagreement(row: Row): string | undefined {
  if (row.stream_version === null) return 'no events';
  if (row.version !== row.stream_version) return `view at version ${row.version ?? 'none'}, stream at ${row.stream_version}`;
  const expected = statusAfter[row.type ?? ''];
  if (expected !== undefined && row.status !== expected) return `view ${row.status} after ${row.type}`;
  if (row.events_without_timeline > 0) return `${row.events_without_timeline} event(s) missing from the timeline`;
  if (row.listed_status !== row.status) return `client_orders ${row.listed_status ?? 'missing'}, view ${row.status}`;
  return undefined;
}

export async function readModelsAgree(settings: PlatformSettings, orderIds: string[], withinMs = 30_000): Promise<{ holds: boolean; detail: string }> {
  // The order service's own database, named as the runner names it.
  const client = new pg.Client({ connectionString: serviceEnv('order', settings).DATABASE_URL });
  await client.connect();
  try {
    for (const giveUpAt = Date.now() + withinMs; ; await sleep(500)) {
      const { rows } = await client.query<Row>(agreement, [orderIds]);
      const wrong = rows.map((row) => ({ orderId: row.order_id, why: disagreement(row) })).filter((found) => found.why !== undefined);
      if (wrong.length === 0) return { holds: true, detail: `${rows.length} orders: view, timeline and client_orders agree with the store` };
      if (Date.now() > giveUpAt) return { holds: false, detail: `${wrong.length} of ${rows.length} disagree, e.g. ${wrong[0]!.orderId}: ${wrong[0]!.why}` };
    }
  } finally {
    await client.end();
  }
}
