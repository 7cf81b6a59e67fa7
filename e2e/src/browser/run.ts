/**
 * Browser tests: real headless Chromium (Debian's, through playwright-core)
 * against a local platform of their own, clicking as a person would. Prints
 * `N passed, N failed`; saves a screenshot of each page to .local/screenshots/.
 *
 *   npm run test:browser           (BROWSER_PORT_BASE, default 4200)
 *   npm run test:browser -- --measure 20   also: click → CONFIRMED p50 over 20 orders
 */
import { createKafka } from '@shopfront/messaging';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { repoRoot } from '../../../tools/runner/platform.ts';
import { ensureWebBuilt } from '../../../tools/runner/web.ts';
import { startLocalPlatform } from '../platform/local.js';
import { launchChromium } from './browser.js';
import { browserScenarios, measureClickToConfirmed, type Scenario } from './scenarios.js';

const measure = process.argv.includes('--measure') ? Number(process.argv[process.argv.indexOf('--measure') + 1] ?? 20) : 0;
const screenshots = join(repoRoot, '.local/screenshots');
mkdirSync(screenshots, { recursive: true });

await ensureWebBuilt();
const portBase = Number(process.env.BROWSER_PORT_BASE ?? 4200);
const label = `browser${randomBytes(2).toString('hex')}`;
const platform = await startLocalPlatform({
  portBase,
  label,
  // Breakers probe again after 1 s, so "closed after the heal" shows within the test.
  extraEnv: { BREAKER_HALF_OPEN_AFTER_MS: '1000', BREAKER_MIN_RPS: '0.5' },
});
let browser: Browser | undefined;
let passed = 0;
let failed = 0;
try {
  browser = await launchChromium();
  const context = { browser, gatewayUrl: platform.gatewayUrl, screenshots, topicPrefix: await topicPrefixOf(label) };
  const scenarios: Scenario[] = browserScenarios;
  for (const scenario of scenarios) {
    const started = Date.now();
    try {
      await scenario.run(context);
      passed++;
      console.log(`✔ ${scenario.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`✖ ${scenario.name} (${Date.now() - started} ms)\n  ${(error as Error).stack ?? error}`);
    }
  }
  if (measure > 0) await measureClickToConfirmed(context, measure);
} finally {
  await browser?.close().catch(() => undefined);
  await platform.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

/** The local platform names its topics `e2e.<label>_<run>.`: found on the broker by the label. */
async function topicPrefixOf(runLabel: string): Promise<string> {
  const admin = createKafka({ clientId: 'browser-test', brokers: ['127.0.0.1:9092'] }).admin();
  await admin.connect();
  try {
    const topic = (await admin.listTopics()).find((name) => name.startsWith(`e2e.${runLabel}_`));
    if (!topic) throw new Error(`no topic of run ${runLabel}`);
    return topic.slice(0, topic.indexOf('.', `e2e.${runLabel}_`.length) + 1);
  } finally {
    await admin.disconnect();
  }
}
