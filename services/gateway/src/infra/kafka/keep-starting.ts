import { setTimeout as sleep } from 'node:timers/promises';

/** A broker feed of the gateway's: it starts (joins its group and reads) and stops (leaves, leaving nothing behind). */
export interface BrokerFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface KeepStartingOptions {
  name: string;
  log: { warn(details: object, message: string): void; info(details: object, message: string): void };
  /** True once the gateway shuts down: no further attempt. */
  stopping: () => boolean;
  /** Before attempt n + 1 (n ≥ 1); 500 ms doubling, at most 5 s, by default. */
  delayMs?: (attempt: number) => number;
}

/**
 * Starts `feed` until it runs, as the services' message loops do
 * (libs/runtime): a feed that failed once must not stay down for the
 * replica's life. On a broker that has just started, the services are still
 * creating their topics while the gateway subscribes to them, and the broker
 * answers that subscription with UNKNOWN_TOPIC_OR_PARTITION until they exist.
 * Once running, a feed joins again by itself after a failure (TopicReader).
 * Each failed attempt is stopped before the next, so no half-started
 * consumer is left connected.
 */
export async function keepStarting(feed: BrokerFeed, options: KeepStartingOptions): Promise<void> {
  const delay = options.delayMs ?? ((attempt: number) => Math.min(500 * 2 ** (attempt - 1), 5_000));
  for (let attempt = 1; !options.stopping(); attempt++) {
    try {
      await feed.start();
      // Shut down while it was starting: the shutdown's stop may have come too early to find it.
      if (options.stopping()) return await feed.stop();
      if (attempt > 1) options.log.info({ attempt }, `${options.name} started`);
      return;
    } catch (error) {
      options.log.warn({ err: error, attempt }, `${options.name} did not start; retrying`);
      await feed.stop().catch(() => undefined);
      await sleep(delay(attempt));
    }
  }
}
