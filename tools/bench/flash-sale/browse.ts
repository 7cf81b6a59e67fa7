/**
 * Shoppers browsing the catalog: `GET /v1/products` at a fixed arrival rate,
 * open-loop like the checkouts (a slow answer never delays the next read),
 * until told to stop. Latency is from the intended send time.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Read {
  status: string;
  ms: number;
  /** The gateway's `x-cache` header (hit, miss, stale), when it sent one. */
  cache?: string;
}

export interface Browsing {
  rate: number;
  reads: Read[];
}

export function browse(options: { gatewayUrl: string; apiKey: string; rate: number }): { stop: () => Promise<Browsing> } {
  const reads: Read[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const gapMs = 1000 / options.rate;

  async function read(intended: number): Promise<void> {
    try {
      const response = await fetch(`${options.gatewayUrl}/v1/products`, { headers: { 'x-api-key': options.apiKey }, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      const cache = response.headers.get('x-cache');
      reads.push({ status: String(response.status), ms: performance.now() - intended, ...(cache ? { cache } : {}) });
    } catch (error) {
      reads.push({ status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'error', ms: performance.now() - intended });
    }
  }

  const loop = (async () => {
    const start = performance.now();
    for (let sent = 0; !stopped; ) {
      while (start + sent * gapMs <= performance.now()) {
        const call = read(start + sent * gapMs).finally(() => inFlight.delete(call));
        inFlight.add(call);
        sent++;
      }
      await sleep(Math.max(1, start + sent * gapMs - performance.now()));
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      return { rate: options.rate, reads };
    },
  };
}
