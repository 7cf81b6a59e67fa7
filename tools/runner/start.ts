/**
 * `npm start`: brings up the whole platform in the foreground on this machine.
 * Kafka (from the project's Maven-resolved jars), then the six services, each
 * migrating its own database on start (inventory seeds the catalog). Prints the
 * gateway URL once every service is ready. Ctrl-C (or SIGTERM) stops all of it.
 *
 *   npm start                 readable logs
 *   npm start -- --json       raw JSON logs, one line per event
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInfra } from './infra.ts';
import { repoRoot, startServices } from './platform.ts';
import { defaultSettings, drainMs } from './services.ts';
import { ensureWebBuilt } from './web.ts';

const raw = process.argv.includes('--json');
const started = Date.now();
const say = (line: string) => console.log(`\x1b[1m▸ ${line}\x1b[0m`);

await ensureWebBuilt(say);
say('starting infrastructure (Postgres and Redis must answer; Kafka starts here if it does not)');
const infra = await ensureInfra();
const settings = defaultSettings();
say('starting services: order, inventory, payment, shipping, orchestrator, gateway');
// Chaos drills may ask for a service to be started differently (network namespace, skewed clock).
const overridesDir = join(repoRoot, '.local/run/launch');
rmSync(overridesDir, { recursive: true, force: true });
const platform = startServices(settings, { raw, gracefulMs: drainMs, overridesDir });

const pidFile = join(repoRoot, '.local/run/pids.json');
let stopping = false;
async function shutdown(signal: string, exitCode = 0): Promise<void> {
  if (stopping) {
    say(`${signal} again: killing everything now`);
    for (const pid of platform.supervisor.pids()) process.kill(pid, 'SIGKILL');
    process.exit(130);
  }
  stopping = true;
  const begun = Date.now();
  say(`${signal}: stopping services (accepted orders are already committed and resume on next start)`);
  await platform.stop();
  say('stopping infrastructure started here');
  await infra.stop();
  rmSync(pidFile, { force: true });
  say(`stopped in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
  process.exit(exitCode);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
// `npm start` may exit on SIGTERM without passing it on to this script: when whoever
// launched us goes away, we stop too, so nothing started here is ever orphaned.
const launchedBy = process.ppid;
setInterval(() => {
  if (!stopping && process.ppid !== launchedBy) void shutdown(`parent process ${launchedBy} exited`);
}, 250).unref();

try {
  await platform.waitReady();
} catch (error) {
  say(`platform did not become ready: ${(error as Error).message}`);
  await shutdown('startup failure', 1);
}
if (!stopping) {
  // Chaos drills find the service processes here (they kill one; the supervisor restarts it).
  mkdirSync(join(repoRoot, '.local/run'), { recursive: true });
  const writePids = () => writeFileSync(pidFile, JSON.stringify(platform.supervisor.pidsByName(), null, 2));
  writePids();
  setInterval(writePids, 1_000).unref();
  const gateway = platform.url('gateway');
  say(`Shopfront is ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${gateway}`);
  console.log(`  try: curl -s ${gateway}/v1/products -H 'X-API-Key: dev-key-1'`);
  console.log(`  API docs: ${gateway}/docs   ·   Ctrl-C stops everything`);
}
