/**
 * The container platform's own Postgres, Redis and Kafka, as faults reach
 * them: killed and started again with their data, restarted, or replaced by
 * an empty container under the same network name (a broker whose data is
 * wiped, a cache that comes back empty). Services find the new container by
 * its alias, as they would a rescheduled pod.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { getContainerRuntimeClient, type GenericContainer, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import type { InfrastructureControl, InfrastructureName } from './types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface InfrastructureParts {
  started: Map<string, StartedTestContainer>;
  network: StartedNetwork;
  /** A fresh definition of each, with the same image, alias and host ports. */
  define(name: InfrastructureName): GenericContainer;
  hostPorts: Record<'postgres' | 'redis', number>;
}

export function infrastructureControl(parts: InfrastructureParts): InfrastructureControl {
  const postgresUrl = `postgres://postgres@127.0.0.1:${parts.hostPorts.postgres}/postgres`;
  const containerOf = (name: InfrastructureName) => parts.started.get(name) ?? fail(`${name} is not running in this platform`);
  const dockerOf = async (name: InfrastructureName) => (await getContainerRuntimeClient()).container.dockerode.getContainer(containerOf(name).getId());

  /** Until the server answers again: a query, a PING, or the broker's own "started" line written after `since`. */
  async function answering(name: InfrastructureName, since: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      try {
        if (name === 'postgres') {
          const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
          await client.connect();
          await client.query('SELECT 1').finally(() => client.end());
          return;
        }
        if (name === 'redis') {
          const redis = new Redis({ host: '127.0.0.1', port: parts.hostPorts.redis, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
          try {
            await redis.connect();
            if ((await redis.ping()) === 'PONG') return;
          } finally {
            redis.disconnect();
          }
        }
        if (name === 'kafka') {
          const logs = await (await dockerOf('kafka')).logs({ stdout: true, stderr: true, since: Math.floor(since / 1000) });
          if (/Kafka Server started/.test(logs.toString())) return;
        }
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(250);
    }
    throw new Error(`${name} did not answer within ${timeoutMs} ms: ${last}`);
  }

  return {
    postgresUrl,
    async kill(name) {
      await (await dockerOf(name)).kill({ signal: 'SIGKILL' });
    },
    async start(name) {
      const since = Date.now() - 1_000;
      await (await dockerOf(name)).start();
      await answering(name, since);
    },
    async restart(name) {
      const since = Date.now() - 1_000;
      await (await dockerOf(name)).restart({ t: 10 });
      await answering(name, since);
    },
    async replace(name) {
      await containerOf(name).stop({ timeout: 0, remove: true });
      parts.started.delete(name);
      const since = Date.now() - 1_000;
      parts.started.set(name, await parts.define(name).withNetwork(parts.network).start());
      await answering(name, since);
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}
