/**
 * The infrastructure the platform and its tests run on, on this machine:
 * Postgres and Redis must already answer (the machine's own services);
 * Kafka is started from the project's Maven-resolved jars when it does not.
 *
 *   node tools/runner/infra.ts        start what is missing, stay in the foreground
 */
import { connect } from 'node:net';
import { startKafka } from '../../infra/kafka/kafka.ts';

export interface Infra {
  /** Stops what this call started (nothing, when everything was already up). */
  stop(): Promise<void>;
}

export const infraEndpoints = {
  postgres: { host: '127.0.0.1', port: Number(process.env.POSTGRES_PORT ?? 5432), hint: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start" },
  redis: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379), hint: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no' },
  kafka: { host: '127.0.0.1', port: Number(process.env.KAFKA_PORT ?? 9092) },
};

export function answers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function ensureInfra(options: { quiet?: boolean } = {}): Promise<Infra> {
  const say = (line: string) => options.quiet || console.log(line);
  for (const name of ['postgres', 'redis'] as const) {
    const { host, port, hint } = infraEndpoints[name];
    if (!(await answers(host, port))) {
      throw new Error(`${name} does not answer on ${host}:${port}; start it with: ${hint}`);
    }
    say(`infra: ${name} answers on ${host}:${port}`);
  }
  const kafka = await startKafka({ quiet: options.quiet });
  return { stop: () => kafka.stop() };
}

if (import.meta.main) {
  const infra = await ensureInfra();
  console.log('infra: ready; Ctrl-C stops what was started here');
  const shutdown = async () => {
    await infra.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
