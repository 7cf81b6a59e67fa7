import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { ApiProblem } from '../shared/api.js';
import { adminApi, Resilience as ResilienceSchema } from './admin.js';

const services = ['order', 'inventory', 'payment', 'shipping', 'orchestrator', 'payment-provider', 'gateway'] as const;
const effects: Record<(typeof services)[number], string> = {
  order: 'Order reads and POSTs fail: the gateway opens the order circuit and answers 503 at once.',
  inventory: 'Admin inventory calls fail: the inventory circuit opens; sagas carry on through Kafka.',
  payment: 'Admin payment calls fail: the payment circuit opens.',
  shipping: 'Admin shipment calls fail: the shipping circuit opens.',
  orchestrator: 'Saga lookups fail: the orchestrator circuit opens.',
  'payment-provider': 'Card authorizations fail or slow down: sagas retry, then cancel with TIMEOUT.',
  gateway: 'The gateway itself answers slowly or with errors.',
};

/** Breakers, bulkheads, rate-limit and admission refusals at the gateway, refreshed every second. */
export function Resilience() {
  const state = useQuery({ queryKey: ['resilience'], queryFn: () => adminApi('/v1/admin/resilience', ResilienceSchema), refetchInterval: 1_000 });
  return (
    <section className="card" aria-labelledby="resilience-title">
      <h2 id="resilience-title">Resilience</h2>
      {state.error && <p className="error" role="alert">{(state.error as ApiProblem).message}</p>}
      <table>
        <thead><tr><th>Upstream</th><th>Circuit</th><th>Bulkhead (running / limit)</th><th>Queue (waiting / limit)</th></tr></thead>
        <tbody>
          {state.data?.items.map((item) => (
            <tr key={item.upstream} data-testid={`breaker-${item.upstream}`}>
              <td>{item.upstream}</td>
              <td><span className={`status ${item.circuit.state}`} data-testid={`circuit-${item.upstream}`}>{item.circuit.state}</span>{item.circuit.retryAfterS !== undefined && <span className="muted"> probe in {item.circuit.retryAfterS} s</span>}</td>
              <td>{item.bulkhead.executionSlots.used} / {item.bulkhead.executionSlots.limit}</td>
              <td>{item.bulkhead.queueSlots.used} / {item.bulkhead.queueSlots.limit}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.data && <p>Rate limit on this replica: {state.data.rateLimit.allowed} allowed, <strong>{state.data.rateLimit.limited} refused (429)</strong>.</p>}
      {state.data?.admission && (
        <p data-testid="admission">
          Admission on this replica: {state.data.admission.ordersInFlight ?? 'unknown'} orders in flight of {state.data.admission.ordersInFlightBound} admitted,{' '}
          {state.data.admission.concurrent} requests being served; refused (503 OVERLOADED): <strong>{state.data.admission.refused.checkout} checkouts</strong>,{' '}
          {state.data.admission.refused.browse} catalog reads, {state.data.admission.refused.status} status reads.
        </p>
      )}
    </section>
  );
}

/** Fault injection per service (only where the gateway mounts the faults route: CHAOS_ENABLED). */
export function Chaos() {
  const [service, setService] = useState<(typeof services)[number]>('order');
  const [errorRate, setErrorRate] = useState('1');
  const [latencyMs, setLatencyMs] = useState('0');
  const [outcome, setOutcome] = useState<string>();
  const set = async (settings: { errorRate: number; latencyMs: number }) => {
    try {
      await adminApi(`/v1/admin/faults/${service}`, z.unknown(), { method: 'PUT', body: settings });
      setOutcome(`${service}: errorRate ${settings.errorRate}, latency ${settings.latencyMs} ms`);
    } catch (error) {
      const problem = error as ApiProblem;
      setOutcome(problem.status === 404 ? 'Chaos is not enabled on this platform (CHAOS_ENABLED=false).' : problem.message);
    }
  };
  return (
    <section className="card" aria-labelledby="chaos-title">
      <h2 id="chaos-title">Chaos</h2>
      <div className="form-row">
        <label>
          Service
          <select value={service} onChange={(event) => setService(event.target.value as (typeof services)[number])}>
            {services.map((name) => <option key={name}>{name}</option>)}
          </select>
        </label>
        <label>
          Error rate (0–1)
          <input type="number" min={0} max={1} step={0.1} value={errorRate} onChange={(event) => setErrorRate(event.target.value)} />
        </label>
        <label>
          Latency (ms)
          <input type="number" min={0} step={100} value={latencyMs} onChange={(event) => setLatencyMs(event.target.value)} />
        </label>
      </div>
      <p className="muted">Expected: {effects[service]} Watch the circuit above and the upstream outcomes in Charts.</p>
      <button onClick={() => void set({ errorRate: Number(errorRate), latencyMs: Number(latencyMs) })}>Set fault</button>{' '}
      <button className="secondary" onClick={() => void set({ errorRate: 0, latencyMs: 0 })}>Heal</button>
      {outcome && <p className="notice" role="status">{outcome}</p>}
    </section>
  );
}
