import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { adminApi, MetricsSnapshot, type MetricsSnapshot as Snapshot } from './admin.js';
import { pointBetween, type ChartPoint } from './metrics-series.js';

const keep = 150; // 5 minutes at one read per 2 s

function Chart({ title, points, series }: { title: string; points: ChartPoint[]; series: { label: string; value: (point: ChartPoint) => number | null; stroke: string }[] }) {
  const element = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Created once per mount; data flows in through setData below.
  useEffect(() => {
    plot.current = new uPlot(
      { title, width: 360, height: 180, series: [{}, ...series.map(({ label, stroke }) => ({ label, stroke, width: 2, spanGaps: true }))], axes: [{}, { size: 50 }] },
      [[], ...series.map(() => [])],
      element.current!,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => {
    plot.current?.setData([points.map((point) => point.t), ...series.map(({ value }) => points.map((point) => value(point)))] as uPlot.AlignedData);
  }, [points, series]);
  return <div ref={element} role="img" aria-label={title} />;
}

/** Orders/s, place→terminal p50/p99 and consumer lag, from the services' own /metrics read every 2 s. */
export function Charts() {
  const [points, setPoints] = useState<ChartPoint[]>([]);
  const last = useRef<Snapshot | null>(null);
  useEffect(() => {
    let stopped = false;
    const read = async () => {
      try {
        const snapshot = await adminApi('/v1/admin/metrics', MetricsSnapshot);
        // Taken now: React runs the updater later, when last.current already holds this snapshot
        // (a point between a snapshot and itself showed 0.0 orders/s whatever completed).
        const before = last.current;
        last.current = snapshot;
        if (before && !stopped) setPoints((current) => [...current, pointBetween(before, snapshot)].slice(-keep));
      } catch {
        // A missed read leaves a gap; the next one carries on.
      }
    };
    void read();
    const timer = setInterval(() => void read(), 2_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  const latest = points.at(-1);
  return (
    <section className="card" aria-labelledby="charts-title">
      <h2 id="charts-title">Charts</h2>
      <p className="muted">
        {latest ? `now: ${latest.ordersPerS.toFixed(1)} orders/s · p50 ${latest.p50Ms ?? '–'} ms · p99 ${latest.p99Ms ?? '–'} ms · lag ${latest.lag}` : 'Reading the services’ metrics…'}
      </p>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem' }}>
        <Chart title="Orders completed / s" points={points} series={[{ label: 'orders/s', value: (point) => point.ordersPerS, stroke: '#14213d' }]} />
        <Chart
          title="Place → terminal (ms)"
          points={points}
          series={[
            { label: 'p50', value: (point) => point.p50Ms, stroke: '#2a7f3f' },
            { label: 'p99', value: (point) => point.p99Ms, stroke: '#b5503f' },
          ]}
        />
        <Chart title="Consumer lag (messages)" points={points} series={[{ label: 'lag', value: (point) => point.lag, stroke: '#6b4e00' }]} />
      </div>
    </section>
  );
}
