/**
 * The surge drill (ADR 0020): checkouts offered open-loop well above what the
 * platform finishes, with shoppers browsing alongside, for a few seconds.
 * Admission control should refuse the surplus at once (503 with Retry-After,
 * never a timeout or another 5xx), browsing should stay served from the
 * cache, and every order it did accept must end as the invariants say.
 */
import { keys, type GatewayClient } from '../../e2e/src/client.js';
import { offerStep, stepOrder } from '../bench/capacity/load.ts';
import { restock } from '../bench/capacity/platform.ts';
import { percentiles } from '../bench/capacity/stats.ts';
import { browse } from '../bench/flash-sale/browse.ts';
import type { Drill } from './drills.js';
import { recordPlaces, recordStockSets } from './history/recorder.js';
import { deadLetterCount } from './infra-drills.js';
import { setTimeout as sleep } from 'node:timers/promises';

const rate = Number(process.env.SURGE_RATE ?? 120);
const seconds = Number(process.env.SURGE_SECONDS ?? 8);
const skus = Array.from({ length: 9 }, (_, index) => `SKU-00${index + 1}`);

export const surgeDrill: Drill = {
  name: 'surge',
  fault: `checkouts at ${rate}/s for ${seconds} s (above capacity), browsing at 50/s`,
  settleMs: 60_000,
  async run({ gateway, log, platform }) {
    const url = gateway.baseUrl;
    // Sent around the gateway client: recorded by hand, so the history checker sees the restock and every checkout.
    await recordStockSets(gateway, skus, () => restock(url, skus, Math.ceil((rate * seconds) / skus.length) + 500, keys.admin));
    const deadLettersBefore = await deadLetterCount(platform.settings);
    const shoppers = browse({ gatewayUrl: url, apiKey: keys.client2, rate: 50 });
    const prefix = `surge-${Date.now().toString(36)}`;
    const loading = offerStep({ gatewayUrl: url, apiKey: keys.client1, rate, seconds, prefix, drainMs: 1_000 });
    const malformed = await malformedDuringSurge(gateway, seconds);
    const load = await loading;
    const reads = await shoppers.stop();
    const circuits = await openCircuits(gateway);
    recordPlaces(gateway, load.attempts.map(({ index, status, orderId, sendLagMs, postMs }) => ({ ...stepOrder(prefix, index), clientKey: keys.client1, invokedAt: load.intendedAt[index]! + sendLagMs, completedAt: load.intendedAt[index]! + postMs, status, orderId })));
    const accepted = load.attempts.filter((attempt) => attempt.orderId);
    const refused = load.attempts.filter((attempt) => attempt.status === '503');
    const others = load.attempts.filter((attempt) => !attempt.orderId && attempt.status !== '503');
    const statuses = [...new Set(others.map((attempt) => attempt.status))];
    const refusal = percentiles(refused.map((attempt) => attempt.postMs));
    // A 504 is an admitted checkout the order service did not answer within the 3 s attempt: slow, and
    // reported, but answered (its retry with the same key replays or places it once). No answer at all is the failure.
    const unanswered = others.filter((attempt) => attempt.status === 'timeout' || attempt.status === 'error');
    const unexpected = others.filter((attempt) => !['504', 'timeout', 'error'].includes(attempt.status));
    const servedReads = reads.reads.filter((read) => read.status === '200').length;
    const replays = await replayed(gateway, prefix, accepted.slice(0, 10));
    const deadLetters = (await deadLetterCount(platform.settings)) - deadLettersBefore;
    log(`${load.attempts.length} offered: ${accepted.length} accepted, ${refused.length} refused with 503, others ${others.length} (${statuses.join(', ') || 'none'}), refusal p99 ${refusal.p99} ms; catalog ${servedReads}/${reads.reads.length} served`);
    return {
      orderIds: accepted.map((attempt) => attempt.orderId!),
      checks: [
        { invariant: 'every checkout answered: 202, 503 refused, or 504 (no hang, no other 5xx)', holds: unanswered.length === 0 && unexpected.length === 0, detail: `${others.filter((attempt) => attempt.status === '504').length} × 504, ${unanswered.length} unanswered, ${unexpected.length} other` },
        { invariant: 'refusals answered within 1 s (p99)', holds: refused.length > 0 && refusal.p99 < 1_000, detail: `${refused.length} refused, p50 ${refusal.p50} ms, p99 ${refusal.p99} ms` },
        { invariant: '6 a retried accepted checkout replays its order', holds: replays.same === replays.tried, detail: `${replays.same}/${replays.tried} replayed` },
        { invariant: '7 no message dead-lettered by the surge', holds: deadLetters === 0, detail: `${deadLetters} new dead letter(s)` },
        { invariant: 'catalog reads served during the surge (≥ 99 %)', holds: servedReads >= reads.reads.length * 0.99, detail: `${servedReads} of ${reads.reads.length}` },
        // Overload answers 503 OVERLOADED to any checkout, well formed or not: the load's answer, not the input's.
        {
          invariant: '8 malformed input during the surge: no 5xx but OVERLOADED; no circuit opened',
          holds: malformed.faults.length === 0 && circuits.length === 0,
          detail: `${malformed.sent} malformed: ${malformed.faults.length} 5xx${malformed.faults.length ? ` (${malformed.faults.slice(0, 3).join(', ')})` : ''}; open circuits: ${circuits.join(', ') || 'none'}`,
        },
      ],
    };
  },
};

/** Malformed requests spread over the surge: each answer's status, and the 5xx that were not a refusal for load. */
async function malformedDuringSurge(gateway: GatewayClient, seconds: number): Promise<{ sent: number; faults: string[] }> {
  const inputs = [
    { path: '/v1/orders', body: '{"items": [', headers: { 'idempotency-key': 'surge-malformed' } },
    { path: '/v1/orders', body: { items: 'none', card: 42 }, headers: { 'idempotency-key': 'surge-invalid' } },
    { path: '/v1/orders/not-an-order-id' },
    { path: '/v1/products?limit=-1' },
  ];
  const faults: string[] = [];
  let sent = 0;
  for (const until = Date.now() + seconds * 1000; Date.now() < until; await sleep(250)) {
    const input = inputs[sent++ % inputs.length]!;
    const answer = await gateway.call('body' in input ? 'POST' : 'GET', input.path, { body: 'body' in input ? input.body : undefined, headers: input.headers }).catch((error: Error) => ({ status: 0, body: { code: error.message } }));
    if (answer.status === 0 || (answer.status >= 500 && answer.body.code !== 'OVERLOADED')) faults.push(`${input.path} → ${answer.status}`);
  }
  return { sent, faults };
}

async function openCircuits(gateway: GatewayClient): Promise<string[]> {
  const answer = await gateway.call<{ items: { upstream: string; circuit: { state: string } }[] }>('GET', '/v1/admin/resilience', { key: keys.admin });
  return answer.status !== 200 ? [`resilience answered ${answer.status}`] : answer.body.items.filter((item) => item.circuit.state !== 'closed').map((item) => `${item.upstream} ${item.circuit.state}`);
}

/** The same POST again (same key, same body, as offerStep sent it): the first order, marked replayed. */
async function replayed(gateway: GatewayClient, prefix: string, attempts: { index: number; orderId?: string }[]): Promise<{ tried: number; same: number }> {
  const answers = await Promise.all(
    attempts.map(async ({ index, orderId }) => {
      const { body, idempotencyKey } = stepOrder(prefix, index);
      const answer = await gateway.placeOrder(body, { idempotencyKey });
      return answer.status === 202 && answer.body.orderId === orderId && answer.headers.get('idempotent-replayed') === 'true';
    }),
  );
  return { tried: attempts.length, same: answers.filter(Boolean).length };
}
