/**
 * A Redis server of the test's own, on a free port: for what must not be done
 * to the shared one — FLUSHALL, or stopping it to see the gateway without Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@shopfront/testing';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  client: Redis;
  stop(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (attempt) => (attempt > 50 ? null : 50) });
  client.on('error', () => undefined);
  await client.ping();
  return {
    url,
    client,
    async stop() {
      client.disconnect();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
