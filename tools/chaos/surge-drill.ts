/**
 * The surge drill (ADR 0020): checkouts offered open-loop well above what the
 * platform finishes, with shoppers browsing alongside, for a few seconds.
 * Admission control should refuse the surplus at once (503 with Retry-After,
 * never a timeout or another 5xx), browsing should stay served from the
 * cache, and every order it did accept must end as the invariants say.
 */
import { keys } from '../../e2e/src/client.js';
import { offerStep } from '../bench/capacity/load.ts';
import { restock } from '../bench/capacity/platform.ts';
import { percentiles } from '../bench/capacity/stats.ts';
import { browse } from '../bench/flash-sale/browse.ts';
import type { Drill } from './drills.js';

const rate = Number(process.env.SURGE_RATE ?? 120);
const seconds = Number(process.env.SURGE_SECONDS ?? 8);
const skus = Array.from({ length: 9 }, (_, index) => `SKU-00${index + 1}`);

export const surgeDrill: Drill = {
  name: 'surge',
  fault: `checkouts at ${rate}/s for ${seconds} s (above capacity), browsing at 50/s`,
  settleMs: 60_000,
  async run({ gateway, log }) {
    const url = gateway.baseUrl;
    await restock(url, skus, Math.ceil((rate * seconds) / skus.length) + 500, keys.admin);
    const shoppers = browse({ gatewayUrl: url, apiKey: keys.client2, rate: 50 });
    const load = await offerStep({ gatewayUrl: url, apiKey: keys.client1, rate, seconds, prefix: `surge-${Date.now().toString(36)}`, drainMs: 1_000 });
    const reads = await shoppers.stop();
    const accepted = load.attempts.filter((attempt) => attempt.orderId);
    const refused = load.attempts.filter((attempt) => !attempt.orderId);
    const statuses = [...new Set(refused.map((attempt) => attempt.status))];
    const refusal = percentiles(refused.map((attempt) => attempt.postMs));
    const servedReads = reads.reads.filter((read) => read.status === '200').length;
    log(`${load.attempts.length} offered: ${accepted.length} accepted, ${refused.length} refused (${statuses.join(', ') || 'none'}), refusal p99 ${refusal.p99} ms; catalog ${servedReads}/${reads.reads.length} served`);
    return {
      orderIds: accepted.map((attempt) => attempt.orderId!),
      checks: [
        { invariant: 'surplus refused with 503 only (no timeout, no other 5xx)', holds: statuses.every((status) => status === '503'), detail: `refusals: ${statuses.join(', ') || 'none'}` },
        { invariant: 'refusals answered within 1 s (p99)', holds: refused.length === 0 || refusal.p99 < 1_000, detail: `p50 ${refusal.p50} ms, p99 ${refusal.p99} ms` },
        { invariant: 'catalog reads served during the surge (≥ 99 %)', holds: servedReads >= reads.reads.length * 0.99, detail: `${servedReads} of ${reads.reads.length}` },
      ],
    };
  },
};
