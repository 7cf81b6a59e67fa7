/**
 * What an operator does to orders that do not move, by clicking in the console.
 *
 * A stuck order, as an operator meets one: its OrderPlaced was dead-lettered
 * by the orchestrator, so no saga exists to retry it or time it out, and it
 * would stay PENDING for ever. The operator finds the dead letter in the
 * console, redrives it, and the order (watched live on the storefront) completes.
 */
import { anOrder, eventually } from '@shopfront/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { adminKey, orderIdOf, placeByClicking, shot, timeout, typeAdminKey, withPage, type BrowserContext, type Scenario } from './pages.js';

const refusal = 'saga refused on purpose by the browser test';

/**
 * What makes a message fail in its consumer, on purpose: the service's store
 * refuses every new row of `table` (the orchestrator's sagas, payment's
 * payments). A statement error (not a failing database), so the consumer
 * dead-letters the message at once instead of retrying it.
 */
const refuseInserts = (table: string, why: string) => `
  CREATE OR REPLACE FUNCTION refuse_${table}_on_purpose() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '${why}'; END $$;
  CREATE TRIGGER refuse_${table}_on_purpose BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_${table}_on_purpose();`;
const acceptInserts = (table: string) => `DROP TRIGGER IF EXISTS refuse_${table}_on_purpose ON ${table}; DROP FUNCTION IF EXISTS refuse_${table}_on_purpose();`;
const refuseSagas = refuseInserts('sagas', refusal);
const acceptSagas = acceptInserts('sagas');

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

const paymentRefusal = 'payment row refused by the browser test';

async function connected(context: BrowserContext, service: 'payment' | 'orchestrator'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: context.databaseUrl(service) });
  await client.connect();
  return client;
}

/**
 * A saga stuck at its payment step with nothing left to move it: payment
 * dead-lettered its AuthorizePayment (the payments table refused the row, a
 * statement error, so at once), and the step's deadline is ten minutes away,
 * as with a long STEP_TIMEOUT_MS. Then the cause is fixed. Leaves `page` on
 * the saga's console page, the admin key typed; returns the order id.
 */
async function stuckAtPayment(context: BrowserContext, page: Page): Promise<string> {
  const [payment, orchestrator] = await Promise.all([connected(context, 'payment'), connected(context, 'orchestrator')]);
  try {
    await payment.query(refuseInserts('payments', paymentRefusal));
    await placeByClicking(page, context.gatewayUrl, '4242424242424242');
    const orderId = await orderIdOf(page);
    await page.goto(`${context.gatewayUrl}/console/orders/${orderId}`);
    await typeAdminKey(page);
    await page.getByTestId('step-authorizePayment').filter({ hasText: 'TRIED' }).waitFor({ timeout });
    const moved = await orchestrator.query(
      "UPDATE sagas SET deadline_at = now() + interval '10 minutes', version = version + 1, updated_at = now() WHERE order_id = $1 AND deadline_at IS NOT NULL",
      [orderId],
    );
    assert.equal(moved.rowCount, 1, 'the saga waits for a reply');
    await eventually(
      async () => {
        const letters = (await adminGet(context, `/v1/admin/dead-letters?orderId=${orderId}&type=AuthorizePayment`)).body.items as { error: string }[];
        return letters.some((letter) => letter.error.includes(paymentRefusal));
      },
      { timeoutMs: timeout, what: `the AuthorizePayment of ${orderId} dead-lettered by payment` },
    );
    await payment.query(acceptInserts('payments'));
    // Longer than the step timeout (5 s) and the deadline poller's longest sleep: it does not move by itself.
    await new Promise((resolve) => setTimeout(resolve, stuckForMs));
    assert.equal(await page.getByTestId('saga-status').innerText(), 'RUNNING', 'the saga is stuck before the operator acts');
    assert.match(await page.getByTestId('step-authorizePayment').innerText(), /TRIED/);
    return orderId;
  } finally {
    await payment.query(acceptInserts('payments')).catch(() => undefined);
    await Promise.all([payment.end(), orchestrator.end()]);
  }
}

/** Clicks one of the saga page's actions and confirms it in its dialog; waits for the outcome the page reports. */
async function act(page: Page, button: string, action: string, explains: RegExp): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('alertdialog');
  assert.match(await dialog.innerText(), explains);
  await dialog.getByRole('button', { name: `Confirm ${action}` }).click();
  await page.getByRole('status').filter({ hasText: `${action}: accepted` }).waitFor({ timeout });
}

export const retryScenario: Scenario = {
  name: "console: a saga stuck at its payment step (its command dead-lettered, its deadline far off) moves on with 'Retry stuck step' and reaches CONFIRMED",
  run: (context) =>
    withPage(context, async (page) => {
      const orderId = await stuckAtPayment(context, page);
      await act(page, 'Retry stuck step', 'retry', /Retry the step waiting for a reply now/);
      await page.getByTestId('saga-status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout });
      const payment = await page.getByTestId('step-authorizePayment').innerText();
      assert.match(payment, /SUCCEEDED/);
      assert.match(payment, /StepRetried/, 'the step was tried again');
      await page.getByRole('cell', { name: 'saga.retry' }).waitFor({ timeout });
      const order = await fetch(`${context.gatewayUrl}/v1/orders/${orderId}`, { headers: { 'x-api-key': 'dev-key-1' } });
      assert.equal(((await order.json()) as { status: string }).status, 'CONFIRMED');
    }),
};

export const cancelScenario: Scenario = {
  name: "console: 'Cancel order' on a stuck saga cancels the order on the customer's behalf (CUSTOMER_CANCELLED) once its step in flight answers, every step done undone",
  run: (context) =>
    withPage(context, async (page) => {
      const orderId = await stuckAtPayment(context, page);
      await act(page, 'Cancel order', 'cancel', /Cancel the order on the customer's behalf/);
      // The saga turns at once, but undoes nothing before the step in flight answers (saga.md): nobody will
      // here (its command is dead-lettered, its deadline far off), so the operator has it retried as well.
      await page.getByTestId('saga-status').filter({ hasText: 'COMPENSATING' }).waitFor({ timeout });
      assert.match(await page.getByTestId('saga-status').locator('..').innerText(), /CUSTOMER_CANCELLED/);
      await act(page, 'Retry stuck step', 'retry', /Retry the step waiting for a reply now/);
      await page.getByTestId('saga-status').filter({ hasText: 'CANCELLED' }).waitFor({ timeout });
      assert.match(await page.getByTestId('saga-status').locator('..').innerText(), /CUSTOMER_CANCELLED/);
      await page.getByTestId('compensation-reserveStock').filter({ hasText: 'StepCompensated' }).waitFor({ timeout });
      await page.getByRole('cell', { name: 'saga.cancel' }).waitFor({ timeout });
      const order = (await (await fetch(`${context.gatewayUrl}/v1/orders/${orderId}`, { headers: { 'x-api-key': 'dev-key-1' } })).json()) as { status: string; reason: string };
      assert.deepEqual({ status: order.status, reason: order.reason }, { status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED' });
      // Cancelled: none of the actions is offered any more.
      for (const button of ['Retry stuck step', 'Force compensation', 'Cancel order']) assert.equal(await page.getByRole('button', { name: button }).isDisabled(), true, button);
    }),
};

/** Orders whose OrderPlaced the orchestrator dead-letters (sagas refused with `why`), placed through the API; their ids. */
async function ordersStuckInDeadLetters(context: BrowserContext, count: number, why: string): Promise<string[]> {
  const orchestrator = await connected(context, 'orchestrator');
  try {
    await orchestrator.query(refuseInserts('sagas', why));
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const response = await fetch(`${context.gatewayUrl}/v1/orders`, {
        method: 'POST',
        headers: { 'x-api-key': 'dev-key-1', 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
        body: JSON.stringify(anOrder({ sku: 'SKU-007', quantity: 1, customerId: 'cust-web' })),
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(response.status, 202, await response.clone().text());
      ids.push(((await response.json()) as { orderId: string }).orderId);
    }
    await eventually(
      async () => {
        const letters = (await adminGet(context, `/v1/admin/dead-letters?type=OrderPlaced&error=${encodeURIComponent(why)}`)).body.items as { orderId: string }[];
        return ids.every((id) => letters.some((letter) => letter.orderId === id));
      },
      { timeoutMs: timeout, what: `the OrderPlaced of ${count} orders dead-lettered` },
    );
    return ids;
  } finally {
    await orchestrator.query(acceptInserts('sagas')).catch(() => undefined);
    await orchestrator.end();
  }
}

const orderStatus = async (context: BrowserContext, orderId: string) =>
  ((await (await fetch(`${context.gatewayUrl}/v1/orders/${orderId}`, { headers: { 'x-api-key': 'dev-key-1' }, signal: AbortSignal.timeout(10_000) })).json()) as { status: string }).status;

const letterRow = (page: Page, orderId: string) => page.getByTestId('dead-letter').filter({ hasText: orderId });

export const redriveSelectionScenario: Scenario = {
  name: 'console: two of three dead letters ticked and redriven as a selection; those two orders reach CONFIRMED, the third stays parked and PENDING',
  run: (context) =>
    withPage(context, async (page) => {
      const why = 'saga refused for the selection test';
      const [first, second, third] = (await ordersStuckInDeadLetters(context, 3, why)) as [string, string, string];
      await page.goto(`${context.gatewayUrl}/console/dead-letters`);
      await typeAdminKey(page);
      await page.getByLabel('Failure reason contains').fill('for the selection test');
      await letterRow(page, third).waitFor({ timeout });
      assert.equal(await page.getByTestId('dead-letter').count(), 3);
      for (const orderId of [first, second]) await letterRow(page, orderId).getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Redrive selected (2)' }).click();
      await page.getByRole('status').filter({ hasText: 'Redrove 2 of 2 (selection)' }).waitFor({ timeout });
      await eventually(async () => (await orderStatus(context, first)) === 'CONFIRMED' && (await orderStatus(context, second)) === 'CONFIRMED', {
        timeoutMs: timeout,
        what: 'the two redriven orders CONFIRMED',
      });
      // The one left out is still parked, still pending, and still offered for redrive.
      await page.getByTestId('dead-letter').filter({ hasText: first }).waitFor({ state: 'detached', timeout });
      assert.equal(await page.getByTestId('dead-letter').count(), 1);
      assert.equal(await letterRow(page, third).getByRole('button', { name: 'Redrive' }).count(), 1);
      assert.equal(await orderStatus(context, third), 'PENDING');
      const audit = (await adminGet(context, '/v1/admin/audit?limit=50')).body.items as { action: string; target: string; outcome: string }[];
      assert.ok(audit.some((item) => item.action === 'dead-letters.redrive' && item.target === '2 selected' && item.outcome === 'redrove 2 of 2'), JSON.stringify(audit.slice(0, 5)));
      // Tidy: the third goes too, so later scenarios meet no order of ours PENDING.
      await letterRow(page, third).getByRole('button', { name: 'Redrive' }).click();
      await page.getByRole('status').filter({ hasText: 'Redrove 1 of 1 (one)' }).waitFor({ timeout });
      await eventually(async () => (await orderStatus(context, third)) === 'CONFIRMED', { timeoutMs: timeout, what: 'the third order CONFIRMED' });
    }),
};

export const redriveRateScenario: Scenario = {
  name: 'console: a redrive of four dead letters by filter sends them no faster than the rate the dry run states (REDRIVE_RATE_PER_S)',
  run: (context) =>
    withPage(context, async (page) => {
      const why = 'saga refused for the rate test';
      const ids = await ordersStuckInDeadLetters(context, 4, why);
      await page.goto(`${context.gatewayUrl}/console/dead-letters`);
      await typeAdminKey(page);
      await page.getByLabel('Failure reason contains').fill('for the rate test');
      await letterRow(page, ids[3]!).waitFor({ timeout });
      await page.getByRole('button', { name: 'Dry run: redrive filter' }).click();
      const dryRun = await page.getByRole('status').filter({ hasText: /Dry run \(filter\): 4 would be redriven, at most \d+\/s/ }).innerText({ timeout });
      const ratePerS = Number(/at most (\d+)\/s/.exec(dryRun)![1]);
      const clicked = Date.now();
      await page.getByRole('button', { name: 'Redrive filter', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Redrove 4 of 4 (filter)' }).waitFor({ timeout });
      const took = Date.now() - clicked;
      const interval = 1000 / ratePerS;
      const letters = (await adminGet(context, `/v1/admin/dead-letters?redriven=true&error=${encodeURIComponent(why)}`)).body.items as { orderId: string; redrivenAt: string | null }[];
      const times = ids.map((id) => Date.parse(letters.find((letter) => letter.orderId === id)?.redrivenAt ?? 'NaN')).sort((a, b) => a - b);
      assert.ok(times.every(Number.isFinite), `every letter redriven: ${JSON.stringify(letters)}`);
      const gaps = times.slice(1).map((time, index) => time - times[index]!);
      // Each claim is written just before its send; 10% slack for the clocks' granularity.
      assert.ok(gaps.every((gap) => gap >= interval * 0.9), `${ratePerS}/s means ≥ ${interval} ms apart; gaps ${gaps.join(', ')} ms`);
      assert.ok(took >= 3 * interval * 0.9, `4 redrives at ${ratePerS}/s took ${took} ms`);
      await eventually(async () => (await Promise.all(ids.map((id) => orderStatus(context, id)))).every((status) => status === 'CONFIRMED'), {
        timeoutMs: timeout,
        what: 'the four redriven orders CONFIRMED',
      });
    }),
};
