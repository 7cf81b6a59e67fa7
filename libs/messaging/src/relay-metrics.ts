/** The outbox relay's metrics: what it published, producers it renewed, and the backlog read from each relay's database at scrape time. */
import type pg from 'pg';
import { Counter, Gauge } from 'prom-client';

export const renewals = new Counter({
  name: 'outbox_producer_renewals_total',
  help: 'Producers the outbox relay replaced after a failed send (a broker that refused its sequence numbers, or was down)',
  labelNames: ['service'],
});

export const published = new Counter({
  name: 'outbox_published_total',
  help: 'Messages the outbox relay published, by how it had them: handed over on commit, or read from the table',
  labelNames: ['service', 'path'],
});

/** Relays of this process; the backlog gauges are read from their databases when Prometheus scrapes. */
export const activeRelays = new Set<{ service: string; pool: pg.Pool }>();
type Backlog = { n: number; age: number | null } | undefined;
/**
 * The registry collects every metric at once, so both gauges ask together: the reading in flight for a
 * pool serves them both, and one scrape costs one query per relay, not two.
 */
const readings = new Map<pg.Pool, Promise<Backlog>>();
function backlogOf(pool: pg.Pool): Promise<Backlog> {
  let reading = readings.get(pool);
  if (!reading) {
    reading = pool
      .query<{ n: number; age: number | null }>('SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float AS age FROM outbox')
      .then((result) => result.rows[0], () => undefined)
      .finally(() => readings.delete(pool));
    readings.set(pool, reading);
  }
  return reading;
}
new Gauge({
  name: 'outbox_backlog',
  help: 'Outbox rows not yet published',
  labelNames: ['service'],
  async collect() {
    for (const relay of activeRelays) this.set({ service: relay.service }, (await backlogOf(relay.pool))?.n ?? 0);
  },
});
new Gauge({
  name: 'outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox row',
  labelNames: ['service'],
  async collect() {
    for (const relay of activeRelays) this.set({ service: relay.service }, (await backlogOf(relay.pool))?.age ?? 0);
  },
});
