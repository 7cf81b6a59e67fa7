import { loadConfig, port } from '@shopfront/config';
import { z } from 'zod';

const E2eEnv = z.object({
  /** auto: testcontainers where a Docker engine answers and images exist, local processes otherwise. */
  E2E_MODE: z.enum(['auto', 'local', 'containers']).default('auto'),
  /** First of six consecutive ports for the local-process platform (gateway first). */
  E2E_PORT_BASE: port(13000),
  /** The same for the observability suite's own platform, so both may run side by side. */
  E2E_OBSERVABILITY_PORT_BASE: port(13100),
  /** And for the security suite's (attacks, card search, fuzzing). */
  E2E_SECURITY_PORT_BASE: port(13200),
  /** And for the two-gateway suite's (live events behind replicas): seven ports, the second gateway last. */
  E2E_REPLICAS_PORT_BASE: port(13300),
  /** And for the network-fault suite's (a service in a namespace of its own, a second replica at +100). */
  E2E_NETWORK_PORT_BASE: port(13400),
  /** Property-based cases per part (body, headers, query) in the security suite; the report's run used 10 000. */
  E2E_FUZZ_RUNS: z.coerce.number().int().positive().default(300),
  E2E_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  /** true: every service's log lines in the test output, not only when a start fails. */
  E2E_VERBOSE: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** as-built: use the images as they are, without checking them against the working tree. */
  E2E_IMAGES: z.enum(['refresh', 'as-built']).default('refresh'),
});

/** The only place the e2e suite reads its environment; a bad value fails at once, by name. */
export const e2eConfig = loadConfig(E2eEnv, process.env);
