import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetricsSnapshot } from './admin.js';

// uPlot draws on a canvas happy-dom does not have; the figures line under the title is what is checked.
vi.mock('uplot', () => ({ default: class { setData() {} destroy() {} } }));
const reads: MetricsSnapshot[] = [];
vi.mock('./admin.js', async (original) => ({
  ...(await original<typeof import('./admin.js')>()),
  adminApi: vi.fn(async () => reads.shift() ?? Promise.reject(new Error('no more reads'))),
}));
const { Charts } = await import('./Charts.js');

const snapshot = (at: string, completed: number, lag: number): MetricsSnapshot => ({
  at,
  items: [{ service: 'orchestrator', up: true, samples: [
    { name: 'saga_completed_total', labels: { outcome: 'CONFIRMED', reason: '' }, value: completed },
    { name: 'kafka_consumer_lag', labels: { topic: 'saga.replies' }, value: lag },
  ] }],
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  reads.length = 0;
});

describe('Charts', () => {
  it('shows the orders completed between two successive reads, read after read', async () => {
    reads.push(snapshot('2026-12-04T10:00:00.000Z', 100, 0), snapshot('2026-12-04T10:00:02.000Z', 130, 4), snapshot('2026-12-04T10:00:04.000Z', 190, 2));
    render(<Charts />);
    await act(async () => vi.advanceTimersByTimeAsync(2_000));
    expect(screen.getByText(/now: 15\.0 orders\/s/).textContent).toMatch(/lag 4/);
    // React computes a state updater at once only while nothing else is queued; from the second
    // point on it ran later, when the ref already held the new snapshot: 0.0 orders/s, every time.
    await act(async () => vi.advanceTimersByTimeAsync(2_000));
    expect(screen.getByText(/now: 30\.0 orders\/s/).textContent).toMatch(/lag 2/);
  });
});
