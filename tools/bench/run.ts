/**
 * `npm run bench`: every benchmark of the platform, each measured against its
 * baseline in the same run (a timing on a shared 2-core machine is only
 * meaningful as a ratio). Prints a table and writes bench-results/*.json.
 *
 *   npm run bench                 all
 *   npm run bench -- saga         one (saga | event-store | gateway | capacity | flash-sale | kafka-clients | round-trips)
 *   npm run bench -- capacity --rates 10,20 --seconds 10   (flags: tools/bench/capacity.ts)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realtime } from '../runner/edge-priority.ts';
import { repoRoot } from '../runner/platform.ts';
import { benchCapacity, parseCapacityArgs } from './capacity.js';
import { benchEventStore } from './event-store.js';
import { benchFlashSale, parseFlashSaleArgs } from './flash-sale.js';
import { benchGateway } from './gateway.js';
import { benchKafkaClients, parseKafkaClientsArgs } from './kafka-clients.js';
import { benchRoundTrips, parseRoundTripArgs } from './round-trips.js';
import { benchSagas } from './saga.js';

type Bench = { name: string; run: () => Promise<Record<string, unknown>>; quiet?: boolean; onlyWhenNamed?: boolean };

const benches: Bench[] = [
  // Closed-loop: each client waits for its order before sending the next, so it never offers more than the platform takes.
  { name: 'saga', run: async () => ({ ...(await benchSagas({ gatewayUrl: process.env.GATEWAY_URL })) }) },
  { name: 'event-store', run: benchEventStore },
  { name: 'gateway', run: () => benchGateway() },
  // Open-loop: a fixed arrival rate whatever the platform answers; prints its own tables.
  { name: 'capacity', run: () => benchCapacity(parseCapacityArgs(process.argv.slice(3))), quiet: true },
  // A surge of checkouts above capacity with browsing alongside, then calm load (flags: tools/bench/flash-sale.ts).
  { name: 'flash-sale', run: () => benchFlashSale(parseFlashSaleArgs(process.argv.slice(3))), quiet: true },
  // kafkajs against the maintained clients on this machine's broker (ADR 0024); only when named.
  { name: 'kafka-clients', run: () => benchKafkaClients(parseKafkaClientsArgs(process.argv.slice(3))), quiet: true, onlyWhenNamed: true },
  // One transaction's statements one by one, gathered, and in pg's pipeline mode (ADR 0026); only when named.
  { name: 'round-trips', run: () => benchRoundTrips(parseRoundTripArgs(process.argv.slice(3))), quiet: true, onlyWhenNamed: true },
];

const wanted = process.argv[2];
const selected = benches.filter((bench) => (wanted ? bench.name === wanted : !bench.onlyWhenNamed));
if (selected.length === 0) {
  console.error(`unknown bench ${wanted}; have: ${benches.map((bench) => bench.name).join(', ')}`);
  process.exit(2);
}
// The load generator stands in for shoppers on other machines: it must not wait for a core behind the
// platform it measures, or its lateness is counted as the platform's (open-loop latencies run from the
// intended send time). Its children (an own platform, a broker) keep the normal policy.
console.log(realtime(process.pid, 'all', true) ? 'load generator: real-time priority (SCHED_RR)' : 'load generator: normal priority (real-time not permitted here)');
mkdirSync(join(repoRoot, 'bench-results'), { recursive: true });
const summary: Record<string, unknown> = { at: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length } };
for (const bench of selected) {
  console.log(`▸ ${bench.name}`);
  const started = Date.now();
  const result = await bench.run();
  summary[bench.name] = result;
  writeFileSync(join(repoRoot, 'bench-results', `${bench.name}.json`), JSON.stringify(result, null, 2));
  if (!bench.quiet) console.log(`  ${JSON.stringify(result)}`);
  console.log(`  written: bench-results/${bench.name}.json (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
writeFileSync(join(repoRoot, 'bench-results', 'summary.json'), JSON.stringify(summary, null, 2));
console.log(`\nwritten: bench-results/summary.json`);
