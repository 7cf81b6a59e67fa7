import { QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { mount, usePath } from '../shared/app.js';
import { keyStorage } from './admin.js';
import { Charts } from './Charts.js';
import { DeadLetters } from './DeadLetters.js';
import { Chaos, Resilience } from './Resilience.js';
import { Sagas } from './Sagas.js';
import { SagaView } from './SagaView.js';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
const tabs = [
  ['/console/', 'Sagas'],
  ['/console/dead-letters', 'Dead letters'],
  ['/console/resilience', 'Resilience & chaos'],
  ['/console/charts', 'Charts'],
] as const;

/** The operations console. The admin key is typed in and kept for this tab only (sessionStorage), never prefilled. */
function App() {
  const [path, navigate] = usePath();
  const [adminKey, setAdminKey] = useState(() => sessionStorage.getItem(keyStorage) ?? '');
  const changeKey = (key: string) => {
    setAdminKey(key);
    sessionStorage.setItem(keyStorage, key);
    void queryClient.invalidateQueries();
  };
  const orderId = /^\/console\/orders\/([0-9a-f-]{36})$/i.exec(path)?.[1];
  let page;
  if (!adminKey) page = <p className="notice">Type the admin key in the header to use the console.</p>;
  else if (orderId) page = <SagaView orderId={orderId} />;
  else if (path === '/console/dead-letters') page = <DeadLetters navigate={navigate} />;
  else if (path === '/console/resilience') page = (<><Resilience /><Chaos /></>);
  else if (path === '/console/charts') page = <Charts />;
  else page = <Sagas navigate={navigate} />;
  return (
    <>
      <header className="bar">
        <h1>Shopfront console</h1>
        <a href="/">storefront</a>
        <label>
          Admin key
          <input type="password" value={adminKey} onChange={(event) => changeKey(event.target.value)} autoComplete="off" />
        </label>
      </header>
      <main>
        <nav className="tabs" aria-label="Console sections">
          {tabs.map(([to, label]) => (
            <a key={to} href={to} aria-current={path === to ? 'page' : undefined} onClick={(event) => { event.preventDefault(); navigate(to); }}>
              {label}
            </a>
          ))}
        </nav>
        {page}
      </main>
    </>
  );
}

mount(App, queryClient);
