import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { brokerOver } from './broker.js';
import { RenewingProducer } from './renewing-producer.js';

/** Producers as kafkajs hands them out, each failing the way the test says; records what was done with them. */
function fakeKafka(plan: { failSends?: number[]; failConnects?: number[] } = {}) {
  const made: { id: number; sends: number; connected: boolean; disconnected: boolean }[] = [];
  const kafka: Pick<Kafka, 'producer'> = {
    producer: () => {
      const state = { id: made.length, sends: 0, connected: false, disconnected: false };
      made.push(state);
      return {
        connect: async () => {
          if (plan.failConnects?.includes(state.id)) throw new Error(`broker down (producer ${state.id})`);
          state.connected = true;
        },
        disconnect: async () => {
          state.disconnected = true;
        },
        sendBatch: async () => {
          state.sends++;
          if (plan.failSends?.includes(state.id)) throw Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
          return [];
        },
      } as unknown as Producer;
    },
  };
  return { kafka: brokerOver(kafka as Kafka), made };
}

const batch: ProducerBatch = { topicMessages: [{ topic: 't', messages: [{ value: 'v' }] }] };

describe('RenewingProducer', () => {
  it('keeps one producer while its sends succeed', async () => {
    const { kafka, made } = fakeKafka();
    const producer = new RenewingProducer(kafka, {});
    await producer.connect();
    await producer.sendBatch(batch);
    await producer.sendBatch(batch);
    assert.deepEqual(made.map((state) => state.sends), [2]);
  });

  it('given a send the broker refused, then the next send goes through a new producer, and the old one is closed', async () => {
    const { kafka, made } = fakeKafka({ failSends: [0] });
    let renewals = 0;
    const producer = new RenewingProducer(kafka, {}, () => renewals++);
    await producer.connect();
    await assert.rejects(producer.sendBatch(batch), /out of order sequence/);
    await producer.sendBatch(batch);
    await producer.sendBatch(batch);
    assert.deepEqual(made.map((state) => [state.sends, state.disconnected]), [[1, true], [2, false]]);
    assert.equal(renewals, 1);
  });

  it('given the broker still down when renewing, then the send fails and the renewal is tried again at the next one', async () => {
    const { kafka, made } = fakeKafka({ failSends: [0], failConnects: [1] });
    const producer = new RenewingProducer(kafka, {});
    await producer.connect();
    await assert.rejects(producer.sendBatch(batch));
    await assert.rejects(producer.sendBatch(batch), /broker down \(producer 1\)/);
    await producer.sendBatch(batch);
    assert.deepEqual(made.map((state) => [state.sends, state.disconnected]), [[1, true], [0, true], [1, false]]);
  });

  it('given it was disconnected, then a send fails and opens no producer', async () => {
    const { kafka, made } = fakeKafka({ failSends: [0] });
    const producer = new RenewingProducer(kafka, {});
    await producer.connect();
    await assert.rejects(producer.sendBatch(batch));
    await producer.disconnect();
    await assert.rejects(producer.sendBatch(batch), /not connected/);
    assert.equal(made.length, 1);
  });
});
