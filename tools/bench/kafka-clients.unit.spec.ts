import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKafkaClientsArgs, summaryTable, type ClientResult } from './kafka-clients.ts';

describe('parseKafkaClientsArgs', () => {
  it('compares all three clients at the saga rate of 20 orders/s by default', () => {
    assert.deepEqual(parseKafkaClientsArgs([]), { clients: ['kafkajs', 'platformatic', 'confluent'], rate: 100, seconds: 20, messages: 20_000 });
  });

  it('keeps the order the clients are named in, so a rerun can rotate them', () => {
    assert.deepEqual(parseKafkaClientsArgs(['--clients', 'confluent, kafkajs']).clients, ['confluent', 'kafkajs']);
  });

  it('names an unknown client and the known ones instead of measuring nothing', () => {
    assert.throws(() => parseKafkaClientsArgs(['--clients', 'kafkajs,rdkafka']), /unknown rdkafka \(known: kafkajs, platformatic, confluent\)/);
    assert.throws(() => parseKafkaClientsArgs(['--rate', '0']), /rate/);
  });
});

describe('summaryTable', () => {
  it('puts each client on a row, the round trip first', () => {
    const result: ClientResult = {
      client: 'kafkajs',
      idle: { clientPercentOfCore: 0.9, brokerPercentOfCore: 2 },
      hop: { latencyMs: { p50: 2, p99: 7 }, cpuMsPerRoundTrip: { clientMs: 2.1, brokerMs: 2.6 } },
      single: { latencyMs: { p50: 0.17, p99: 1.6 }, cpuMsPerSend: { clientMs: 0.18, brokerMs: 0.14 } },
      bulk: { produced: { messagesPerS: 45_000 }, consumed: { messagesPerS: 180_000 } },
    };
    const [header, , row] = summaryTable([result]).split('\n');
    assert.match(header!, /^client\s+round trip p50 ms\s+p99 ms\s+CPU-ms\/trip client/);
    assert.deepEqual(row!.split(/\s+/), ['kafkajs', '2', '7', '2.1', '2.6', '0.17', '0.18', '0.14', '0.9', '2', '45000', '180000']);
  });
});
