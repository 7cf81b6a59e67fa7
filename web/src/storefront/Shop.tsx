import { ProductView } from '@shopfront/contracts/web';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api, ApiProblem, formatMoney } from '../shared/api.js';
import { Checkout } from './Checkout.js';

const Products = z.object({ items: z.array(ProductView) });
export type Cart = Record<string, number>;

/** The catalog with price and availability, and the cart beside it. */
export function Shop({ apiKey, navigate }: { apiKey: string; navigate: (to: string) => void }) {
  const [cart, setCart] = useState<Cart>({});
  const products = useQuery({
    queryKey: ['products', apiKey],
    queryFn: async () => (await api('/v1/products', { key: apiKey, schema: Products })).body.items,
    enabled: apiKey !== '',
  });
  const add = (sku: string, delta: number) =>
    setCart((current) => {
      const quantity = (current[sku] ?? 0) + delta;
      const { [sku]: _removed, ...rest } = current;
      return quantity > 0 ? { ...rest, [sku]: quantity } : rest;
    });
  const bySku = new Map((products.data ?? []).map((product) => [product.sku, product]));
  const lines = Object.entries(cart).flatMap(([sku, quantity]) => (bySku.has(sku) ? [{ product: bySku.get(sku)!, quantity }] : []));
  const total = lines.reduce((sum, line) => sum + line.product.price.amount * line.quantity, 0);
  const currency = lines[0]?.product.price.currency ?? 'EUR';
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)', gap: '1rem' }}>
      <section className="card" aria-labelledby="catalog-title">
        <h2 id="catalog-title">Catalog</h2>
        {apiKey === '' && <p className="notice">Type your client API key in the header to browse.</p>}
        {products.error && <p className="error" role="alert">{(products.error as ApiProblem).message}</p>}
        {products.isPending && apiKey !== '' && <p className="muted">Loading the catalog…</p>}
        <div className="grid">
          {products.data?.map((product) => (
            <article className="product" key={product.sku} aria-label={product.name}>
              <strong>{product.name}</strong>
              <span className="muted mono">{product.sku}</span>
              <span>{formatMoney(product.price)}</span>
              <span className="muted">{product.available > 0 ? `${product.available} available` : 'Out of stock'}</span>
              <button onClick={() => add(product.sku, 1)} disabled={product.available <= (cart[product.sku] ?? 0)} aria-label={`Add to cart: ${product.name}`}>
                Add to cart
              </button>
            </article>
          ))}
        </div>
      </section>
      <div>
        <section className="card" aria-labelledby="cart-title">
          <h2 id="cart-title">Cart</h2>
          {lines.length === 0 ? (
            <p className="muted">Your cart is empty.</p>
          ) : (
            <table>
              <tbody>
                {lines.map(({ product, quantity }) => (
                  <tr key={product.sku}>
                    <td>{product.name}</td>
                    <td>
                      <button className="secondary" onClick={() => add(product.sku, -1)} aria-label={`One less ${product.name}`}>−</button> {quantity}{' '}
                      <button className="secondary" onClick={() => add(product.sku, 1)} aria-label={`One more ${product.name}`}>+</button>
                    </td>
                    <td>{formatMoney({ amount: product.price.amount * quantity, currency })}</td>
                  </tr>
                ))}
                <tr>
                  <th colSpan={2}>Total</th>
                  <th>{formatMoney({ amount: total, currency })}</th>
                </tr>
              </tbody>
            </table>
          )}
        </section>
        {lines.length > 0 && <Checkout apiKey={apiKey} cart={cart} onPlaced={(orderId) => navigate(`/orders/${orderId}`)} />}
      </div>
    </div>
  );
}
