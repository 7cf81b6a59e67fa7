/**
 * A TCP forwarder for the network drills: listens on one address, dials another,
 * and copies bytes both ways, optionally late. Two of them carry a service's
 * traffic across the veth links of its namespace (namespace.ts): one inside the
 * namespace, where the service dials 127.0.0.1 as it always does (so Kafka's
 * advertised 127.0.0.1:9092 still works), one outside, in the drill's process.
 *
 * Latency is added here because this machine's kernel has no netem qdisc
 * (ADR 0022); loss and partitions are the kernel's own (nftables drops), so
 * TCP retransmits and stalls as it would on a real network.
 *
 * Run as a program (inside the namespace): `node forward.ts '<routes as JSON>'`.
 * It prints "ready" once every route listens, and exits when its stdin closes,
 * so it never outlives the drill that started it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
}

export interface Route {
  /** The link the route crosses (kafka, postgres, redis, http): faults are set per link. */
  link: string;
  listen: Endpoint;
  target: Endpoint;
}

export interface Delay {
  ms: number;
  jitterMs: number;
}

const noDelay: Delay = { ms: 0, jitterMs: 0 };

export class Forwarder {
  private readonly servers = new Map<string, Server>();
  private readonly sockets = new Set<Socket>();
  private readonly delays = new Map<string, Delay>();
  /** Chunks held back by a delay since the last call to `takeDelayed`: the drill's proof that its fault bit. */
  private delayed = 0;

  takeDelayed(): number {
    const count = this.delayed;
    this.delayed = 0;
    return count;
  }

  /** Delays every chunk crossing `link`, in both directions, by ms ± jitterMs; order within a connection is kept. */
  setDelay(link: string, delay: Delay): void {
    this.delays.set(link, delay);
  }

  async open(route: Route): Promise<void> {
    const server = createServer((client) => this.pipe(route, client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(route.listen.port, route.listen.host, () => resolve());
    });
    this.servers.set(key(route.listen), server);
  }

  /** Stops listening on one address and cuts the connections it carried, so a process may bind it again. */
  async closeListener(listen: Endpoint): Promise<void> {
    const server = this.servers.get(key(listen));
    if (!server) return;
    this.servers.delete(key(listen));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([...this.servers.keys()].map((address) => {
      const [host, port] = address.split('|');
      return this.closeListener({ host: host!, port: Number(port) });
    }));
  }

  private pipe(route: Route, client: Socket): void {
    const upstream = connect(route.target.port, route.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      // Either side ending or failing ends both: a cut connection is what the service must cope with.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    this.copy(route.link, client, upstream);
    this.copy(route.link, upstream, client);
  }

  private copy(link: string, from: Socket, to: Socket): void {
    // One queue and one timer per direction: timers of different lengths may fire out of order, bytes must not.
    const queue: { due: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.due <= Date.now()) if (!to.destroyed) to.write(queue.shift()!.chunk);
      if (queue.length > 0) timer = setTimeout(drain, queue[0]!.due - Date.now());
    };
    from.on('close', () => clearTimeout(timer));
    from.on('data', (chunk: Buffer) => {
      const delay = this.delays.get(link) ?? noDelay;
      if (delay.ms === 0 && delay.jitterMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      // Each chunk leaves no earlier than the one before it: jitter varies the wait, never the order.
      const due = Math.max(queue.at(-1)?.due ?? 0, Date.now() + delay.ms + (Math.random() * 2 - 1) * delay.jitterMs);
      queue.push({ due, chunk });
      this.delayed++;
      timer ??= setTimeout(drain, Math.max(0, due - Date.now()));
    });
  }
}

const key = (endpoint: Endpoint) => `${endpoint.host}|${endpoint.port}`;

if (import.meta.main) {
  const routes = JSON.parse(process.argv[2] ?? '[]') as Route[];
  const forwarder = new Forwarder();
  for (const route of routes) await forwarder.open(route);
  console.log('ready');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}
