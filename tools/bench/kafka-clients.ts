/**
 * kafkajs against the maintained clients, on this machine's broker, one
 * client at a time (ADR 0024). What matters to the platform is measured:
 * the cost of a saga hop (one message out, one reply back, sent as made),
 * of one awaited send, of waiting at rest, and bulk throughput last.
 *
 *   npm run bench -- kafka-clients [--clients kafkajs,platformatic,confluent] [--rate 100] [--seconds 20] [--messages 20000]
 *
 * Needs a broker on 127.0.0.1:9092 with nothing else using it (`npm run kafka -- start --detach`):
 * its CPU is read from /proc and counted against the client under test.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createKafka, createTopics, deleteTopicsWithPrefix } from '@shopfront/messaging';
import { repoRoot } from '../runner/platform.ts';
import { listenerPid } from '../runner/listeners.ts';
import { renderTable } from './capacity/stats.ts';
import { positive } from './capacity.ts';
import { candidates, ensureCandidate, type CandidateName } from './kafka-clients/candidates.ts';

const allClients = ['kafkajs', 'platformatic', 'confluent'] as const;
type ClientName = (typeof allClients)[number];

export interface KafkaClientsOptions {
  clients: ClientName[];
  rate: number;
  seconds: number;
  messages: number;
}

export function parseKafkaClientsArgs(args: string[]): KafkaClientsOptions {
  const { values } = parseArgs({
    args,
    options: {
      clients: { type: 'string', default: allClients.join(',') },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '20' },
      messages: { type: 'string', default: '20000' },
    },
  });
  const clients = values.clients.split(',').map((name) => name.trim());
  const unknown = clients.filter((name) => !(allClients as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--clients: unknown ${unknown.join(', ')} (known: ${allClients.join(', ')})`);
  return { clients: clients as ClientName[], rate: positive('rate', values.rate), seconds: positive('seconds', values.seconds), messages: positive('messages', values.messages) };
}

export async function benchKafkaClients({ clients, rate, seconds, messages }: KafkaClientsOptions, say: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const brokerPid = listenerPid(Number(brokers.split(':').at(-1)));
  if (brokerPid === undefined) throw new Error(`no broker listening at ${brokers}: start one with npm run kafka -- start --detach`);

  const results: ClientResult[] = [];
  const skipped: Record<string, string> = {};
  for (const client of clients) {
    if (client !== 'kafkajs') {
      const installed = await ensureCandidate(client, say);
      if (!installed.ok) {
        skipped[client] = `could not be installed here; see ${installed.log}`;
        say(`${client}: ${skipped[client]}`);
        continue;
      }
    }
    const prefix = `bench-kc-${client}-${randomBytes(3).toString('hex')}-`;
    const kafka = createKafka({ clientId: 'bench-kafka-clients', brokers: brokers.split(',') });
    await createTopics(kafka, ['ping', 'pong', 'bulk'].map((name) => `${prefix}${name}`));
    try {
      say(`▸ ${client} ${client === 'kafkajs' ? '(the platform’s client)' : `${candidates[client as CandidateName].pkg}@${candidates[client as CandidateName].version}`}`);
      results.push(await runWorker([client, prefix, String(brokerPid), String(rate), String(seconds), String(messages)], say));
    } catch (error) {
      skipped[client] = `its run failed: ${(error as Error).message}`;
      say(`${client}: ${skipped[client]}`);
    } finally {
      await deleteTopicsWithPrefix(kafka, prefix);
    }
  }
  say('');
  say(summaryTable(results));
  for (const [client, why] of Object.entries(skipped)) say(`not measured: ${client}: ${why}`);
  return { at: new Date().toISOString(), rate, seconds, messages, results, skipped };
}

/** The worker runs under the same loader flags as this bench; it is killed if it outlives its limit. */
function runWorker(args: string[], say: (line: string) => void): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, 'tools/bench/kafka-clients/worker.ts', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const limit = setTimeout(() => child.kill('SIGKILL'), 330_000);
    let result: ClientResult | undefined;
    let errors = '';
    // Whole lines: a chunk of the pipe may end inside one (the RESULT line is long).
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7)) as ClientResult;
      else if (line) say(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    child.on('close', (code) => {
      clearTimeout(limit);
      if (result && code === 0) resolve(result);
      else reject(new Error(`${args[0]} worker exited with ${code}: ${errors.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}

/** What a worker reports (worker.ts). */
export interface ClientResult {
  client: string;
  idle: { clientPercentOfCore: number; brokerPercentOfCore: number };
  hop: { latencyMs: { p50: number; p99: number }; cpuMsPerRoundTrip: { clientMs: number; brokerMs: number } };
  single: { latencyMs: { p50: number; p99: number }; cpuMsPerSend: { clientMs: number; brokerMs: number } };
  bulk: { produced: { messagesPerS: number }; consumed: { messagesPerS: number } };
}

/** One row per client: the round trip first (a command and its reply), since that is the platform's hot path. */
export function summaryTable(results: ClientResult[]): string {
  return renderTable(
    ['client', 'round trip p50 ms', 'p99 ms', 'CPU-ms/trip client', 'broker', 'send p50 ms', 'CPU-ms/send client', 'broker', 'idle % client', 'broker', 'produce msg/s', 'read msg/s'],
    results.map((r) => [
      r.client,
      r.hop.latencyMs.p50,
      r.hop.latencyMs.p99,
      r.hop.cpuMsPerRoundTrip.clientMs,
      r.hop.cpuMsPerRoundTrip.brokerMs,
      r.single.latencyMs.p50,
      r.single.cpuMsPerSend.clientMs,
      r.single.cpuMsPerSend.brokerMs,
      r.idle.clientPercentOfCore,
      r.idle.brokerPercentOfCore,
      r.bulk.produced.messagesPerS,
      r.bulk.consumed.messagesPerS,
    ]),
  );
}
