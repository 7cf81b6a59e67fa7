/**
 * Browser tests: real headless Chromium (Debian's, through playwright-core)
 * against a local platform of their own, clicking as a person would. Prints
 * `N passed, N failed`; saves a screenshot of each page to .local/screenshots/.
 * The platform exports its spans to a file, so the console's trace ids can be
 * checked against what the services traced.
 *
 *   npm run test:browser                 (BROWSER_PORT_BASE, default 4200)
 *   npm run test:browser -- --measure 50 the click → CONFIRMED figure over 50 orders (default 20)
 *   npm run test:browser -- --only 'redrive|Retry'  only the scenarios whose name matches (a regular expression)
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { repoRoot } from '../../../tools/runner/platform.ts';
import { ensureWebBuilt } from '../../../tools/runner/web.ts';
import { startLocalPlatform } from '../platform/local.js';
import { launchChromium } from './browser.js';
import { browserScenarios } from './scenarios.js';

const measureOrders = process.argv.includes('--measure') ? Number(process.argv[process.argv.indexOf('--measure') + 1] ?? 20) : 20;
const only = process.argv.includes('--only') ? new RegExp(process.argv[process.argv.indexOf('--only') + 1] ?? '') : undefined;
const screenshots = join(repoRoot, '.local/screenshots');
mkdirSync(screenshots, { recursive: true });
const traces = mkdtempSync(join(tmpdir(), 'shopfront-browser-traces-'));
const spansFile = join(traces, 'spans.jsonl');

await ensureWebBuilt();
const portBase = Number(process.env.BROWSER_PORT_BASE ?? 4200);
let passed = 0;
let failed = 0;
try {
  const platform = await startLocalPlatform({
    portBase,
    label: 'browser',
    extraEnv: {
      // Breakers probe again after 1 s, so "closed after the heal" shows within the test.
      BREAKER_HALF_OPEN_AFTER_MS: '1000',
      BREAKER_MIN_RPS: '0.5',
      // Redrives 200 ms apart: the rate scenario tells a paced redrive from an unpaced one by far more than the clocks' jitter.
      REDRIVE_RATE_PER_S: '5',
      // Low enough that one burst of reads from a test client is refused in part (429), far above what the clicks need.
      RATE_LIMIT_POINTS: '100',
      OTEL_TRACES_EXPORTER: 'file',
      OTEL_TRACES_FILE: spansFile,
    },
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = { browser, gatewayUrl: platform.gatewayUrl, screenshots, databaseUrl: platform.databaseUrl, spansFile };
    for (const scenario of browserScenarios(measureOrders).filter((candidate) => !only || only.test(candidate.name))) {
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
  } finally {
    await browser?.close().catch(() => undefined);
    await platform.stop();
  }
} finally {
  rmSync(traces, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
