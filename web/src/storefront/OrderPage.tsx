import { OrderView, type OrderStreamEvent, type TimelineEntry } from '@shopfront/contracts/web';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, ApiProblem, formatMoney, formatTime } from '../shared/api.js';
import { followOrder } from '../shared/event-stream.js';
import { checkoutStorage, recordAnswer, submissionsOf, submitOrder, type PlacedCheckout, type Submissions } from './Checkout.js';

type Live = { status: string; reason: string | null; timeline: TimelineEntry[]; connection: string };

/** One order: its status and timeline from the event stream, as they happen, no reload and no polling. */
export function OrderPage({ orderId, apiKey }: { orderId: string; apiKey: string }) {
  const order = useQuery({ queryKey: ['order', orderId, apiKey], queryFn: async () => (await api(`/v1/orders/${orderId}`, { key: apiKey, schema: OrderView })).body, enabled: apiKey !== '' });
  const [live, setLive] = useState<Live>({ status: '', reason: null, timeline: [], connection: 'connecting' });
  useEffect(() => {
    if (!apiKey) return;
    setLive({ status: '', reason: null, timeline: [], connection: 'connecting' });
    return followOrder(orderId, apiKey, {
      onEvent: (event: OrderStreamEvent) =>
        setLive((current) =>
          event.event === 'status' ? { ...current, status: event.data.status, reason: event.data.reason } : { ...current, timeline: [...current.timeline, event.data] },
        ),
      onState: (connection) => setLive((current) => ({ ...current, connection })),
    });
  }, [orderId, apiKey]);
  const status = live.status || order.data?.status || '…';
  const reason = live.reason ?? order.data?.reason ?? null;
  return (
    <>
      <section className="card" aria-labelledby="order-title">
        <h2 id="order-title">Order <span className="mono">{orderId}</span></h2>
        {order.error && <p className="error" role="alert">{(order.error as ApiProblem).message}</p>}
        <p>
          Status: <span className={`status ${status}`} data-testid="order-status" aria-live="polite">{status}</span>
          {reason && <> — reason <strong data-testid="order-reason">{reason}</strong></>}
          <span className="muted"> · live updates: {live.connection}</span>
        </p>
        {order.data && (
          <table>
            <thead><tr><th>SKU</th><th>Quantity</th><th>Unit price</th></tr></thead>
            <tbody>
              {order.data.items.map((item) => (
                <tr key={item.sku}><td className="mono">{item.sku}</td><td>{item.quantity}</td><td>{formatMoney(item.unitPrice)}</td></tr>
              ))}
              <tr><th colSpan={2}>Total</th><th>{formatMoney(order.data.total)}</th></tr>
            </tbody>
          </table>
        )}
        <Idempotency orderId={orderId} apiKey={apiKey} />
      </section>
      <section className="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Saga timeline</h2>
        <ol className="timeline" data-testid="timeline">
          {live.timeline.map((entry, index) => (
            <li key={index}>
              <span className="mono">{formatTime(entry.at)}</span> {entry.step ? <strong>{entry.step}</strong> : <strong>{entry.kind}</strong>}{' '}
              {entry.phase && <span className={`status ${entry.phase}`}>{entry.phase}</span>} {entry.detail && <span className="muted">{entry.detail}</span>}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** How many submits made this one order, and a button to send the same submit again. */
function Idempotency({ orderId, apiKey }: { orderId: string; apiKey: string }) {
  const [counts, setCounts] = useState<Submissions | undefined>(() => submissionsOf(orderId));
  useEffect(() => {
    const update = (event: Event) => (event as CustomEvent<string>).detail === orderId && setCounts(submissionsOf(orderId));
    addEventListener('shopfront:submission', update);
    return () => removeEventListener('shopfront:submission', update);
  }, [orderId]);
  const stored = sessionStorage.getItem(checkoutStorage(orderId));
  if (!stored) return null;
  const checkout = JSON.parse(stored) as PlacedCheckout;
  const again = async () => recordAnswer(checkout.idempotencyKey, await submitOrder(apiKey, checkout));
  const others = counts ? counts.replayed + counts.inFlight : 0;
  return (
    <div>
      <p className="muted">
        Idempotency-Key: <span className="mono">{checkout.idempotencyKey}</span>
      </p>
      {others > 0 && (
        <p className="notice" role="status" data-testid="idempotency-notice">
          Submitted {others + (counts?.fresh ?? 0)} times with this key: one order. {counts!.replayed > 0 && `${counts!.replayed} answered with the first answer replayed (Idempotent-Replayed: true)`}
          {counts!.inFlight > 0 && ` ${counts!.inFlight} refused while the first was in flight (409)`}.
        </p>
      )}
      <button className="secondary" onClick={() => void again()}>Submit again with the same key</button>
    </div>
  );
}
