/**
 * `npm run smoke`: what a newcomer does first, timed. Starts the platform as
 * `npm start` does, waits for its ready line, places the contract's example
 * order, waits for CONFIRMED, sends SIGTERM and waits until nothing listens
 * on the platform's ports. Prints each figure; exits 1 if a step fails or
 * misses its budget (ready 120 s, CONFIRMED 5 s, stopped 15 s).
 *
 * Run it where no platform is running yet: the ports must be free.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { answers } from './infra.ts';
import { defaultPorts } from './services.ts';

const budgets = { readyS: 120, confirmedMs: 5_000, stoppedS: 15 };
const ports = [...Object.values(defaultPorts), 9092, 9093];
const example = {
  customerId: 'cust-1',
  items: [{ sku: 'SKU-001', quantity: 2 }],
  payment: { card: '4242424242424242' },
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
};

const busy = async () => (await Promise.all(ports.map(async (port) => ((await answers('127.0.0.1', port)) ? [port] : [])))).flat();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failures: string[] = [];
const report = (what: string, value: string, ok: boolean) => {
  console.log(`${ok ? '✔' : '✖'} ${what.padEnd(36)} ${value}`);
  if (!ok) failures.push(what);
};

const taken = await busy();
if (taken.length > 0) {
  console.error(`ports already in use: ${taken.join(', ')}; stop what runs there first (npm start's Ctrl-C, npm run kafka -- stop)`);
  process.exit(2);
}

const started = performance.now();
const platform = spawn(process.execPath, [fileURLToPath(new URL('./start.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'pipe'] });
const exited = new Promise<number | null>((resolve) => platform.once('exit', (code) => resolve(code)));
const gatewayUrl = await new Promise<string | undefined>((resolve) => {
  let seen = '';
  platform.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    const ready = /is ready in [\d.]+ s: (http:\/\/\S+)/.exec(seen);
    if (ready) resolve(ready[1]!.replace(/\u001b\[[0-9;]*m/g, ''));
  });
  platform.stderr.resume();
  void exited.then(() => resolve(undefined));
  setTimeout(() => resolve(undefined), budgets.readyS * 1000).unref();
});
const readyS = (performance.now() - started) / 1000;
report('npm start → ready', gatewayUrl ? `${readyS.toFixed(1)} s` : `not ready after ${readyS.toFixed(1)} s`, gatewayUrl !== undefined);

if (gatewayUrl) {
  const placedAt = performance.now();
  const headers = { 'x-api-key': 'dev-key-1', 'content-type': 'application/json', 'idempotency-key': randomUUID() };
  const placed = await fetch(`${gatewayUrl}/v1/orders`, { method: 'POST', headers, body: JSON.stringify(example) });
  const location = placed.headers.get('location');
  report('the example POST', `${placed.status} ${location ?? ''}`, placed.status === 202 && location !== null);
  let status = 'PENDING';
  while (location && status === 'PENDING' && performance.now() - placedAt < budgets.confirmedMs * 2) {
    const answer = await fetch(`${gatewayUrl}${location}`, { headers: { 'x-api-key': 'dev-key-1' } });
    status = answer.ok ? ((await answer.json()) as { status: string }).status : 'PENDING';
    if (status === 'PENDING') await sleep(20);
  }
  const confirmedMs = performance.now() - placedAt;
  report('POST → GET shows CONFIRMED', `${status} after ${Math.round(confirmedMs)} ms`, status === 'CONFIRMED' && confirmedMs <= budgets.confirmedMs);
}

const stopping = performance.now();
platform.kill('SIGTERM');
await exited;
let left = await busy();
while (left.length > 0 && performance.now() - stopping < budgets.stoppedS * 2000) {
  await sleep(100);
  left = await busy();
}
const stoppedS = (performance.now() - stopping) / 1000;
report('SIGTERM → nothing listening', left.length === 0 ? `${stoppedS.toFixed(1)} s (${ports.join(', ')} free)` : `still listening: ${left.join(', ')}`, left.length === 0 && stoppedS <= budgets.stoppedS);
process.exit(failures.length > 0 ? 1 : 0);
