import { type PlaceOrderRequest } from '@shopfront/contracts/web';
import { useState } from 'react';
import { z } from 'zod';
import { api, ApiProblem } from '../shared/api.js';
import type { Cart } from './Shop.js';

export const testCards = [
  { card: '4242424242424242', outcome: 'approved' },
  { card: '4000000000000002', outcome: 'declined: PAYMENT_DECLINED' },
  { card: '4000000000009995', outcome: 'declined: INSUFFICIENT_FUNDS' },
] as const;
const Accepted = z.object({ orderId: z.string().uuid(), status: z.string() });

/** What the order page needs to retry the very same submit. */
export interface PlacedCheckout {
  idempotencyKey: string;
  request: PlaceOrderRequest;
}
export const checkoutStorage = (orderId: string) => `shopfront.checkout.${orderId}`;

/** Every answer to a submit, by order: the order page shows how many clicks made its one order. */
export interface Submissions {
  idempotencyKey: string;
  fresh: number;
  replayed: number;
  inFlight: number;
}
const submissions = new Map<string, Submissions>();
const byKey = new Map<string, string>();
export const submissionsOf = (orderId: string) => submissions.get(orderId);
export function recordAnswer(idempotencyKey: string, answer: { orderId: string; replayed: boolean } | 'in-flight') {
  const orderId = answer === 'in-flight' ? byKey.get(idempotencyKey) : answer.orderId;
  if (answer !== 'in-flight') byKey.set(idempotencyKey, answer.orderId);
  if (!orderId) return;
  const current = submissions.get(orderId) ?? { idempotencyKey, fresh: 0, replayed: 0, inFlight: 0 };
  if (answer === 'in-flight') current.inFlight++;
  else if (answer.replayed) current.replayed++;
  else current.fresh++;
  submissions.set(orderId, { ...current });
  dispatchEvent(new CustomEvent('shopfront:submission', { detail: orderId }));
}

export async function submitOrder(apiKey: string, checkout: PlacedCheckout) {
  const answer = await api('/v1/orders', { key: apiKey, schema: Accepted, method: 'POST', body: checkout.request, headers: { 'idempotency-key': checkout.idempotencyKey } });
  return { orderId: answer.body.orderId, replayed: answer.headers.get('idempotent-replayed') === 'true' };
}

/**
 * One idempotency key per checkout, shown before submitting: every click of
 * "Place order" (a double click, a retry after an error) sends the same key,
 * so the gateway makes one order and answers the others with it.
 */
export function Checkout({ apiKey, cart, onPlaced }: { apiKey: string; cart: Cart; onPlaced: (orderId: string) => void }) {
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [card, setCard] = useState<string>(testCards[0].card);
  const [address, setAddress] = useState({ name: 'Ada Lovelace', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' });
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const request: PlaceOrderRequest = {
    customerId: 'cust-web',
    items: Object.entries(cart).map(([sku, quantity]) => ({ sku, quantity })),
    payment: { card },
    shippingAddress: address,
  };
  const place = async () => {
    setError(undefined);
    try {
      const answer = await submitOrder(apiKey, { idempotencyKey, request });
      sessionStorage.setItem(checkoutStorage(answer.orderId), JSON.stringify({ idempotencyKey, request } satisfies PlacedCheckout));
      recordAnswer(idempotencyKey, answer);
      onPlaced(answer.orderId);
    } catch (failure) {
      const problem = failure as ApiProblem;
      if (problem.status === 409) {
        recordAnswer(idempotencyKey, 'in-flight');
        setNotice('This order is already being placed with this idempotency key; one order will be made.');
      }
      else setError(problem.message);
    }
  };
  const field = (name: keyof typeof address, label: string) => (
    <label>
      {label}
      <input value={address[name]} onChange={(event) => setAddress({ ...address, [name]: event.target.value })} />
    </label>
  );
  return (
    <section className="card" aria-labelledby="checkout-title">
      <h2 id="checkout-title">Checkout</h2>
      <fieldset style={{ border: 'none', padding: 0, margin: '0 0 .5rem' }}>
        <legend>Test card</legend>
        {testCards.map((option) => (
          <label key={option.card} style={{ display: 'block' }}>
            <input type="radio" name="card" value={option.card} checked={card === option.card} onChange={() => setCard(option.card)} />{' '}
            <span className="mono">{option.card}</span> <span className="muted">({option.outcome})</span>
          </label>
        ))}
      </fieldset>
      <div className="form-row">
        {field('name', 'Name')}
        {field('line1', 'Street')}
        {field('city', 'City')}
        {field('postalCode', 'Postal code')}
        {field('country', 'Country')}
      </div>
      <p className="muted">
        Idempotency-Key: <span className="mono" data-testid="idempotency-key">{idempotencyKey}</span>
        <br />
        Ship to country AQ to see the whole compensation chain.
      </p>
      <button onClick={() => void place()}>Place order</button>
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}
