/** The console's sagas list as an operator uses it: filtered by state, reason and "stuck". */
import { anOrder, eventually } from '@shopfront/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { shot, timeout, typeAdminKey, withPage, type Scenario } from './pages.js';

const placeOne = (gatewayUrl: string, card = '4242424242424242') =>
  fetch(`${gatewayUrl}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'dev-key-1', 'idempotency-key': randomUUID() },
    body: JSON.stringify(anOrder({ card })),
  });

/** Until the order is CONFIRMED or CANCELLED. */
async function ended(gatewayUrl: string, orderId: string): Promise<void> {
  await eventually(
    async () => {
      const answer = await fetch(`${gatewayUrl}/v1/orders/${orderId}`, { headers: { 'x-api-key': 'dev-key-1' } });
      const body = (await answer.json()) as { status?: string };
      return body.status === 'CONFIRMED' || body.status === 'CANCELLED';
    },
    { what: `order ${orderId} ended`, timeoutMs: timeout },
  );
}

export const sagaFiltersScenario: Scenario = {
  name: 'console: the sagas list filters by state and reason, and "stuck for" leaves out sagas that ended',
  run: (context) =>
    withPage(context, async (page) => {
      const [confirmed, declined] = await Promise.all(
        ['4242424242424242', '4000000000000002'].map(async (card) => ((await (await placeOne(context.gatewayUrl, card)).json()) as { orderId: string }).orderId),
      );
      await Promise.all([ended(context.gatewayUrl, confirmed!), ended(context.gatewayUrl, declined!)]);
      await page.goto(`${context.gatewayUrl}/console/`);
      await typeAdminKey(page);
      const listed = async (orderId: string) => (await page.getByRole('link', { name: orderId }).count()) > 0;
      const shows = (orderId: string) => page.getByRole('link', { name: orderId }).waitFor({ timeout });
      await shows(confirmed!);

      await page.getByLabel('State').selectOption('CANCELLED');
      await page.getByLabel('Reason').selectOption('PAYMENT_DECLINED');
      await shows(declined!);
      assert.equal(await listed(confirmed!), false, 'a confirmed saga is not CANCELLED for PAYMENT_DECLINED');

      await page.getByLabel('Reason').selectOption('');
      await page.getByLabel('State').selectOption('CONFIRMED');
      await shows(confirmed!);
      assert.equal(await listed(declined!), false, 'a cancelled saga is not CONFIRMED');

      await page.getByLabel('State').selectOption('');
      await page.getByLabel('Stuck for (s)').fill('1');
      await page.getByLabel('Stuck for (s)').press('Tab');
      await page.waitForTimeout(2_500); // one refresh of the list
      assert.equal(await listed(confirmed!), false, 'an ended saga is never stuck');
      assert.equal(await listed(declined!), false, 'an ended saga is never stuck');
    }),
};

/** The charts and the rate-limit counter as an operator watches them while traffic flows. */
export const chartsAndRefusalsScenario: Scenario = {
  name: 'console: the charts show orders completing, and the resilience page counts the 429s a client got',
  run: (context) =>
    withPage(context, async (page) => {
      await page.goto(`${context.gatewayUrl}/console/charts`);
      await typeAdminKey(page);
      // Orders ending throughout a few of the chart's 2 s reads (one read apart is not enough: the
      // bug this guards against showed the first point right and every later one at 0.0).
      let placing = true;
      const placed = (async () => {
        const ids: string[] = [];
        while (placing) {
          const answer = await placeOne(context.gatewayUrl);
          if (answer.status === 202) ids.push(((await answer.json()) as { orderId: string }).orderId);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return ids;
      })();
      try {
        const figures = page.getByText(/^now: /);
        await eventually(async () => Number(/now: ([\d.]+) orders\/s/.exec(await figures.innerText())?.[1] ?? 0) > 0, { timeoutMs: timeout, what: 'a chart point with orders/s above 0' });
        await page.waitForTimeout(4_500); // two more reads: later points move too
        const text = await figures.innerText();
        assert.ok(Number(/now: ([\d.]+) orders\/s/.exec(text)?.[1] ?? 0) > 0, `orders/s after three reads: ${text}`);
        assert.match(text, /p50 \d+ ms/, 'a place→terminal p50 from the sagas that ended');
        await shot(page, context, 'console-charts');
      } finally {
        placing = false;
        for (const orderId of await placed) await ended(context.gatewayUrl, orderId);
      }

      // More reads at once than the platform's limit for one key (RATE_LIMIT_POINTS, set low for this suite).
      const answers = await Promise.all(Array.from({ length: 150 }, () => fetch(`${context.gatewayUrl}/v1/orders?limit=1`, { headers: { 'x-api-key': 'dev-key-2' } }).then((answer) => answer.status)));
      const limited = answers.filter((status) => status === 429).length;
      assert.ok(limited > 0, `no 429 among ${answers.length} reads: ${[...new Set(answers)].join(', ')}`);
      await page.getByRole('link', { name: 'Resilience' }).click();
      const counter = page.getByText(/refused \(429\)/);
      await eventually(async () => Number(/(\d+) refused \(429\)/.exec(await counter.innerText())?.[1] ?? 0) >= limited, { timeoutMs: timeout, what: `the resilience page counting at least the ${limited} refusals the client got` });
    }),
};
