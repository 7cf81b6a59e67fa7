/**
 * What an operator does to orders that do not move, by clicking in the console.
 *
 * A stuck order, as an operator meets one: its OrderPlaced was dead-lettered
 * by the orchestrator, so no saga exists to retry it or time it out, and it
 * would stay PENDING for ever. The operator finds the dead letter in the
 * console, redrives it, and the order (watched live on the storefront) completes.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { adminKey, orderIdOf, placeByClicking, shot, timeout, withPage, type BrowserContext, type Scenario } from './pages.js';

const refusal = 'saga refused on purpose by the browser test';

/**
 * What makes the message fail in its consumer, on purpose: the orchestrator's
 * store refuses to start any saga. A statement error (not a failing database),
 * so the consumer dead-letters the message at once instead of retrying it.
 */
const refuseSagas = `
  CREATE OR REPLACE FUNCTION refuse_saga_on_purpose() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '${refusal}'; END $$;
  CREATE TRIGGER refuse_saga_on_purpose BEFORE INSERT ON sagas FOR EACH ROW EXECUTE FUNCTION refuse_saga_on_purpose();`;
const acceptSagas = 'DROP TRIGGER IF EXISTS refuse_saga_on_purpose ON sagas; DROP FUNCTION IF EXISTS refuse_saga_on_purpose();';

/** Longer than the saga's step timeout (5 s) and its poll: had anything been waiting on this order, it would have moved. */
const stuckForMs = 7_000;

async function adminGet(context: BrowserContext, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${context.gatewayUrl}${path}`, { headers: { 'x-api-key': adminKey }, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export const redriveScenario: Scenario = {
  name: 'console: an order stuck PENDING because its OrderPlaced is in a dead-letter topic is redriven from the console and reaches CONFIRMED',
  run: (context) =>
    withPage(context, async (storefront) => {
      const orchestrator = new pg.Client({ connectionString: context.databaseUrl('orchestrator') });
      await orchestrator.connect();
      try {
        await orchestrator.query(refuseSagas);
        await placeByClicking(storefront, context.gatewayUrl, '4242424242424242');
        const orderId = await orderIdOf(storefront);

        const operator = await storefront.context().newPage();
        await operator.goto(`${context.gatewayUrl}/console/dead-letters`);
        await operator.getByLabel('Admin key').fill(adminKey);
        const row = operator.getByTestId('dead-letter').filter({ hasText: orderId });
        await row.waitFor({ timeout });
        const parked = await row.innerText();
        assert.match(parked, /OrderPlaced/);
        assert.match(parked, new RegExp(refusal));
        assert.match(parked, /orchestrator\.order-events/);

        // The cause is fixed; the order still does not move: nothing but the dead letter knows of it.
        await orchestrator.query(acceptSagas);
        await new Promise((resolve) => setTimeout(resolve, stuckForMs));
        assert.equal(await storefront.getByTestId('order-status').innerText(), 'PENDING', 'the order is stuck before the redrive');
        assert.equal((await adminGet(context, `/v1/admin/sagas/${orderId}`)).status, 404, 'no saga exists to retry or time out');

        await operator.getByLabel('Failure reason contains').fill('on purpose');
        await operator.getByRole('button', { name: 'Dry run: redrive filter' }).click();
        await operator.getByRole('status').filter({ hasText: /Dry run \(filter\): 1 would be redriven/ }).waitFor({ timeout });
        await shot(operator, context, 'console-dead-letters');
        await row.getByRole('button', { name: 'Redrive' }).click();
        await operator.getByRole('status').filter({ hasText: 'Redrove 1 of 1' }).waitFor({ timeout });

        // The storefront's order page, open all along, completes live; the console's link leads to the saga.
        await storefront.getByTestId('order-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
        await operator.getByLabel('show redriven').check();
        await row.getByRole('link', { name: orderId }).click();
        await operator.getByTestId('saga-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
        // Both the dry run and the redrive are on the audit record.
        const audit = (await adminGet(context, '/v1/admin/audit?limit=50')).body.items as { action: string; dryRun: boolean; outcome: string }[];
        const redrives = audit.filter((item) => item.action === 'dead-letters.redrive').map((item) => `${item.dryRun ? 'dry ' : ''}${item.outcome}`);
        assert.ok(redrives.includes('dry would redrive 1') && redrives.includes('redrove 1 of 1'), `audit: ${redrives.join('; ')}`);
      } finally {
        await orchestrator.query(acceptSagas).catch(() => undefined);
        await orchestrator.end();
      }
    }),
};

async function setFault(context: BrowserContext, target: string, settings: { latencyMs: number; errorRate: number }): Promise<void> {
  const response = await fetch(`${context.gatewayUrl}/v1/admin/faults/${target}`, {
    method: 'PUT',
    headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
    body: JSON.stringify(settings),
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(response.status, 200, await response.text());
}

export const forceCompensationScenario: Scenario = {
  name: 'console: a saga stuck at its payment step is compensated by force from its page, after a confirmation, and the action is on its audit record',
  run: (context) =>
    withPage(context, async (page) => {
      // The card provider fails every call: the saga waits at authorizePayment, re-sending it.
      await setFault(context, 'payment-provider', { latencyMs: 0, errorRate: 1 });
      try {
        await placeByClicking(page, context.gatewayUrl, '4242424242424242');
        const orderId = await orderIdOf(page);
        await page.goto(`${context.gatewayUrl}/console/orders/${orderId}`);
        await page.getByLabel('Admin key').fill(adminKey);
        await page.getByTestId('step-authorizePayment').filter({ hasText: 'TRIED' }).waitFor({ timeout });
        assert.equal(await page.getByTestId('saga-status').innerText(), 'RUNNING');
        await page.getByRole('button', { name: 'Force compensation' }).click();
        const dialog = page.getByRole('alertdialog');
        assert.match(await dialog.innerText(), /undo every step done, in reverse order/);
        await dialog.getByRole('button', { name: 'Confirm compensate' }).click();
        await page.getByRole('status').filter({ hasText: 'compensate: accepted' }).waitFor({ timeout });
        // Healed at once: a payment compensation, if the saga needs one, goes through the provider too.
        await setFault(context, 'payment-provider', { latencyMs: 0, errorRate: 0 });
        await page.getByTestId('saga-status').filter({ hasText: 'CANCELLED' }).waitFor({ timeout });
        await page.getByTestId('compensation-reserveStock').filter({ hasText: 'StepCompensated' }).waitFor({ timeout });
        await page.getByRole('cell', { name: 'saga.compensate' }).waitFor({ timeout });
      } finally {
        await setFault(context, 'payment-provider', { latencyMs: 0, errorRate: 0 }).catch(() => undefined);
      }
    }),
};
