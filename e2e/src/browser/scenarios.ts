import { readSpanFile } from '@shopfront/observability/sdk';
import { eventually } from '@shopfront/testing';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { accessibilityViolations } from './browser.js';
import { chartsAndRefusalsScenario, sagaFiltersScenario } from './console-views.js';
import { clickToConfirmed } from './measure.js';
import { adminKey, orderIdOf, placeByClicking, shot, timeout, typeAdminKey, withPage, type BrowserContext, type Scenario } from './pages.js';
import { cancelScenario, forceCompensationScenario, redriveRateScenario, redriveScenario, redriveSelectionScenario, retryScenario } from './operator-actions.js';

export type { BrowserContext, Scenario };

/** Every scenario, in order; the last one times `measureOrders` orders from click to CONFIRMED. */
export const browserScenarios = (measureOrders: number): Scenario[] => [
  {
    name: 'storefront: an order placed by clicking shows CONFIRMED without a reload; a second click makes no second order',
    run: (context) =>
      withPage(context, async (page) => {
        await page.goto(`${context.gatewayUrl}/`);
        await page.getByText('SKU-001').first().waitFor({ timeout });
        await shot(page, context, 'storefront');
        await placeByClicking(page, context.gatewayUrl, '4242424242424242');
        // A second click on the same checkout, as an impatient customer would.
        await page.getByRole('button', { name: 'Place order' }).click().catch(() => undefined);
        const orderId = await orderIdOf(page);
        await page.evaluate(() => ((globalThis as { notReloaded?: boolean }).notReloaded = true));
        await page.getByTestId('order-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
        assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true, 'the page was not reloaded');
        await page.getByRole('button', { name: 'Submit again with the same key' }).click();
        await page.getByTestId('idempotency-notice').filter({ hasText: 'one order' }).waitFor({ timeout });
        await page.getByTestId('timeline').getByText('OrderConfirmed').waitFor({ timeout });
        await shot(page, context, 'order-page');
        const orders = (await (await fetch(`${context.gatewayUrl}/v1/orders?customerId=cust-web&limit=100`, { headers: { 'x-api-key': 'dev-key-1' } })).json()) as { items: { orderId: string }[] };
        assert.equal(orders.items.filter((order) => order.orderId === orderId).length, 1);
      }),
  },
  {
    name: "console: a declined card's saga shows the compensation beside the step it undoes",
    run: (context) =>
      withPage(context, async (page) => {
        await placeByClicking(page, context.gatewayUrl, '4000000000000002');
        const orderId = await orderIdOf(page);
        await page.getByTestId('order-status').filter({ hasText: 'CANCELLED' }).waitFor({ timeout });
        await page.goto(`${context.gatewayUrl}/console/orders/${orderId}`);
        await typeAdminKey(page);
        await page.getByTestId('compensation-reserveStock').waitFor({ timeout });
        assert.match(await page.getByTestId('step-authorizePayment').innerText(), /FAILED[\s\S]*PAYMENT_DECLINED/);
        assert.match(await page.getByTestId('compensation-reserveStock').innerText(), /StepCompensated/);
        await tracedStepsOf(page, context, orderId);
        await shot(page, context, 'console-saga');
        await page.getByRole('link', { name: 'Sagas' }).click();
        await page.getByText(orderId).waitFor({ timeout });
        await shot(page, context, 'console-sagas');
      }),
  },
  redriveScenario,
  forceCompensationScenario,
  retryScenario,
  cancelScenario,
  redriveSelectionScenario,
  redriveRateScenario,
  {
    name: 'console: a fault set from the console opens the breaker; after the heal it closes',
    run: (context) =>
      withPage(context, async (page) => {
        await page.goto(`${context.gatewayUrl}/console/resilience`);
        await typeAdminKey(page);
        await page.getByTestId('circuit-order').filter({ hasText: 'closed' }).waitFor({ timeout });
        await page.getByLabel('Service').selectOption('order');
        await page.getByLabel('Error rate (0–1)').fill('1');
        await page.getByRole('button', { name: 'Set fault' }).click();
        await page.getByRole('status').filter({ hasText: 'order: errorRate 1' }).waitFor({ timeout });
        const traffic = keepReading(context.gatewayUrl);
        try {
          await page.getByTestId('circuit-order').filter({ hasText: 'open' }).waitFor({ timeout });
          await shot(page, context, 'console-resilience');
          await page.getByRole('button', { name: 'Heal' }).click();
          await page.getByTestId('circuit-order').filter({ hasText: 'closed' }).waitFor({ timeout });
        } finally {
          traffic.stop();
        }
      }),
  },
  {
    name: 'accessibility: axe-core finds no serious or critical violation on the storefront, the order page and the console',
    run: (context) =>
      withPage(
        context,
        async (page) => {
          const serious: string[] = [];
          const check = async (where: string) => {
            for (const violation of await accessibilityViolations(page)) {
              if (violation.impact === 'serious' || violation.impact === 'critical') serious.push(`${where}: ${violation.id} (${violation.impact}) ${violation.help} ×${violation.nodes}`);
            }
          };
          await page.goto(`${context.gatewayUrl}/`);
          await page.getByText('SKU-001').first().waitFor({ timeout });
          await check('storefront');
          await placeByClicking(page, context.gatewayUrl, '4242424242424242');
          await orderIdOf(page);
          await page.getByTestId('order-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
          await check('order page');
          for (const path of ['/console/', '/console/dead-letters', '/console/resilience', '/console/charts']) {
            await page.goto(`${context.gatewayUrl}${path}`);
            await page.getByLabel('Admin key').fill(adminKey);
            await page.waitForTimeout(2_500);
            await check(path);
          }
          assert.deepEqual(serious, []);
        },
        { bypassCSP: true },
      ),
  },
  sagaFiltersScenario,
  chartsAndRefusalsScenario,
  clickToConfirmed(measureOrders),
];

/** Client reads of a missing order through the gateway: what makes a failing upstream's breaker trip. */
function keepReading(gatewayUrl: string): { stop(): void } {
  let running = true;
  void (async () => {
    while (running) {
      await fetch(`${gatewayUrl}/v1/orders?limit=1`, { headers: { 'x-api-key': 'dev-key-2' } }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { stop: () => (running = false) };
}

/**
 * Every moment of the steps that ran (and of the compensation) shows a trace
 * id, and each is a trace of this order that the services really exported.
 */
async function tracedStepsOf(page: Page, context: BrowserContext, orderId: string): Promise<void> {
  const boxes = ['step-reserveStock', 'step-authorizePayment', 'compensation-reserveStock'];
  const shown = new Set<string>();
  for (const box of boxes) {
    const ids = await page.getByTestId(box).getByTestId('trace-id').locator('.copyable').allInnerTexts();
    assert.ok(ids.length >= 2, `${box}: ${ids.length} trace ids`);
    assert.equal(await page.getByTestId(box).getByText('no trace id').count(), 0, `${box}: a moment without a trace id`);
    for (const id of ids) shown.add(id.trim());
  }
  for (const id of shown) assert.match(id, /^[0-9a-f]{32}$/);
  await eventually(
    async () => {
      const spans = await readSpanFile(context.spansFile);
      return [...shown].every((id) => spans.some((span) => span.traceId === id && span.attributes['order.id'] === orderId));
    },
    { timeoutMs: 10_000, what: `spans of order ${orderId} in each trace the console shows (${[...shown].join(', ')})` },
  );
}
