/**
 * Moves one service of `npm start` into a network namespace of its own, with one
 * veth link per dependency (Kafka, its Postgres, Redis, and HTTP to and from the
 * other services), so that a drill can break one link and leave the others:
 * a partition from Kafka only, from Postgres only, one direction only.
 *
 *   service ── 127.0.0.1 ── forwarder ══ veth "kafka" ══ forwarder ── broker
 *   (inside the namespace)           ══ veth "postgres" ══         ── Postgres
 *                                    ══ veth "http" ══             ── other services
 *
 * Loss and partitions are nftables rules inside the namespace (the kernel drops
 * the packets; TCP retransmits and stalls); latency is the outer forwarder's.
 * The service is moved by a launch override (tools/runner/supervisor.ts) and a
 * SIGKILL: the supervisor starts it again inside the namespace. `restore` moves
 * it back the same way and deletes the namespace. Needs root (ip netns, nft).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNames, type ServiceName } from '../../runner/services.ts';
import { relaunch, untilReady, type PlatformProcesses } from '../processes.ts';
import { Forwarder, type Delay, type Endpoint, type Route } from './forward.ts';

export const links = ['kafka', 'postgres', 'redis', 'http'] as const;
export type Link = (typeof links)[number];
/** `out`: from the service to the dependency; `in`: back to the service. */
export type Direction = 'out' | 'in' | 'both';

export interface Namespaced {
  service: ServiceName;
  namespace: string;
  setDelay(link: Link, delay: Delay): void;
  /** Drops `percent` of the packets crossing `link` (100: a partition). */
  drop(link: Link, direction: Direction, percent: number): void;
  /** Every link whole again, no latency; returns what the fault did since the last heal. */
  heal(): FaultEffect;
  /** The service back on the machine's own network, the namespace deleted. */
  restore(): Promise<void>;
}

/** Evidence that a fault was really applied: packets the kernel dropped, chunks the forwarder held back. */
export interface FaultEffect {
  droppedPackets: number;
  delayedChunks: number;
}

export interface PlaceOptions {
  platform: PlatformProcesses;
  log: (line: string) => void;
}

const sh = (command: string, args: string[], input?: string) => execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const forwarderProgram = join(dirname(fileURLToPath(import.meta.url)), 'forward.ts');

/** Whether this machine lets a drill make namespaces and drop packets (root, ip, nft). */
export function networkFaultsPossible(): { possible: boolean; why: string } {
  if (process.getuid?.() !== 0) return { possible: false, why: 'network drills need root (ip netns, nft)' };
  for (const [tool, flag] of [['ip', '-V'], ['nft', '--version']] as const) {
    try {
      sh(tool, [flag]);
    } catch {
      return { possible: false, why: `${tool} is not installed (Debian: iproute2, nftables)` };
    }
  }
  return { possible: true, why: '' };
}

function endpoint(url: string, fallbackPort: number): Endpoint {
  const parsed = new URL(url.includes('://') ? url : `tcp://${url}`);
  return { host: parsed.hostname, port: Number(parsed.port || fallbackPort) };
}

export async function placeInNamespace(service: ServiceName, options: PlaceOptions): Promise<Namespaced> {
  const { platform } = options;
  const { settings } = platform;
  const index = serviceNames.indexOf(service);
  const namespace = `sf-chaos-${service}`;
  const iface = (link: Link, side: 'h' | 'n') => `sfc${index}${link[0]}${side}`;
  const address = (link: Link, side: 'h' | 'n') => `10.231.${index}.${links.indexOf(link) * 4 + (side === 'h' ? 1 : 2)}`;
  const dependencies: Record<Exclude<Link, 'http'>, Endpoint> = {
    kafka: endpoint(settings.kafkaBrokers.split(',')[0]!, 9092),
    postgres: endpoint(settings.postgresUrl, 5432),
    redis: endpoint(settings.redisUrl, 6379),
  };

  // A namespace left by a drill that died is replaced, not reused.
  try {
    sh('ip', ['netns', 'del', namespace]);
  } catch {
    // none was there
  }
  sh('ip', ['netns', 'add', namespace]);
  const inside = (...args: string[]) => sh('ip', ['netns', 'exec', namespace, ...args]);
  inside('ip', 'link', 'set', 'lo', 'up');
  for (const link of links) {
    sh('ip', ['link', 'add', iface(link, 'h'), 'type', 'veth', 'peer', 'name', iface(link, 'n')]);
    sh('ip', ['link', 'set', iface(link, 'n'), 'netns', namespace]);
    sh('ip', ['addr', 'add', `${address(link, 'h')}/30`, 'dev', iface(link, 'h')]);
    sh('ip', ['link', 'set', iface(link, 'h'), 'up']);
    inside('ip', 'addr', 'add', `${address(link, 'n')}/30`, 'dev', iface(link, 'n'));
    inside('ip', 'link', 'set', iface(link, 'n'), 'up');
  }
  sh('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], [
    'table inet sfchaos {',
    '  chain out { type filter hook output priority 0; policy accept; }',
    '  chain in { type filter hook input priority 0; policy accept; }',
    '}',
  ].join('\n'));

  // Inside: the service dials 127.0.0.1 as ever; each dependency's port leads over its own link.
  const others = serviceNames.filter((name) => name !== service);
  const own = settings.ports[service];
  const insideRoutes: Route[] = [
    ...(Object.keys(dependencies) as (keyof typeof dependencies)[]).map((link) => ({
      link,
      listen: dependencies[link],
      target: { host: address(link, 'h'), port: dependencies[link].port },
    })),
    ...others.map((name) => ({ link: 'http', listen: { host: settings.host, port: settings.ports[name] }, target: { host: address('http', 'h'), port: settings.ports[name] } })),
    { link: 'http', listen: { host: address('http', 'n'), port: own }, target: { host: settings.host, port: own } },
  ];
  const innerForwarder = await startInside(namespace, insideRoutes);

  // Outside, in this process: from each link's far end to the real dependency, late if asked.
  const outer = new Forwarder();
  for (const link of Object.keys(dependencies) as (keyof typeof dependencies)[]) {
    await outer.open({ link, listen: { host: address(link, 'h'), port: dependencies[link].port }, target: dependencies[link] });
  }
  for (const name of others) await outer.open({ link: 'http', listen: { host: address('http', 'h'), port: settings.ports[name] }, target: { host: settings.host, port: settings.ports[name] } });
  const ownListen = { host: settings.host, port: own };

  const overrideFile = join(platform.overridesDir, `${service}.json`);
  const restoreOnExit = () => {
    // This process is going away mid-drill: the service must not be left in a namespace nobody serves.
    rmSync(overrideFile, { force: true });
    const pid = platform.pid(service);
    if (pid) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', restoreOnExit);

  mkdirSync(platform.overridesDir, { recursive: true });
  writeFileSync(overrideFile, JSON.stringify({ prefix: ['ip', 'netns', 'exec', namespace] }));
  await relaunch(platform, service);
  // The old process's port is free once it is gone; the others reach the service through it again.
  for (let attempt = 0; ; attempt++) {
    try {
      await outer.open({ link: 'http', listen: ownListen, target: { host: address('http', 'n'), port: own } });
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await sleep(100);
    }
  }
  await untilReady(platform, service, `${service} inside ${namespace}`);
  options.log(`${service} runs inside network namespace ${namespace}`);

  const rules = (chain: 'out' | 'in', link: Link, percent: number) => {
    const match = `${chain === 'out' ? 'oifname' : 'iifname'} "${iface(link, 'n')}"`;
    const chance = percent >= 100 ? '' : ` numgen random mod 100 < ${Math.round(percent)}`;
    inside('nft', 'add', 'rule', 'inet', 'sfchaos', chain, ...`${match}${chance} counter drop`.split(' '));
  };
  const heal = (): FaultEffect => {
    // Each rule's counter says how many packets it dropped; read before the rules go.
    const listed = inside('nft', 'list', 'table', 'inet', 'sfchaos');
    const droppedPackets = [...listed.matchAll(/counter packets (\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    inside('nft', 'flush', 'chain', 'inet', 'sfchaos', 'out');
    inside('nft', 'flush', 'chain', 'inet', 'sfchaos', 'in');
    for (const link of links) outer.setDelay(link, { ms: 0, jitterMs: 0 });
    return { droppedPackets, delayedChunks: outer.takeDelayed() };
  };

  return {
    service,
    namespace,
    setDelay: (link, delay) => outer.setDelay(link, delay),
    drop(link, direction, percent) {
      if (direction !== 'in') rules('out', link, percent);
      if (direction !== 'out') rules('in', link, percent);
    },
    heal,
    async restore() {
      heal();
      rmSync(overrideFile, { force: true });
      await outer.closeListener(ownListen);
      await relaunch(platform, service);
      await untilReady(platform, service, `${service} back on the machine's network`);
      process.removeListener('exit', restoreOnExit);
      await outer.close();
      innerForwarder.stdin?.end();
      sh('ip', ['netns', 'del', namespace]);
      options.log(`${service} back on the machine's network; ${namespace} deleted`);
    },
  };
}

/** The inner forwarder, a process inside the namespace; it exits when this process closes its stdin. */
async function startInside(namespace: string, routes: Route[]): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '--disable-warning=ExperimentalWarning', forwarderProgram, JSON.stringify(routes)], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the forwarder inside ${namespace} did not start`)), 10_000);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the forwarder inside ${namespace} exited (${code})`));
    });
  });
  return child;
}
