import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { ApiProblem, formatTime } from '../shared/api.js';
import { adminApi, SagaRow } from './admin.js';

const reasons = ['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'INSUFFICIENT_FUNDS', 'SHIPPING_UNAVAILABLE', 'CUSTOMER_CANCELLED', 'TIMEOUT'];

/** Sagas filtered by state, reason, age and "stuck" (no progress for N s), refreshed every 2 s. */
export function Sagas({ navigate }: { navigate: (to: string) => void }) {
  const [filter, setFilter] = useState({ status: '', reason: '', olderThanS: '', stuckForS: '' });
  const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== ''));
  const sagas = useQuery({ queryKey: ['sagas', query.toString()], queryFn: () => adminApi(`/v1/admin/sagas?${query}`, z.object({ items: z.array(SagaRow) })), refetchInterval: 2_000 });
  const set = (name: keyof typeof filter) => (event: { target: { value: string } }) => setFilter({ ...filter, [name]: event.target.value });
  return (
    <section className="card" aria-labelledby="sagas-title">
      <h2 id="sagas-title">Sagas</h2>
      <div className="form-row">
        <label>
          State
          <select value={filter.status} onChange={set('status')}>
            <option value="">any</option>
            {['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED'].map((status) => <option key={status}>{status}</option>)}
          </select>
        </label>
        <label>
          Reason
          <select value={filter.reason} onChange={set('reason')}>
            <option value="">any</option>
            {reasons.map((reason) => <option key={reason}>{reason}</option>)}
          </select>
        </label>
        <label>
          Older than (s)
          <input type="number" min={0} value={filter.olderThanS} onChange={set('olderThanS')} />
        </label>
        <label>
          Stuck for (s)
          <input type="number" min={0} value={filter.stuckForS} onChange={set('stuckForS')} />
        </label>
      </div>
      {sagas.error && <p className="error" role="alert">{(sagas.error as ApiProblem).message}</p>}
      <table>
        <thead><tr><th>Order</th><th>State</th><th>Step</th><th>Reason</th><th>Attempt</th><th>Started</th><th>Last progress</th></tr></thead>
        <tbody>
          {sagas.data?.items.map((saga) => (
            <tr key={saga.orderId}>
              <td>
                <a className="mono" href={`/console/orders/${saga.orderId}`} onClick={(event) => { event.preventDefault(); navigate(`/console/orders/${saga.orderId}`); }}>
                  {saga.orderId}
                </a>
              </td>
              <td><span className={`status ${saga.status}`}>{saga.status}</span></td>
              <td>{saga.step ?? '—'}</td>
              <td>{saga.reason ?? ''}</td>
              <td>{saga.attempt}</td>
              <td className="mono">{formatTime(saga.startedAt)}</td>
              <td className="mono">{formatTime(saga.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
