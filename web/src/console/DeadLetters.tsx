import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { ApiProblem, formatTime } from '../shared/api.js';
import { adminApi, DeadLetters as DeadLettersSchema, type DeadLetter } from './admin.js';
import { emptyFilter, listQuery, redriveByFilter, type DeadLetterFilter } from './dead-letter-filter.js';

const Redrive = z.object({ dryRun: z.boolean(), matched: z.number(), redriven: z.number().optional(), ratePerS: z.number() });
type Fetch = (query: string) => Promise<z.infer<typeof DeadLettersSchema>>;
type Send = (body: unknown) => Promise<z.infer<typeof Redrive>>;

const fetchLetters: Fetch = (query) => adminApi(`/v1/admin/dead-letters?${query}`, DeadLettersSchema);
const sendRedrive: Send = (body) => adminApi('/v1/admin/dead-letters/redrive', Redrive, { method: 'POST', body });

/** Dead letters by topic, with reason and message; redrive one, a selection or the filter, with a dry run first if wished. */
export function DeadLetters({ load = fetchLetters, redrive = sendRedrive, navigate }: { load?: Fetch; redrive?: Send; navigate: (to: string) => void }) {
  const client = useQueryClient();
  const [filter, setFilter] = useState<DeadLetterFilter>(emptyFilter);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<string>();
  const [opened, setOpened] = useState<string>();
  const query = listQuery(filter);
  const letters = useQuery({ queryKey: ['dead-letters', query], queryFn: () => load(query), refetchInterval: 3_000 });
  const act = async (body: unknown, what: string) => {
    try {
      const answer = await redrive(body);
      setOutcome(answer.dryRun ? `Dry run (${what}): ${answer.matched} would be redriven, at most ${answer.ratePerS}/s.` : `Redrove ${answer.redriven} of ${answer.matched} (${what}).`);
      if (!answer.dryRun) setSelected(new Set());
    } catch (error) {
      setOutcome((error as ApiProblem).message);
    }
    void client.invalidateQueries({ queryKey: ['dead-letters'] });
  };
  const toggle = (id: string) => setSelected((current) => { const next = new Set(current); if (next.has(id)) next.delete(id); else next.add(id); return next; });
  const items: DeadLetter[] = letters.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="dlq-title">
      <h2 id="dlq-title">Dead letters</h2>
      <p className="muted">
        {letters.data?.topics.map((topic) => `${topic.topic}: ${topic.pending} pending of ${topic.total}`).join(' · ') || 'No dead letters.'}
      </p>
      <div className="form-row">
        <label>
          Topic
          <select value={filter.topic} onChange={(event) => setFilter({ ...filter, topic: event.target.value })}>
            <option value="">any</option>
            {letters.data?.topics.map((topic) => <option key={topic.topic}>{topic.topic}</option>)}
          </select>
        </label>
        <label>
          Message type
          <input value={filter.type} onChange={(event) => setFilter({ ...filter, type: event.target.value })} />
        </label>
        <label>
          Failure reason contains
          <input value={filter.error} onChange={(event) => setFilter({ ...filter, error: event.target.value })} />
        </label>
        <label style={{ flexDirection: 'row', alignItems: 'center' }}>
          <input type="checkbox" checked={filter.showRedriven} onChange={(event) => setFilter({ ...filter, showRedriven: event.target.checked })} /> show redriven
        </label>
      </div>
      <div className="form-row">
        <button className="secondary" onClick={() => void act(redriveByFilter(filter, true), 'filter')}>Dry run: redrive filter</button>
        <button onClick={() => void act(redriveByFilter(filter, false), 'filter')}>Redrive filter</button>
        <button onClick={() => void act({ ids: [...selected], dryRun: false }, 'selection')} disabled={selected.size === 0}>Redrive selected ({selected.size})</button>
      </div>
      {outcome && <p className="notice" role="status">{outcome}</p>}
      {letters.error && <p className="error" role="alert">{(letters.error as ApiProblem).message}</p>}
      <table>
        <thead><tr><th><span className="muted">select</span></th><th>At</th><th>Topic</th><th>Type</th><th>Reason</th><th>Order</th><th></th></tr></thead>
        <tbody>
          {items.map((letter) => (
            <tr key={letter.id} data-testid="dead-letter">
              <td><input type="checkbox" aria-label={`Select ${letter.id}`} checked={selected.has(letter.id)} onChange={() => toggle(letter.id)} disabled={letter.redrivenAt !== null} /></td>
              <td className="mono">{formatTime(letter.at)}</td>
              <td>{letter.sourceTopic}</td>
              <td>{letter.type ?? '?'}</td>
              <td>
                {letter.error} <span className="muted">({letter.attempts} attempts, {letter.consumer})</span>
                {opened === letter.id && <pre className="mono">{letter.message}</pre>}
                <button className="secondary" onClick={() => setOpened(opened === letter.id ? undefined : letter.id)}>{opened === letter.id ? 'Hide message' : 'Show message'}</button>
              </td>
              <td>
                {letter.orderId && (
                  <a className="mono" href={`/console/orders/${letter.orderId}`} onClick={(event) => { event.preventDefault(); navigate(`/console/orders/${letter.orderId}`); }}>{letter.orderId}</a>
                )}
              </td>
              <td>
                {letter.redrivenAt ? <span className="muted">redriven {formatTime(letter.redrivenAt)}</span> : <button onClick={() => void act({ ids: [letter.id], dryRun: false }, 'one')}>Redrive</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
