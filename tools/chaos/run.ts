/**
 * `npm run chaos -- <drill>|all|list`: runs drills against a platform started
 * with `npm start`, then checks the contract's invariants for every order the
 * drill placed, and judges the drill's recorded history (history/checker.ts),
 * written to bench-results/chaos-<drill>-<time>.json. Prints a table; exits
 * non-zero if any invariant broke.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../runner/platform.ts';
import { drills as processDrills } from './drills.js';
import { infrastructureDrills } from './infra-drills.js';
import { networkDrills } from './network-drills.js';
import { timeDrills } from './time-drills.js';
import { npmStartProcesses } from './processes.ts';
import { runDrill } from './run-drill.ts';
import { surgeDrill } from './surge-drill.js';

const drills = [...processDrills, surgeDrill, ...infrastructureDrills, ...networkDrills, ...timeDrills];

// A drill's name, several separated by commas, a group (process, infra, network, time) or all.
const groups: Record<string, string[]> = {
  all: drills.map((drill) => drill.name),
  process: [...processDrills, surgeDrill].map((drill) => drill.name),
  infra: infrastructureDrills.map((drill) => drill.name),
  network: networkDrills.map((drill) => drill.name),
  time: timeDrills.map((drill) => drill.name),
};
const wanted = process.argv[2] ?? 'list';
const chosen = new Set(wanted.split(',').flatMap((name) => groups[name] ?? [name]));
if (wanted === 'list' || [...chosen].some((name) => !groups.all!.includes(name))) {
  console.log('usage: npm run chaos -- <drill>[,<drill>…]|process|infra|network|time|all\n\ndrills:');
  for (const drill of drills) console.log(`  ${drill.name.padEnd(36)} ${drill.fault}`);
  process.exit(wanted === 'list' ? 0 : 2);
}

const gatewayUrl = process.env.GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 3000}`;
const context = {
  platform: npmStartProcesses(),
  log: (line: string) => console.log(line.replace(/^/gm, '    ')),
};

const rows: { drill: string; fault: string; orders: number; invariant: string; holds: boolean; detail: string }[] = [];
/** Per drill: what was broken, and how long after the drill's end (its fault healed) every order it placed was terminal. */
const summary: { drill: string; fault: string; orders: number; violations: number; quietAfterS: number }[] = [];
const skipped: { drill: string; why: string }[] = [];
for (const drill of drills.filter((candidate) => chosen.has(candidate.name))) {
  console.log(`▸ ${drill.name}: ${drill.fault}`);
  const why = drill.unavailable?.();
  if (why) {
    console.log(`    skipped: ${why}`);
    skipped.push({ drill: drill.name, why });
    continue;
  }
  const started = Date.now();
  const verdict = await runDrill(drill, context, gatewayUrl);
  for (const check of verdict.checks) rows.push({ drill: drill.name, fault: drill.fault, orders: verdict.orders, ...check });
  summary.push({ drill: drill.name, fault: drill.fault, orders: verdict.orders, violations: verdict.checks.filter((check) => !check.holds).length, quietAfterS: verdict.quietAfterS });
  console.log(`    done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

console.log(`\n${'drill'.padEnd(36)} ${'orders'.padStart(6)}  ${'invariant'.padEnd(62)} result`);
for (const row of rows) {
  console.log(`${row.drill.padEnd(36)} ${String(row.orders).padStart(6)}  ${row.invariant.padEnd(62)} ${row.holds ? 'ok  ' : 'BROKEN'} ${row.detail}`);
}
console.log(`\n${'drill'.padEnd(36)} ${'orders'.padStart(6)} ${'violations'.padStart(10)} ${'quiet after'.padStart(11)}  fault`);
for (const row of summary) {
  console.log(`${row.drill.padEnd(36)} ${String(row.orders).padStart(6)} ${String(row.violations).padStart(10)} ${`${row.quietAfterS.toFixed(1)} s`.padStart(11)}  ${row.fault}`);
}
for (const row of skipped) console.log(`${row.drill.padEnd(36)} skipped: ${row.why}`);
const summaryFile = join(repoRoot, 'bench-results', `chaos-summary-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(summaryFile), { recursive: true });
writeFileSync(summaryFile, `${JSON.stringify({ drills: summary, skipped, checks: rows }, null, 2)}\n`);
console.log(`\nwritten: ${summaryFile}`);
const broken = rows.filter((row) => !row.holds).length;
console.log(`\n${rows.length - broken} passed, ${broken} failed`);
process.exit(broken === 0 ? 0 : 1);
