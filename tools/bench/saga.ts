/**
 * End-to-end saga benchmark, closed-loop: places orders through the gateway
 * at a fixed concurrency (each client waits for its order before placing the
 * next) and measures place → terminal latency and sagas per second. A
 * closed loop never offers more than the platform takes, so it cannot show
 * saturation: that is the open-loop `capacity` bench's job.
 * Uses a running platform (GATEWAY_URL) or starts one as local processes.
 */
import { anOrder } from '@shopfront/testing';
import { GatewayClient } from '../../e2e/src/client.js';
import { startLocalPlatform } from '../../e2e/src/platform/local.js';

export interface SagaBenchResult {
  mode: 'closed-loop';
  orders: number;
  concurrency: number;
  seconds: number;
  sagasPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  outcomes: Record<string, number>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function benchSagas(options: { orders?: number; concurrency?: number; gatewayUrl?: string } = {}): Promise<SagaBenchResult> {
  const orders = options.orders ?? Number(process.env.BENCH_SAGA_ORDERS ?? 300);
  const concurrency = options.concurrency ?? Number(process.env.BENCH_SAGA_CONCURRENCY ?? 16);
  // A limit far above what the bench sends: it measures sagas, not the rate limiter.
  const platform = options.gatewayUrl ? undefined : await startLocalPlatform({ extraEnv: { RATE_LIMIT_POINTS: '100000' } });
  const gateway = new GatewayClient(options.gatewayUrl ?? platform!.gatewayUrl);
  try {
    await gateway.settled((await gateway.placeOrder(anOrder())).body.orderId, 60_000); // warm-up
    const latencies: number[] = [];
    const outcomes: Record<string, number> = {};
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < orders) {
          const i = next++;
          const placedAt = Date.now();
          const placed = await gateway.placeOrder(anOrder({ sku: `SKU-00${(i % 9) + 1}`, quantity: 1, card: i % 10 === 9 ? '4000000000000002' : '4242424242424242' }));
          if (placed.status !== 202) throw new Error(`POST answered ${placed.status}: ${JSON.stringify(placed.body)}`);
          const order = await gateway.settled(placed.body.orderId, 60_000);
          latencies.push(Date.now() - placedAt);
          outcomes[order.status] = (outcomes[order.status] ?? 0) + 1;
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    return {
      mode: 'closed-loop',
      orders,
      concurrency,
      seconds,
      sagasPerSecond: orders / seconds,
      latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
      outcomes,
    };
  } finally {
    await platform?.stop();
  }
}
