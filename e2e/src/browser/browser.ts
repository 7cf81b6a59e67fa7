import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, as the project's machines install it (never a downloaded build). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page that fails the test on any request to another origin: the pages
 * must work with nothing but the gateway.
 */
export async function sameOriginPage(browser: Browser, origin: string, foreign: string[], options: { bypassCSP?: boolean } = {}): Promise<Page> {
  // bypassCSP only for the accessibility pass, which injects axe-core into the page.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: options.bypassCSP ?? false });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) {
      foreign.push(url);
      return route.abort();
    }
    return route.continue();
  });
  return context.newPage();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core run inside the page; serious and critical violations are what fail. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } }).axe;
    return (await axe.run()).violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.length }));
  });
  return result;
}
