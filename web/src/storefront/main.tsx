import { QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { loadWebConfig } from '../shared/api.js';
import { mount, usePath } from '../shared/app.js';
import { Shop } from './Shop.js';
import { OrderPage } from './OrderPage.js';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });
const keyStorage = 'shopfront.apiKey';

/** `/` is the shop; `/orders/{id}` one order, live. Navigation is pushState: no reload, the stream stays open. */
function App() {
  const [path, navigate] = usePath();
  const [apiKey, setApiKey] = useState(() => localStorage.getItem(keyStorage) ?? '');
  useEffect(() => {
    if (!localStorage.getItem(keyStorage)) void loadWebConfig().then((config) => setApiKey((key) => key || config.defaultApiKey));
  }, []);
  const changeKey = (key: string) => {
    setApiKey(key);
    localStorage.setItem(keyStorage, key);
  };
  const orderId = /^\/orders\/([0-9a-f-]{36})$/i.exec(path)?.[1];
  return (
    <>
      <header className="bar">
        <h1>
          <a href="/" onClick={(event) => { event.preventDefault(); navigate('/'); }}>Shopfront</a>
        </h1>
        <span className="muted" style={{ color: '#cfd6e4' }}>storefront</span>
        <label>
          API key
          <input value={apiKey} onChange={(event) => changeKey(event.target.value)} autoComplete="off" spellCheck={false} />
        </label>
      </header>
      <main>{orderId ? <OrderPage orderId={orderId} apiKey={apiKey} /> : <Shop apiKey={apiKey} navigate={navigate} />}</main>
    </>
  );
}

mount(App, queryClient);
