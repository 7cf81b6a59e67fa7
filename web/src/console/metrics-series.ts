import type { MetricsSnapshot } from './admin.js';

type Samples = MetricsSnapshot['items'][number]['samples'];
const all = (snapshot: MetricsSnapshot): Samples => snapshot.items.flatMap((item) => item.samples);
const sum = (samples: Samples, name: string, where: (labels: Record<string, string>) => boolean = () => true) =>
  samples.filter((sample) => sample.name === name && where(sample.labels)).reduce((total, sample) => total + sample.value, 0);

/** Histogram quantile (as Prometheus' histogram_quantile) over the buckets' increase between two reads. */
export function quantile(q: number, before: Samples, after: Samples, name: string): number | null {
  const bucketsOf = (samples: Samples) => {
    const byLe = new Map<number, number>();
    for (const sample of samples) if (sample.name === `${name}_bucket`) {
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + sample.value);
    }
    return byLe;
  };
  const start = bucketsOf(before);
  const buckets = [...bucketsOf(after)].map(([le, count]) => ({ le, count: count - (start.get(le) ?? 0) })).sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return lower;
      return lower + ((bucket.le - lower) * (rank - below)) / Math.max(bucket.count - below, 1e-9);
    }
    lower = bucket.le;
    below = bucket.count;
  }
  return lower;
}

export interface ChartPoint {
  t: number;
  ordersPerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
  lag: number;
}

/** One chart point from two successive snapshots of the services' metrics. */
export function pointBetween(before: MetricsSnapshot, after: MetricsSnapshot): ChartPoint {
  const seconds = Math.max((Date.parse(after.at) - Date.parse(before.at)) / 1000, 0.001);
  const [a, b] = [all(before), all(after)];
  const completed = Math.max(sum(b, 'saga_completed_total') - sum(a, 'saga_completed_total'), 0);
  const toMs = (value: number | null) => (value === null ? null : Math.round(value * 1000));
  return {
    t: Date.parse(after.at) / 1000,
    ordersPerS: completed / seconds,
    p50Ms: toMs(quantile(0.5, a, b, 'saga_duration_seconds')),
    p99Ms: toMs(quantile(0.99, a, b, 'saga_duration_seconds')),
    lag: sum(b, 'kafka_consumer_lag'),
  };
}
