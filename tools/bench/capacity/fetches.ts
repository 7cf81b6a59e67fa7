/**
 * Kafka fetch requests per service, read from each service's own `messaging_fetches_total`: at low load
 * a consumer group sends about one fetch per message it reads, so this is where much of Kafka's CPU
 * per order comes from (docs/performance.md).
 */
import type { ServiceName } from '../../runner/services.ts';

/** The sum of every `messaging_fetches_total` sample in a Prometheus text exposition. */
export function fetchesIn(exposition: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const match = /^messaging_fetches_total(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match) total += Number(match[1]);
  }
  return total;
}

/**
 * Each service's fetches so far; a service that does not answer counts as absent, not as zero. The
 * gateway serves `/metrics` on its public port to the admin key only; the others ignore the header.
 */
export async function kafkaFetches(ports: Record<ServiceName, number>, adminKey = 'admin-key'): Promise<Record<string, number>> {
  const read = async ([name, port]: [string, number]) => {
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'x-api-key': adminKey }, signal: AbortSignal.timeout(3_000) });
      return answer.ok ? [[name, fetchesIn(await answer.text())] as const] : [];
    } catch {
      return [];
    }
  };
  return Object.fromEntries((await Promise.all(Object.entries(ports).map(read))).flat());
}
