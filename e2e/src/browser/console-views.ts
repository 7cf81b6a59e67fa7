/** The console's sagas list as an operator uses it: filtered by state, reason and "stuck". */
import { anOrder, eventually } from '@shopfront/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { timeout, typeAdminKey, withPage, type Scenario } from './pages.js';

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
