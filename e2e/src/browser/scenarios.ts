import { createMessage, deadLetterTopic, Topics } from '@shopfront/contracts';
import { createKafka, prefixed, reliableProducer } from '@shopfront/messaging';
import { eventually } from '@shopfront/testing';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, sameOriginPage } from './browser.js';

export interface BrowserContext {
  browser: Browser;
  gatewayUrl: string;
  screenshots: string;
  topicPrefix: string;
}
export interface Scenario {
  name: string;
  run(context: BrowserContext): Promise<void>;
}

const adminKey = 'admin-key';
const timeout = 30_000;

async function withPage<T>(context: BrowserContext, work: (page: Page, foreign: string[]) => Promise<T>, options: { bypassCSP?: boolean } = {}): Promise<T> {
  const foreign: string[] = [];
  const page = await sameOriginPage(context.browser, context.gatewayUrl, foreign, options);
  try {
    const result = await work(page, foreign);
    assert.deepEqual(foreign, [], 'the page asked another origin');
    return result;
  } finally {
    await page.context().close();
  }
}

/** Clicks through the storefront: one SKU-001 in the cart, the given card, Place order. Returns the click time. */
async function placeByClicking(page: Page, gatewayUrl: string, card: string): Promise<number> {
  await page.goto(`${gatewayUrl}/`);
  // The development configuration prefills the client key (read from /web-config.json at start).
  const field = page.getByLabel('API key');
  await eventually(async () => (await field.inputValue()) === 'dev-key-1', { timeoutMs: 10_000, what: 'the prefilled API key' }).catch(() => undefined);
  assert.equal(await page.getByLabel('API key').inputValue(), 'dev-key-1', 'the development configuration prefills the client key');
  await page.getByRole('button', { name: /^Add to cart: / }).first().click();
  await page.getByRole('radio', { name: new RegExp(card) }).check();
  const button = page.getByRole('button', { name: 'Place order' });
  const clicked = Date.now();
  await button.click();
  return clicked;
}

async function orderIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout });
  return page.url().split('/').pop()!;
}

async function typeAdminKey(page: Page): Promise<void> {
  const field = page.getByLabel('Admin key');
  assert.equal(await field.inputValue(), '', 'the admin key is never prefilled');
  await field.fill(adminKey);
}

const shot = (page: Page, context: BrowserContext, name: string) => page.screenshot({ path: join(context.screenshots, `${name}.png`), fullPage: true });

export const browserScenarios: Scenario[] = [
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
        await shot(page, context, 'console-saga');
        await page.getByRole('link', { name: 'Sagas' }).click();
        await page.getByText(orderId).waitFor({ timeout });
        await shot(page, context, 'console-sagas');
      }),
  },
  {
    name: 'console: a message dead-lettered on purpose is redriven from the console and reaches its order',
    run: async (context) => {
      const orderId = await withPage(context, async (page) => {
        await placeByClicking(page, context.gatewayUrl, '4242424242424242');
        const id = await orderIdOf(page);
        await page.getByTestId('order-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
        return id;
      });
      // What the order service's timeline consumer parks when it cannot process a message: the message and x-dlq-* headers.
      const message = createMessage('SagaStepRecorded', { orderId, step: 'operatorCheck', phase: 'SUCCEEDED', detail: 'redriven from the console' }, { correlationId: orderId, causationId: null });
      const kafka = createKafka({ clientId: 'browser-test', brokers: ['127.0.0.1:9092'], topicPrefix: context.topicPrefix });
      const producer = kafka.producer(reliableProducer);
      await producer.connect();
      const source = prefixed(context.topicPrefix, Topics.sagaEvents);
      await producer.send({
        topic: prefixed(context.topicPrefix, deadLetterTopic(Topics.sagaEvents)),
        acks: -1,
        messages: [{ key: orderId, value: JSON.stringify(message), headers: { 'x-dlq-consumer': 'order.saga-steps', 'x-dlq-source': `${source}/0/0`, 'x-dlq-attempts': '1', 'x-dlq-error': 'dead-lettered on purpose by the browser test', 'x-dlq-at': new Date().toISOString() } }],
      });
      await producer.disconnect();
      await withPage(context, async (page) => {
        await page.goto(`${context.gatewayUrl}/console/dead-letters`);
        await typeAdminKey(page);
        const row = page.getByTestId('dead-letter').filter({ hasText: orderId });
        await row.waitFor({ timeout });
        assert.match(await row.innerText(), /dead-lettered on purpose/);
        await page.getByLabel('Failure reason contains').fill('on purpose');
        await page.getByRole('button', { name: 'Dry run: redrive filter' }).click();
        await page.getByRole('status').filter({ hasText: /Dry run \(filter\): \d+ would be redriven/ }).waitFor({ timeout });
        await shot(page, context, 'console-dead-letters');
        await row.getByRole('button', { name: 'Redrive' }).click();
        await page.getByRole('status').filter({ hasText: 'Redrove 1 of 1' }).waitFor({ timeout });
      });
      await eventually(async () => {
        const timeline = (await (await fetch(`${context.gatewayUrl}/v1/orders/${orderId}/timeline`, { headers: { 'x-api-key': 'dev-key-1' } })).json()) as { items: { step?: string }[] };
        return timeline.items.some((entry) => entry.step === 'operatorCheck');
      }, { timeoutMs: timeout, what: 'the redriven message in its order timeline' });
    },
  },
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
            if (path === '/console/charts') await shot(page, context, 'console-charts');
          }
          assert.deepEqual(serious, []);
        },
        { bypassCSP: true },
      ),
  },
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

/** Time from the "Place order" click to CONFIRMED on screen, over `count` orders, one at a time. */
export async function measureClickToConfirmed(context: BrowserContext, count: number): Promise<void> {
  const timings: number[] = [];
  await withPage(context, async (page) => {
    for (let index = 0; index < count; index++) {
      const clicked = await placeByClicking(page, context.gatewayUrl, '4242424242424242');
      await page.getByTestId('order-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
      timings.push(Date.now() - clicked);
    }
  });
  timings.sort((a, b) => a - b);
  const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]!;
  console.log(`click → CONFIRMED on screen over ${count} orders: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${timings.at(-1)} ms`);
}
