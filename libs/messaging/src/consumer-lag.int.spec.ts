/**
 * Consumer lag as Prometheus sees it, on the real broker: each scrape asks the
 * broker for end offsets and the group's committed offsets, so the value is
 * current at the moment of the scrape, with no warm-up interval to wait out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Topics } from '@shopfront/contracts';
import { kafkaTopics, type TestKafka } from '@shopfront/testing';
import { Admin } from '@platformatic/kafka';
import { register } from 'prom-client';
import { topicOffsets } from './admin.js';
import { clientOf } from './broker.js';
import { ConsumerLagProbe } from './consumer-lag.js';
import { RecordPublisher } from './publisher.js';

let kafka: TestKafka;
let admin: Admin;
let producer: RecordPublisher;
let probe: ConsumerLagProbe;
const topic = () => `${kafka.topicPrefix}${Topics.shippingCommands}`;
const groupId = () => `${kafka.topicPrefix}shipping.commands`;

before(async () => {
  kafka = await kafkaTopics('consumer-lag');
  admin = new Admin(clientOf(kafka.kafka));
  // Idempotent, as the platform's producers are: a send retried against a broker still settling
  // must not land twice, or the lag the test expects would be off by the duplicates.
  producer = new RecordPublisher(kafka.kafka);
  await producer.connect();
  probe = new ConsumerLagProbe({
    kafka: kafka.kafka,
    topicPrefix: kafka.topicPrefix,
    groups: [{ name: 'shipping.commands', groupId: groupId(), topics: [topic()] }],
    onError: (error) => assert.fail(`measuring lag failed: ${String(error)}`),
  });
  await probe.start();
});

after(async () => {
  await probe?.stop();
  await producer?.disconnect();
  await admin?.close();
});

/** The summed lag of the test's group, read from the metrics text a scrape returns. */
async function scrapedLag(): Promise<number> {
  const text = await register.metrics();
  const lines = text.split('\n').filter((line) => line.startsWith('kafka_consumer_lag{') && line.includes('group="shipping.commands"') && line.includes(`topic="${Topics.shippingCommands}"`));
  assert.ok(lines.length > 0, 'the scrape shows the group');
  return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

const send = (count: number) =>
  producer.publish(topic(), Array.from({ length: count }, (_, index) => ({ key: `order-${index}`, value: '{}' })));

describe('consumer lag', () => {
  it('given messages and a group that committed nothing, when scraped, then every message on the topic is owed', async () => {
    await send(3);
    assert.equal(await scrapedLag(), 3);
  });

  it('given the group committed up to the end, when more arrive, then the very next scrape shows only those', async () => {
    const ends = (await topicOffsets(kafka.kafka, [topic()])).get(topic())!;
    await admin.alterConsumerGroupOffsets({ groupId: groupId(), topics: [{ name: topic(), partitionOffsets: ends.map(({ partition, high }) => ({ partition, offset: BigInt(high) })) }] });
    assert.equal(await scrapedLag(), 0);
    await send(2);
    assert.equal(await scrapedLag(), 2);
  });
});
