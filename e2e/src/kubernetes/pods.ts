/**
 * Pods on the Docker engine, the way a kubelet would run them from a pod
 * template: the pod's user, a read-only root with its emptyDirs on tmpfs, no
 * capabilities, no privilege escalation, its memory limit, its resolved
 * environment; probed as its readinessProbe says; stopped with preStop, SIGTERM
 * and its grace period. Every container and network carries this run's label,
 * so `removeAll` (and the next run, for a crashed one) leaves nothing behind.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { freePort } from '@shopfront/testing';
import type { PodTemplate, Probe } from './manifests.js';
import { processAlive } from '../platform/processes.js';

const run = promisify(execFile);
const label = 'shopfront.k8s-emulation.pid';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const docker = async (...args: string[]): Promise<string> => (await run('docker', args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 })).stdout.trim();

/** Kubernetes quantities to Docker's: 384Mi -> 384m, 1Gi -> 1g. */
const dockerMemory = (quantity: string) => quantity.replace(/^(\d+)Mi$/, '$1m').replace(/^(\d+)Gi$/, '$1g').replace(/^(\d+)Ki$/, '$1k');

export interface Pod {
  name: string;
  template: PodTemplate;
  /** The pod's port, published on 127.0.0.1 (the kubelet would probe the pod IP). */
  hostPort: number | undefined;
}

export class Cluster {
  readonly network: string;
  private readonly prefix: string;
  private readonly pods = new Set<string>();
  private readonly watchers = new Set<ChildProcess>();
  private counter = 0;

  constructor(runId: string) {
    this.prefix = `shopfront-k8s-${runId}`;
    this.network = this.prefix;
  }

  async createNetwork(): Promise<void> {
    await removeLeftovers();
    await docker('network', 'create', '--label', `${label}=${process.pid}`, this.network);
  }

  /** `docker run` arguments for one replica of a pod template. */
  runArgs(template: PodTemplate, name: string, hostPort: number | undefined, env: Record<string, string> = {}): string[] {
    // restartPolicy Always, as the kubelet (with its own backoff) restarts a crashed container in place.
    const args = ['run', '-d', '--name', name, '--label', `${label}=${process.pid}`, '--network', this.network, '--restart', 'on-failure'];
    for (const alias of template.serviceNames) args.push('--network-alias', alias);
    if (template.user) args.push('--user', template.user);
    if (template.readOnlyRoot) args.push('--read-only');
    for (const mount of template.tmpfs) args.push('--tmpfs', `${mount.path}:rw,nosuid,nodev,mode=1777${mount.size ? `,size=${dockerMemory(mount.size)}` : ''}`);
    // A PVC as a fresh Docker volume. Unlike a real PVC, Docker fills a new volume with the image's
    // files at that path (the image's initialised PGDATA, for one): a known gap of this emulation.
    for (const path of template.persistentPaths) args.push('--mount', `type=volume,dst=${path}`);
    if (template.dropAll) args.push('--cap-drop', 'ALL');
    if (template.noNewPrivileges) args.push('--security-opt', 'no-new-privileges');
    if (template.memoryLimit) args.push('--memory', dockerMemory(template.memoryLimit));
    for (const [key, value] of Object.entries({ ...template.env, ...env })) args.push('-e', `${key}=${value}`);
    // A fixed host port: it survives a restart of the container, as a pod IP does.
    if (template.port && hostPort) args.push('-p', `127.0.0.1:${hostPort}:${template.port}`);
    args.push(template.image);
    return args;
  }

  async start(template: PodTemplate, env: Record<string, string> = {}): Promise<Pod> {
    const name = `${this.prefix}-${template.workload}-${this.counter++}`;
    this.pods.add(name);
    const hostPort = template.port ? await freePort() : undefined;
    await docker(...this.runArgs(template, name, hostPort, env));
    return { name, template, hostPort };
  }

  /** Resolves when the container next stops, as the kubelet's PLEG notices. */
  exited(pod: Pod): Promise<void> {
    // --since replays from now, so a stop between this call and the subscription is not missed.
    const since = (Date.now() / 1000).toFixed(3);
    const events = spawn('docker', ['events', '--since', since, '--filter', `container=${pod.name}`, '--filter', 'event=die', '--format', '{{.Status}}'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.watchers.add(events);
    return new Promise((resolve) => {
      const done = () => {
        events.kill();
        this.watchers.delete(events);
        resolve();
      };
      events.stdout.once('data', done);
      events.once('exit', done);
    });
  }

  /** Polls the readiness probe at its period until it passes (or the deadline). */
  async waitReady(pod: Pod, deadlineMs: number): Promise<number> {
    const started = Date.now();
    const period = (pod.template.readinessProbe?.periodSeconds ?? 10) * 1000;
    // The first probe runs at once; later ones at the probe's period, capped at 1 s to keep the test short.
    while (!(await this.probe(pod))) {
      if (Date.now() - started > deadlineMs) throw new Error(`${pod.name} not ready after ${deadlineMs} ms:\n${await this.logs(pod)}`);
      await sleep(Math.min(period, 1_000));
    }
    return Date.now() - started;
  }

  async probe(pod: Pod, probe: Probe | undefined = pod.template.readinessProbe): Promise<boolean> {
    if (!probe) return true;
    const timeout = (probe.timeoutSeconds ?? 1) * 1000;
    if (probe.httpGet) {
      const answer = await fetch(`http://127.0.0.1:${pod.hostPort}${probe.httpGet.path}`, { signal: AbortSignal.timeout(timeout) }).catch(() => undefined);
      return answer !== undefined && answer.status >= 200 && answer.status < 400;
    }
    if (probe.tcpSocket) {
      // At the pod's own address, as the kubelet probes: a published port answers TCP even before the process listens.
      const address = await docker('inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', pod.name).catch(() => '');
      if (!address) return false;
      return new Promise((resolve) => {
        const socket = connect(pod.template.port!, address);
        const done = (ok: boolean) => (socket.destroy(), resolve(ok));
        socket.setTimeout(timeout, () => done(false));
        socket.once('connect', () => done(true)).once('error', () => done(false));
      });
    }
    return docker('exec', pod.name, ...probe.exec!.command).then(
      () => true,
      () => false,
    );
  }

  /** What the kubelet does to a pod being deleted: preStop, SIGTERM, SIGKILL after the grace period. */
  async terminate(pod: Pod): Promise<{ exitedAfterMs: number }> {
    const started = Date.now();
    await sleep(pod.template.preStopSeconds * 1000);
    // No restart of a container the kubelet stops on purpose.
    await docker('update', '--restart', 'no', pod.name).catch(() => undefined);
    const exited = this.exited(pod);
    await docker('kill', '--signal', 'SIGTERM', pod.name).catch(() => undefined);
    const remaining = pod.template.graceSeconds * 1000 - (Date.now() - started);
    const timer = setTimeout(() => void docker('kill', pod.name).catch(() => undefined), Math.max(remaining, 0));
    await exited;
    clearTimeout(timer);
    const exitedAfterMs = Date.now() - started;
    await this.remove(pod.name);
    return { exitedAfterMs };
  }

  /** SIGKILL, as a crash or the OOM killer would; resolves once the container has stopped. */
  async kill(pod: Pod): Promise<void> {
    const exited = this.exited(pod);
    await docker('kill', pod.name);
    await exited;
  }

  logs(pod: Pod): Promise<string> {
    return run('docker', ['logs', '--tail', '30', pod.name]).then(
      ({ stdout, stderr }) => `${stdout}${stderr}`,
      (error: Error) => error.message,
    );
  }

  private async remove(name: string): Promise<void> {
    await docker('rm', '-f', '-v', name).catch(() => undefined);
    this.pods.delete(name);
  }

  /** Removes every container and the network of this run, synchronously so it also runs on exit paths. */
  removeAll(): void {
    for (const watcher of this.watchers) watcher.kill();
    this.watchers.clear();
    const names = [...this.pods];
    if (names.length > 0) spawnSync('docker', ['rm', '-f', '-v', ...names], { stdio: 'ignore' });
    this.pods.clear();
    spawnSync('docker', ['network', 'rm', this.network], { stdio: 'ignore' });
  }
}

/** Containers and networks of earlier runs whose process is gone. */
async function removeLeftovers(): Promise<void> {
  const dead = (line: string) => {
    const [id, pid] = line.split(' ');
    return id && !processAlive(Number(pid)) ? [id] : [];
  };
  const containers = (await docker('ps', '-a', '--filter', `label=${label}`, '--format', `{{.ID}} {{.Label "${label}"}}`)).split('\n').flatMap(dead);
  if (containers.length > 0) await docker('rm', '-f', '-v', ...containers);
  const networks = (await docker('network', 'ls', '--filter', `label=${label}`, '--format', `{{.ID}} {{.Label "${label}"}}`)).split('\n').flatMap(dead);
  if (networks.length > 0) await docker('network', 'rm', ...networks);
}
