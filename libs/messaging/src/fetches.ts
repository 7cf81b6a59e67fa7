import { Counter } from 'prom-client';

/**
 * Fetch requests each consumer sent to the broker. At low load a fetch returns with the first message
 * there, so a group pays about one request per message; this is the figure that shows it
 * (`npm run bench -- capacity` prints it per order). Counted by GroupReader.
 */
export const fetches = new Counter({
  name: 'messaging_fetches_total',
  help: 'Fetch requests sent to the broker, by consumer',
  labelNames: ['consumer'],
});
