/**
 * Loaded with `node --import @shopfront/observability/register`, before the
 * service's own modules, so that pg, ioredis, fastify and http are patched as
 * they are first imported. Everything here is ESM: import-in-the-middle's loader
 * wraps only the modules an instrumentation asked for (the message channel),
 * which keeps the rest of the graph, and start-up, untouched.
 */
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { register } from 'node:module';
import { startTracing, tracingFromEnv } from './tracing.js';

const settings = tracingFromEnv(process.env);
if (settings) {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  startTracing(settings);
  await waitForAllMessagesAcknowledged();
}
