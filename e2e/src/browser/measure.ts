/** The figure: from the "Place order" click to CONFIRMED on screen, one order at a time on an otherwise idle platform. */
import assert from 'node:assert/strict';
import { placeByClicking, timeout, withPage, type Scenario } from './pages.js';

export const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function clickToConfirmed(count: number): Scenario {
  return {
    name: `storefront: click → CONFIRMED on screen over ${count} orders, one at a time (p50/p90 printed)`,
    run: (context) =>
      withPage(context, async (page) => {
        const timings: number[] = [];
        for (let index = 0; index < count; index++) {
          const clicked = await placeByClicking(page, context.gatewayUrl, '4242424242424242');
          await page.getByTestId('order-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
          timings.push(Date.now() - clicked);
        }
        assert.equal(timings.length, count);
        timings.sort((a, b) => a - b);
        console.log(`  click → CONFIRMED on screen over ${count} orders: p50 ${quantile(timings, 0.5)} ms, p90 ${quantile(timings, 0.9)} ms, min ${timings[0]} ms, max ${timings.at(-1)} ms`);
      }),
  };
}
