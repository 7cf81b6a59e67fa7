/** What every browser scenario shares: its context, a same-origin page, and the clicks a person makes. */
import { eventually } from '@shopfront/testing';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ServiceName } from '../platform/types.js';
import { sameOriginPage } from './browser.js';

export interface BrowserContext {
  browser: Browser;
  gatewayUrl: string;
  screenshots: string;
  /** A service's own database, for the scenarios that break something on purpose. */
  databaseUrl(service: ServiceName): string;
  /** Where every service of the platform writes its spans (OTEL_TRACES_EXPORTER=file). */
  spansFile: string;
}
export interface Scenario {
  name: string;
  run(context: BrowserContext): Promise<void>;
}

export const adminKey = 'admin-key';
export const timeout = 30_000;

export async function withPage<T>(context: BrowserContext, work: (page: Page, foreign: string[]) => Promise<T>, options: { bypassCSP?: boolean } = {}): Promise<T> {
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
export async function placeByClicking(page: Page, gatewayUrl: string, card: string): Promise<number> {
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

export async function orderIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout });
  return page.url().split('/').pop()!;
}

export async function typeAdminKey(page: Page): Promise<void> {
  const field = page.getByLabel('Admin key');
  assert.equal(await field.inputValue(), '', 'the admin key is never prefilled');
  await field.fill(adminKey);
}

export const shot = (page: Page, context: BrowserContext, name: string) => page.screenshot({ path: join(context.screenshots, `${name}.png`), fullPage: true });
