/**
 * The project's Apache Kafka broker: the real one, 4.x in KRaft mode, from jars
 * that Maven resolves from Maven Central, run on the machine's Java 17.
 * Every command is idempotent; see config.ts for where things live.
 *
 *   node infra/kafka/kafka.ts fetch | format | start [--detach] | stop | status
 *
 * Runs on Node 24's built-in type stripping (erasable TypeScript, node: builtins only).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { host, log4jProperties, newClusterId, paths, port, serverProperties } from './config.ts';

export interface KafkaHandle {
  /** Null when the broker was already running: then stop() leaves it alone. */
  pid: number | null;
  /** Settles with the exit code if the broker started here dies; never for a reused one. */
  exited: Promise<number>;
  stop(): Promise<void>;
}

export interface StartOptions {
  quiet?: boolean;
  /** Leave the broker running after this process exits (its output goes to logs/stdout.log). */
  detach?: boolean;
  timeoutMs?: number;
}

const say = (line: string, quiet?: boolean): void => {
  if (!quiet) console.log(`kafka: ${line}`);
};
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Copies the broker's runtime jars from Maven Central into .local/kafka/lib, once per pom.xml. */
export function fetchKafka(options: { quiet?: boolean } = {}): void {
  // The stamp is written last, so an interrupted first fetch is redone rather than half-used,
  // and a change to pom.xml (a new Kafka version) fetches again.
  const stamp = createHash('sha256').update(readFileSync(paths.pom)).digest('hex');
  const stampFile = join(paths.lib, '.pom.sha256');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  say('resolving broker jars from Maven Central (first run only)…', options.quiet);
  const started = Date.now();
  const next = `${paths.lib}.${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  const args = ['-q', '-B', '-f', paths.pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${next}`];
  // Captured and shown only on failure: quiet Maven still prints colour codes.
  const mvn = spawnSync('mvn', args, { encoding: 'utf8' });
  if (mvn.status !== 0) throw new Error(`mvn failed (${mvn.error?.message ?? `exit ${mvn.status}`}):\n${mvn.stdout}${mvn.stderr}`);
  writeFileSync(join(next, '.pom.sha256'), stamp);
  rmSync(paths.lib, { recursive: true, force: true });
  renameSync(next, paths.lib);
  say(`${readdirSync(paths.lib).filter((file) => file.endsWith('.jar')).length} jars in ${seconds(started)}`, options.quiet);
}

/** Writes the configuration and, on first use, formats KRaft storage with a cluster id kept for good. */
export function formatKafka(options: { quiet?: boolean } = {}): void {
  fetchKafka(options);
  for (const dir of [paths.data, paths.config, paths.logs]) mkdirSync(dir, { recursive: true });
  writeFileSync(paths.serverProperties, serverProperties());
  writeFileSync(paths.log4j, log4jProperties());
  if (existsSync(join(paths.data, 'meta.properties'))) return;
  if (!existsSync(paths.clusterId)) writeFileSync(paths.clusterId, newClusterId());
  say('formatting KRaft storage (single node, broker + controller)', options.quiet);
  const clusterId = readFileSync(paths.clusterId, 'utf8').trim();
  const storageTool = ['-cp', `${paths.lib}/*`, `-Dlog4j2.configurationFile=${paths.log4j}`, 'kafka.tools.StorageTool'];
  execFileSync('java', [...storageTool, 'format', '--standalone', '-t', clusterId, '-c', paths.serverProperties], { stdio: 'pipe' });
}

/**
 * Starts the broker and resolves once it answers Kafka requests on the port, which it
 * does only after it has been unfenced by the controller, i.e. when it can serve
 * clients. A broker that already answers there is reused.
 */
export async function startKafka(options: StartOptions = {}): Promise<KafkaHandle> {
  const timeoutMs = options.timeoutMs ?? 90_000; // a loaded 2-core machine has taken 35 s
  if ((await probeKafka(port)) !== 'closed') {
    // A broker that is up, or still starting in another process: wait for it rather than fight it.
    if (!(await waitUntil(() => isKafka(port), timeoutMs))) {
      throw new Error(`${host}:${port} is taken by something that does not answer as a Kafka broker`);
    }
    return reused(options.quiet);
  }
  formatKafka(options);
  const started = Date.now();
  // Attached and not quiet: the broker's warnings (the console appender) show in this terminal.
  const out = options.detach || options.quiet ? openSync(join(paths.logs, 'stdout.log'), 'a') : 'inherit';
  const child = spawn(
    'java',
    [
      '-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${paths.log4j}`,
      '-cp', `${paths.lib}/*`,
      'kafka.Kafka', paths.serverProperties,
    ],
    { stdio: ['ignore', out, out], detached: options.detach === true },
  );
  if (typeof out === 'number') closeSync(out);
  const pid = child.pid!;
  writeFileSync(paths.pid, String(pid));
  let exitCode: number | null = null;
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve((exitCode = code ?? 1))));
  if (options.detach) child.unref();

  const ready = await waitUntil(async () => exitCode !== null || isKafka(port), timeoutMs);
  if (exitCode !== null) {
    // Another process may have started the same broker a moment earlier: ours then lost the port.
    if (await isKafka(port)) return reused(options.quiet);
    throw new Error(`kafka exited with code ${exitCode} during start; see ${join(paths.logs, 'server.log')}`);
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`kafka did not start within ${timeoutMs} ms; see ${join(paths.logs, 'server.log')}`);
  }
  say(`ready on ${host}:${port} in ${seconds(started)} (pid ${pid})`, options.quiet);
  return { pid, exited, stop: () => stopPid(pid, options.quiet) };
}

function reused(quiet?: boolean): KafkaHandle {
  say(`already running on ${host}:${port}`, quiet);
  return { pid: null, exited: new Promise(() => undefined), stop: async () => undefined };
}

/** Stops the broker named in the pid file (a detached one, say), or else the one running this home's config. */
export async function stopKafka(options: { quiet?: boolean } = {}): Promise<void> {
  const recorded = existsSync(paths.pid) ? Number(readFileSync(paths.pid, 'utf8')) : 0;
  const pid = isBroker(recorded) ? recorded : readdirSync('/proc').map(Number).find(isBroker);
  if (pid === undefined) {
    rmSync(paths.pid, { force: true });
    say('not running', options.quiet);
    return;
  }
  await stopPid(pid, options.quiet);
}

/** SIGTERM lets the broker shut down cleanly (a fast, recovery-free start next time); SIGKILL after 10 s. */
async function stopPid(pid: number, quiet?: boolean): Promise<void> {
  if (isBroker(pid)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitUntil(async () => !isAlive(pid), 10_000))) {
      process.kill(pid, 'SIGKILL');
      await waitUntil(async () => !isAlive(pid), 5_000);
    }
    say(`stopped (pid ${pid})`, quiet);
  }
  rmSync(paths.pid, { force: true });
}

/** Whether pid is a live broker of this home: a stale pid file must never get another process killed. */
function isBroker(pid: number): boolean {
  try {
    return pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`kafka.Kafka\0${paths.serverProperties}`);
  } catch {
    return false;
  }
}

/** Not yet gone, zombies aside: an exiting JVM empties its cmdline before it lets go of its ports. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); // "pid (comm) state …"
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

/**
 * What listens on the port: 'kafka' when it answers a Kafka ApiVersions request (v0, which
 * every broker answers), 'other' when it accepts the connection but not that, else 'closed'.
 * A starting broker binds its port early but serves requests only once it is unfenced.
 */
export function probeKafka(onPort: number, timeoutMs = 1_000): Promise<'kafka' | 'other' | 'closed'> {
  const clientId = Buffer.from('shopfront-probe');
  const request = Buffer.alloc(14 + clientId.length);
  request.writeInt32BE(10 + clientId.length, 0); // size of what follows
  request.writeInt16BE(18, 4); // api key: ApiVersions
  request.writeInt16BE(0, 6); // api version 0
  request.writeInt32BE(0x5f00d, 8); // correlation id
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);
  return new Promise((resolve) => {
    let connected = false;
    let reply = Buffer.alloc(0);
    const socket = connect({ host, port: onPort }, () => {
      connected = true;
      socket.write(request);
    });
    const done = (kafka: boolean) => {
      socket.destroy();
      resolve(kafka ? 'kafka' : connected ? 'other' : 'closed');
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.on('data', (chunk) => {
      reply = Buffer.concat([reply, chunk]);
      // size, correlation id, error code: a broker echoes our id; 0 = none, 35 = version unsupported.
      if (reply.length >= 10) done(reply.readInt32BE(4) === 0x5f00d && [0, 35].includes(reply.readInt16BE(8)));
    });
  });
}

const isKafka = async (onPort: number) => (await probeKafka(onPort)) === 'kafka';

if (import.meta.main) {
  const [command, ...flags] = process.argv.slice(2);
  const started = Date.now();
  switch (command) {
    case 'fetch':
      fetchKafka();
      say(`jars present in ${paths.lib}`);
      break;
    case 'format':
      formatKafka();
      say(`storage formatted in ${paths.data}`);
      break;
    case 'start': {
      const detach = flags.includes('--detach');
      const handle = await startKafka({ detach });
      if (detach || handle.pid === null) break;
      let stopping = false;
      const stop = async () => {
        stopping = true;
        await handle.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      void handle.exited.then((code) => {
        if (stopping) return;
        say(`broker exited on its own with code ${code}; see ${join(paths.logs, 'server.log')}`);
        process.exit(code || 1);
      });
      say('running in the foreground; Ctrl-C stops it');
      break;
    }
    case 'stop':
      await stopKafka();
      break;
    case 'status': {
      const state = await probeKafka(port);
      const lines = { kafka: 'a broker answers on', other: 'something that is not a broker listens on', closed: 'not running on' };
      say(`${lines[state]} ${host}:${port} (${Date.now() - started} ms)`);
      process.exitCode = state === 'kafka' ? 0 : 1;
      break;
    }
    default:
      console.error('usage: node infra/kafka/kafka.ts fetch | format | start [--detach] | stop | status');
      process.exit(2);
  }
}
