/**
 * `npm run observability:check`: does the dashboard show what the platform
 * exports? Against a running platform and a Prometheus scraping it (compose,
 * or Debian's `prometheus` with prometheus.local.yml), it
 *   1. reads every metric the Grafana dashboard and the alert rules name, and
 *      fails if no service's /metrics declares it (a renamed metric, a typo);
 *   2. runs every panel's query on Prometheus (Grafana's variables filled in),
 *      and fails on a query Prometheus rejects;
 *   3. prints each panel with how many series it would draw now.
 *
 *   npm run observability:check [-- --prometheus http://127.0.0.1:9090 --gateway http://127.0.0.1:3000]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    prometheus: { type: 'string', default: 'http://127.0.0.1:9090' },
    gateway: { type: 'string', default: 'http://127.0.0.1:3000' },
  },
});
const here = new URL('.', import.meta.url);
const dashboard = JSON.parse(readFileSync(new URL('grafana/dashboards/shopfront.json', here), 'utf8')) as {
  panels: { title: string; targets?: { expr?: string }[] }[];
};
const alerts = readFileSync(new URL('prometheus/alerts.yml', here), 'utf8');

/** The six services' ports follow the gateway's (the runner's layout). */
const base = new URL(values.gateway);
const serviceUrls = Array.from({ length: 6 }, (_, offset) => `${base.protocol}//${base.hostname}:${Number(base.port) + offset}`);

const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => (target.expr ? [{ panel: panel.title, expr: target.expr }] : [])));
// Grafana fills these in; a fixed stand-in is enough to run the query.
const runnable = (expr: string) => expr.replaceAll('$service', '.*').replaceAll('$__rate_interval', '1m').replaceAll('$__range', '15m');

const promqlWords = new Set(['sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'rate', 'increase', 'histogram_quantile', 'vector', 'or', 'and', 'unless', 'on', 'ignoring', 'le']);
const metricNames = (expr: string) =>
  [...expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '').matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)]
    .map((match) => match[1]!)
    .filter((name) => !promqlWords.has(name) && name.includes('_'))
    .map((name) => name.replace(/_(bucket|count|sum)$/, ''));

const alertExprs = [...alerts.matchAll(/expr:\s*>?\s*\n?((?:.|\n)*?)(?=\n\s+(?:for|labels|annotations):)/g)].map((match) => match[1]!.trim());
const referenced = new Set([...queries.map((query) => query.expr), ...alertExprs].flatMap(metricNames));

const declared = new Set<string>();
for (const url of serviceUrls) {
  // The gateway answers /metrics only with the admin key (ADR 0017); services answer anyone.
  const headers = { authorization: `Bearer ${process.env.ADMIN_KEY ?? 'admin-key'}` };
  const text = await fetch(`${url}/metrics`, { headers }).then((response) => (response.ok ? response.text() : ''), () => '');
  if (!text) {
    console.error(`✖ ${url}/metrics does not answer: is the platform running (npm start)?`);
    process.exit(2);
  }
  for (const match of text.matchAll(/^# TYPE (\S+) /gm)) declared.add(match[1]!);
}
const undeclared = [...referenced].filter((name) => !declared.has(name)).sort();
console.log(`metrics the dashboard and ${alertExprs.length} alert rules name: ${referenced.size}; declared by the services: ${referenced.size - undeclared.length}`);
for (const name of undeclared) console.log(`  ✖ ${name}: no service exports it`);

let rejected = 0;
console.log(`\npanel queries on ${values.prometheus}:`);
for (const { panel, expr } of queries) {
  const url = `${values.prometheus}/api/v1/query?query=${encodeURIComponent(runnable(expr))}`;
  const answer = (await fetch(url).then((response) => response.json(), (error: Error) => ({ status: 'error', error: error.message }))) as {
    status: string;
    error?: string;
    data?: { result: unknown[] };
  };
  if (answer.status !== 'success') {
    rejected++;
    console.log(`  ✖ ${panel.padEnd(40)} ${answer.error}`);
  } else {
    const series = answer.data?.result.length ?? 0;
    console.log(`  ${series > 0 ? '✔' : '·'} ${panel.padEnd(40)} ${series} series`);
  }
}
console.log(`\n${queries.length} queries, ${rejected} rejected; "·" is a panel with nothing to draw yet (no retries, no dead letters, ...)`);
process.exit(undeclared.length > 0 || rejected > 0 ? 1 : 0);
