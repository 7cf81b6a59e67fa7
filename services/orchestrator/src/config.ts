import { loadConfig, port, serviceEnv } from '@shopfront/config';
import { z } from 'zod';

const millis = (fallback: number) => z.coerce.number().int().min(1).max(3_600_000).default(fallback);

const OrchestratorEnv = z.object({
  ...serviceEnv,
  ORCHESTRATOR_PORT: port(3005),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_orchestrator'),
  /** The wait for a participant's first answer; each re-send waits twice as long. */
  STEP_TIMEOUT_MS: millis(5_000),
  /** Sends of an action before the saga gives up and compensates with reason TIMEOUT. */
  STEP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** The longest wait between re-sends (compensations are re-sent forever, at most this far apart). */
  STEP_BACKOFF_CAP_MS: millis(60_000),
  /** How often the deadline poller looks for overdue sagas. */
  DEADLINE_POLL_MS: millis(250),
  /** Days the step log of a settled saga is kept (saga_log); the saga row itself is kept for good. */
  SAGA_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

export type OrchestratorConfig = z.infer<typeof OrchestratorEnv>;

/** The only place this service reads its environment. */
export const loadOrchestratorConfig = (env: Record<string, string | undefined> = process.env): OrchestratorConfig =>
  loadConfig(OrchestratorEnv, env);
