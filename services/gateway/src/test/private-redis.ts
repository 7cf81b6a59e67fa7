/**
 * A Redis server of the test's own, on a free port: for what must not be done
 * to the shared one — FLUSHALL, or stopping it to see the gateway without Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually, freePort } from '@shopfront/testing';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  client: Redis;
  stop(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  // However the test file ends, the server ends with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  const stop = async () => {
    client.disconnect();
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    // A busy machine takes a while to bring the server up: wait until it answers, not one ping.
    await eventually(async () => (await client.ping()) === 'PONG', { what: `private redis-server on ${port}`, timeoutMs: 15_000, intervalMs: 100 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, client, stop };
}
