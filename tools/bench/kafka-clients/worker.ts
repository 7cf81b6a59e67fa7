/**
 * One client's run of the comparison, in a process of its own so that its
 * CPU (librdkafka's threads included) is all its own: `process.cpuUsage()`
 * for the client, /proc for the broker. Prints one `RESULT {json}` line.
 *
 *   worker.ts <client> <topic prefix> <broker pid> <hop rate/s> <hop seconds> <bulk messages>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSecondsOf } from '../capacity/processes.ts';
import { arrivalSchedule, percentiles } from '../capacity/stats.ts';
import { clientUnderTest, type ClientUnderTest } from './clients.ts';
import type { CandidateName } from './candidates.ts';

const [client, prefix, brokerPidText, rateText, secondsText, bulkText] = process.argv.slice(2);
const brokerPid = Number(brokerPidText);
const cpuOf = () => {
  const own = process.cpuUsage();
  return { client: (own.user + own.system) / 1e6, broker: cpuSecondsOf(brokerPid) };
};
/** CPU-ms (client, broker) between two readings, per unit of work. */
const perUnit = (before: ReturnType<typeof cpuOf>, units: number) => {
  const after = cpuOf();
  return { clientMs: round(((after.client - before.client) * 1000) / units, 3), brokerMs: round(((after.broker - before.broker) * 1000) / units, 3) };
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const say = (line: string) => console.log(`  ${client}: ${line}`);
const value = (size: number) => Buffer.alloc(size, 'x');

async function main(): Promise<void> {
  const kafka = await clientUnderTest(client as 'kafkajs' | CandidateName);
  const result: Record<string, unknown> = { client };
  result.hop = await hops(kafka, Number(rateText), Number(secondsText), result);
  result.single = await singleSends(kafka, 1_000);
  result.bulk = await bulk(kafka, Number(bulkText));
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/**
 * The saga's shape: a command to a participant and its reply back, each a
 * single message sent as it is made. Chains start at a fixed rate whatever
 * comes back (open-loop); latency runs from each chain's intended start.
 * The same three clients at rest first: what a service pays to wait.
 */
async function hops(kafka: ClientUnderTest, rate: number, seconds: number, result: Record<string, unknown>) {
  const [ping, pong] = [`${prefix}ping`, `${prefix}pong`];
  const driver = await kafka.producer();
  const participantOut = await kafka.producer();
  const latencies: number[] = [];
  let started = 0;
  const participant = await kafka.consumer({
    group: `${prefix}participant`,
    topics: [ping],
    fromBeginning: false,
    onMessage: (message) => participantOut.send(pong, [{ key: message.toString('utf8', 0, 12), value: message }]),
  });
  const orchestrator = await kafka.consumer({
    group: `${prefix}orchestrator`,
    topics: [pong],
    fromBeginning: false,
    onMessage: (message) => void latencies.push(performance.now() - started - Number(JSON.parse(message.toString()).at)),
  });
  await sleep(3_000); // joined and settled
  const idleFrom = cpuOf();
  await sleep(10_000);
  const idle = perUnit(idleFrom, 10);
  result.idle = { clientPercentOfCore: round(idle.clientMs / 10), brokerPercentOfCore: round(idle.brokerMs / 10) };
  say(`idle: client ${round(idle.clientMs / 10)} %, broker ${round(idle.brokerMs / 10)} % of a core`);

  const schedule = arrivalSchedule(rate, seconds);
  const failures: unknown[] = [];
  const before = cpuOf();
  started = performance.now();
  for (const [index, at] of schedule.entries()) {
    const wait = started + at - performance.now();
    if (wait > 0) await sleep(wait);
    const body = JSON.stringify({ id: String(index).padStart(12, '0'), at, pad: 'x'.repeat(400) });
    driver.send(ping, [{ key: String(index).padStart(12, '0'), value: Buffer.from(body) }]).catch((error: unknown) => failures.push(error));
  }
  for (const until = Date.now() + 20_000; latencies.length < schedule.length && Date.now() < until; ) await sleep(20);
  const cost = perUnit(before, Math.max(1, latencies.length));
  await Promise.allSettled([participant.close(), orchestrator.close(), driver.close(), participantOut.close()]);
  const spread = percentiles(latencies);
  say(`hops: ${latencies.length}/${schedule.length} round trips at ${rate}/s, p50 ${spread.p50} ms, p99 ${spread.p99} ms, ${cost.clientMs} + ${cost.brokerMs} CPU-ms (client + broker) each`);
  return { rate, seconds, offered: schedule.length, completed: latencies.length, failures: failures.length, latencyMs: spread, cpuMsPerRoundTrip: cost };
}

/** One message per send, each awaited: the relay's case when one row is committed at a time. */
async function singleSends(kafka: ClientUnderTest, count: number) {
  const producer = await kafka.producer();
  const times: number[] = [];
  await producer.send(`${prefix}bulk`, [{ key: 'warm', value: value(500) }]);
  const before = cpuOf();
  for (let index = 0; index < count; index++) {
    const from = performance.now();
    await producer.send(`${prefix}bulk`, [{ key: `k${index % 64}`, value: value(500) }]);
    times.push(performance.now() - from);
  }
  const cost = perUnit(before, count);
  await producer.close();
  const spread = percentiles(times.map((ms) => ms * 100)); // in 1/100 ms, so the table keeps two decimals
  const latencyMs = { p50: spread.p50 / 100, p99: spread.p99 / 100 };
  say(`single sends: p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms, ${cost.clientMs} + ${cost.brokerMs} CPU-ms each`);
  return { count, latencyMs, cpuMsPerSend: cost };
}

/** Throughput: sends of 100 messages of 500 bytes, one at a time, then a new group reads them all. */
async function bulk(kafka: ClientUnderTest, count: number) {
  const producer = await kafka.producer();
  const topic = `${prefix}bulk`;
  let before = cpuOf();
  let from = performance.now();
  for (let sent = 0; sent < count; sent += 100) {
    await producer.send(topic, Array.from({ length: Math.min(100, count - sent) }, (_, i) => ({ key: `k${(sent + i) % 64}`, value: value(500) })));
  }
  const produceS = (performance.now() - from) / 1000;
  const produceCost = perUnit(before, count / 1000);
  await producer.close();
  const existing = count + 1_001; // the single sends and their warm-up are on the same topic
  let read = 0;
  let done!: () => void;
  const allRead = new Promise<void>((resolve) => (done = resolve));
  before = cpuOf();
  from = performance.now();
  const consumer = await kafka.consumer({ group: `${prefix}bulk-reader`, topics: [topic], fromBeginning: true, onMessage: () => void (++read >= existing && done()) });
  await Promise.race([allRead, sleep(120_000)]);
  const consumeS = (performance.now() - from) / 1000;
  const consumeCost = perUnit(before, read / 1000);
  await consumer.close();
  const produced = { messagesPerS: Math.round(count / produceS), cpuMsPer1000: produceCost };
  const consumed = { read, messagesPerS: Math.round(read / consumeS), cpuMsPer1000: consumeCost };
  say(`bulk: produced ${produced.messagesPerS}/s, read ${consumed.messagesPerS}/s (join included)`);
  return { count, produced, consumed };
}

const deadline = setTimeout(() => {
  console.error(`${client}: worker ran past 5 minutes`);
  process.exit(3);
}, 300_000);
main().then(
  () => {
    clearTimeout(deadline);
    process.exit(0); // a client's leftover sockets or threads must not keep the worker alive
  },
  (error: unknown) => {
    console.error(`${client}: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
