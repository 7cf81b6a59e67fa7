import type { Consumer } from 'kafkajs';
import { Counter } from 'prom-client';

/**
 * Fetch requests each consumer sent to the broker. At low load a fetch returns with the first message
 * there, so a group pays about one request per message; this is the figure that shows it
 * (`npm run bench -- capacity` prints it per order).
 */
export const fetches = new Counter({
  name: 'messaging_fetches_total',
  help: 'Fetch requests sent to the broker, by consumer',
  labelNames: ['consumer'],
});

/** Counts every fetch `consumer` sends under `name` (its group's name without the run's prefix). */
export function countFetches(consumer: Consumer, name: string): void {
  consumer.on(consumer.events.FETCH, () => fetches.inc({ consumer: name }));
}

/**
 * Spaces `consumer`'s fetches at least `ms` apart while messages flow, for a reader that can take
 * `ms` of lag. Await the returned function at the end of every batch: kafkajs sends its next fetch
 * only once the batches of the last one are handled, so the first batch of a fetch waits out the
 * rest of `ms` and what arrives meanwhile comes in one fetch instead of one fetch per message. The
 * first message after a quiet spell is not delayed, and an idle consumer still waits at the broker
 * (`maxWaitTimeInMs`), not here: idle, it asks no more often than before. The wait is in short
 * slices and ends early once `live()` turns false, so a stop or a rebalance is not held up.
 */
export function spaceFetches(consumer: Consumer, ms: number): (live?: () => boolean) => Promise<void> {
  let fetchedAt = 0;
  consumer.on(consumer.events.FETCH, () => (fetchedAt = Date.now()));
  return async (live = () => true) => {
    for (let wait = fetchedAt + ms - Date.now(); wait > 0 && live(); wait = fetchedAt + ms - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 50)));
    }
  };
}
