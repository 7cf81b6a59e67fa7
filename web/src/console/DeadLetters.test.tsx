import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from './admin.js';
import { DeadLetters } from './DeadLetters.js';
import { emptyFilter, listQuery, redriveByFilter } from './dead-letter-filter.js';

const letter = (id: string, sourceTopic: string, type: string, error: string): DeadLetter => ({
  id, topic: `${sourceTopic}.dlq`, sourceTopic, consumer: 'c', attempts: 1, error, at: '2026-01-01T00:00:00.000Z',
  messageId: null, type, orderId: null, message: '{}', redrivenAt: null,
});
const letters = [letter('a/0/1', 'saga.replies', 'StockReserved', 'invalid shape'), letter('b/0/2', 'order.events', 'OrderPlaced', 'unsupported version')];

afterEach(cleanup);

describe('dead-letter filter', () => {
  it('sends only the fields that are set, trimmed', () => {
    expect(listQuery(emptyFilter)).toBe('');
    expect(listQuery({ topic: 'saga.replies', type: '', error: '  shape ', showRedriven: true })).toBe('topic=saga.replies&error=shape&redriven=true');
  });

  it('redrives by filter with the same selection, never asking for redriven ones', () => {
    expect(redriveByFilter({ topic: 'order.events', type: 'OrderPlaced', error: '', showRedriven: true }, true)).toEqual({ filter: { topic: 'order.events', type: 'OrderPlaced' }, dryRun: true });
  });
});

describe('DeadLetters', () => {
  const mount = () => {
    const load = vi.fn(async (query: string) => {
      const topic = new URLSearchParams(query).get('topic');
      const items = letters.filter((item) => !topic || item.sourceTopic === topic);
      return { topics: [{ topic: 'order.events', pending: 1, total: 1 }, { topic: 'saga.replies', pending: 1, total: 1 }], items };
    });
    const redrive = vi.fn(async (body: unknown) => ({ dryRun: (body as { dryRun: boolean }).dryRun, matched: 1, redriven: 1, ratePerS: 20 }));
    render(
      <QueryClientProvider client={new QueryClient()}>
        <DeadLetters load={load} redrive={redrive} navigate={() => undefined} />
      </QueryClientProvider>,
    );
    return { load, redrive };
  };

  it('given a topic chosen, lists only that topic and a filtered dry run says how many would go, at what rate', async () => {
    const { load, redrive } = mount();
    await waitFor(() => expect(screen.getAllByTestId('dead-letter')).toHaveLength(2));
    fireEvent.change(screen.getByLabelText('Topic'), { target: { value: 'saga.replies' } });
    await waitFor(() => expect(screen.getAllByTestId('dead-letter')).toHaveLength(1));
    expect(load).toHaveBeenLastCalledWith('topic=saga.replies');
    fireEvent.click(screen.getByText('Dry run: redrive filter'));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('1 would be redriven, at most 20/s'));
    expect(redrive).toHaveBeenCalledWith({ filter: { topic: 'saga.replies' }, dryRun: true });
  });

  it('redrives a selection by id', async () => {
    const { redrive } = mount();
    await waitFor(() => expect(screen.getAllByTestId('dead-letter')).toHaveLength(2));
    fireEvent.click(screen.getByLabelText('Select b/0/2'));
    fireEvent.click(screen.getByText('Redrive selected (1)'));
    await waitFor(() => expect(redrive).toHaveBeenCalledWith({ ids: ['b/0/2'], dryRun: false }));
  });
});
