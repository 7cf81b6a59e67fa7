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
const backlogOf = async (pool: pg.Pool) =>
  (await pool.query<{ n: number; age: number | null }>('SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float AS age FROM outbox')).rows[0];
new Gauge({
  name: 'outbox_backlog',
  help: 'Outbox rows not yet published',
  labelNames: ['service'],
  async collect() {
    for (const relay of activeRelays) this.set({ service: relay.service }, (await backlogOf(relay.pool).catch(() => undefined))?.n ?? 0);
  },
});
new Gauge({
  name: 'outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox row',
  labelNames: ['service'],
  async collect() {
    for (const relay of activeRelays) this.set({ service: relay.service }, (await backlogOf(relay.pool).catch(() => undefined))?.age ?? 0);
  },
});
