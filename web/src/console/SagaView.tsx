import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { ApiProblem, formatTime } from '../shared/api.js';
import { adminApi, Audit, SagaDetail } from './admin.js';
import { SagaSteps } from './SagaSteps.js';

const actions = {
  retry: 'Retry the step waiting for a reply now (its command is sent again).',
  compensate: 'Force compensation: undo every step done, in reverse order, and cancel the order.',
  cancel: "Cancel the order on the customer's behalf (refused once it can no longer be cancelled).",
} as const;
type Action = keyof typeof actions;

/** One saga drawn step by step, with its actions (each confirmed first, each recorded). */
export function SagaView({ orderId }: { orderId: string }) {
  const client = useQueryClient();
  const saga = useQuery({ queryKey: ['saga', orderId], queryFn: () => adminApi(`/v1/admin/sagas/${orderId}`, SagaDetail), refetchInterval: 1_000 });
  const audit = useQuery({ queryKey: ['audit', orderId], queryFn: () => adminApi(`/v1/admin/audit?target=${orderId}`, Audit), refetchInterval: 5_000 });
  const [confirming, setConfirming] = useState<Action>();
  const [outcome, setOutcome] = useState<string>();
  const run = async (action: Action) => {
    setConfirming(undefined);
    try {
      await adminApi(`/v1/admin/sagas/${orderId}/${action}`, z.unknown(), { method: 'POST' });
      setOutcome(`${action}: accepted`);
    } catch (error) {
      setOutcome(`${action}: ${(error as ApiProblem).message}`);
    }
    void client.invalidateQueries({ queryKey: ['audit', orderId] });
  };
  const data = saga.data;
  return (
    <>
      <section className="card" aria-labelledby="saga-title">
        <h2 id="saga-title">Saga <span className="mono">{orderId}</span></h2>
        {saga.error && <p className="error" role="alert">{(saga.error as ApiProblem).message}</p>}
        {data && (
          <p>
            <span className={`status ${data.status}`} data-testid="saga-status">{data.status}</span> {data.reason && <strong>{data.reason}</strong>} · started{' '}
            <span className="mono">{formatTime(data.startedAt)}</span> · correlation id <span className="mono">{orderId}</span>
          </p>
        )}
        <div className="form-row">
          {(Object.keys(actions) as Action[]).map((action) => (
            <button key={action} className="secondary" onClick={() => setConfirming(action)} disabled={!data || data.status === 'CONFIRMED' || data.status === 'CANCELLED'}>
              {action === 'retry' ? 'Retry stuck step' : action === 'compensate' ? 'Force compensation' : 'Cancel order'}
            </button>
          ))}
        </div>
        {confirming && (
          <div role="alertdialog" aria-labelledby="confirm-title" className="notice">
            <p id="confirm-title">{actions[confirming]} Proceed?</p>
            <button onClick={() => void run(confirming)}>Confirm {confirming}</button>{' '}
            <button className="secondary" onClick={() => setConfirming(undefined)}>Keep as is</button>
          </div>
        )}
        {outcome && <p className="notice" role="status">{outcome}</p>}
        {data && <SagaSteps log={data.log} />}
      </section>
      <section className="card" aria-labelledby="audit-title">
        <h2 id="audit-title">Operator actions on this order</h2>
        <table>
          <tbody>
            {audit.data?.items.map((item) => (
              <tr key={item.id}><td className="mono">{formatTime(item.at)}</td><td>{item.actor}</td><td>{item.action}</td><td>{item.outcome}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
