/**
 * `npm run dlq` against the real broker: a dead letter parked by a consumer is
 * listed with why it was parked, replayed to its source topic with its id and
 * trace context, and replayed only once however often the command runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createMessage, Topics } from '@shopfront/contracts';
import { prefixed, RecordPublisher } from '@shopfront/messaging';
import { eventually, kafkaTopics, MessageTap, testKafkaBrokers, type TestKafka } from '@shopfront/testing';

const script = fileURLToPath(new URL('./run.ts', import.meta.url));
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const parked = createMessage('CapturePayment', { orderId: '7f4c9a5e-2b1d-4c3e-9f8a-1d2e3f4a5b6c' }, { correlationId: '7f4c9a5e-2b1d-4c3e-9f8a-1d2e3f4a5b6c' });

let kafka: TestKafka;
let tap: MessageTap;

before(async () => {
  kafka = await kafkaTopics('dlq-tool');
  tap = await MessageTap.open(kafka, [Topics.paymentCommands]);
  const publisher = new RecordPublisher(kafka.kafka);
  await publisher.connect();
  await publisher.publish(prefixed(kafka.topicPrefix, `${Topics.paymentCommands}.dlq`), [{
    key: parked.correlationId,
    value: JSON.stringify(parked),
    headers: { traceparent, 'x-dlq-consumer': 'payment.commands', 'x-dlq-source': `${prefixed(kafka.topicPrefix, Topics.paymentCommands)}/1/42`, 'x-dlq-attempts': '5', 'x-dlq-error': 'card provider unavailable', 'x-dlq-at': new Date().toISOString() },
  }]);
  await publisher.disconnect();
});

after(async () => {
  await tap?.close();
});

/** The command as an operator runs it, on this test's topics. */
async function dlq(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', '--conditions=@shopfront/source', script, ...args],
    { env: { ...process.env, KAFKA_BROKERS: testKafkaBrokers().join(','), KAFKA_TOPIC_PREFIX: kafka.topicPrefix }, timeout: 60_000 },
  );
  return stdout;
}

describe('the dead-letter command', () => {
  it('given a parked message, when listed, then it shows its type, consumer, attempts and error, and moves nothing', async () => {
    const listed = await dlq('list', Topics.paymentCommands);
    assert.match(listed, /CapturePayment/);
    assert.match(listed, /consumer=payment\.commands attempts=5/);
    assert.match(listed, /error=card provider unavailable/);
    assert.match(listed, /1 dead letter\(s\) listed/);
    assert.equal(tap.messages({ topic: Topics.paymentCommands }).length, 0);
  });

  it('given a parked message, when replayed, then its source topic gets it back with its id and trace context, without the dead-letter headers', async () => {
    assert.match(await dlq('replay', Topics.paymentCommands), /1 dead letter\(s\) replayed/);
    const [replayed] = await eventually(() => {
      const found = tap.messages({ topic: Topics.paymentCommands });
      return found.length > 0 && found;
    }, { what: 'the replayed command on payment.commands', timeoutMs: 15_000 });
    assert.equal(replayed?.message.messageId, parked.messageId);
    assert.equal(replayed?.key, parked.correlationId);
    assert.equal(replayed?.headers.traceparent, traceparent);
    assert.equal(replayed?.headers['x-replayed-from'], prefixed(kafka.topicPrefix, `${Topics.paymentCommands}.dlq`));
    assert.deepEqual(Object.keys(replayed?.headers ?? {}).filter((name) => name.startsWith('x-dlq-')), []);
  });

  it('given a replay done, when the command runs again, then nothing is sent twice', async () => {
    assert.match(await dlq('replay', Topics.paymentCommands), /0 dead letter\(s\) replayed/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(tap.messages({ topic: Topics.paymentCommands }).length, 1);
  });
});
