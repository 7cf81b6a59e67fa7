import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutgoingMessage, ProducerConnection } from './producer.js';
import { RenewingProducer } from './renewing-producer.js';

/** Producer connections as openProducer hands them out, each failing the way the test says; records what was done with them. */
function fakeProducers(plan: { failSends?: number[]; failConnects?: number[] } = {}) {
  const made: { id: number; sends: number; connected: boolean; disconnected: boolean }[] = [];
  const open = (): ProducerConnection => {
    const state = { id: made.length, sends: 0, connected: false, disconnected: false };
    made.push(state);
    return {
      ready: async () => {
        if (plan.failConnects?.includes(state.id)) throw new Error(`broker down (producer ${state.id})`);
        state.connected = true;
      },
      close: async () => {
        state.disconnected = true;
      },
      send: async () => {
        state.sends++;
        if (plan.failSends?.includes(state.id)) throw Object.assign(new Error('The broker received an out of order sequence number'), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      },
    };
  };
  return { open, made };
}

const batch: OutgoingMessage[] = [{ topic: 't', value: 'v' }];

describe('RenewingProducer', () => {
  it('keeps one producer while its sends succeed', async () => {
    const { open, made } = fakeProducers();
    const producer = new RenewingProducer(open);
    await producer.connect();
    await producer.send(batch);
    await producer.send(batch);
    assert.deepEqual(made.map((state) => state.sends), [2]);
  });

  it('given a send the broker refused, then the next send goes through a new producer, and the old one is closed', async () => {
    const { open, made } = fakeProducers({ failSends: [0] });
    let renewals = 0;
    const producer = new RenewingProducer(open, () => renewals++);
    await producer.connect();
    await assert.rejects(producer.send(batch), /out of order sequence/);
    await producer.send(batch);
    await producer.send(batch);
    assert.deepEqual(made.map((state) => [state.sends, state.disconnected]), [[1, true], [2, false]]);
    assert.equal(renewals, 1);
  });

  it('given the broker still down when renewing, then the send fails and the renewal is tried again at the next one', async () => {
    const { open, made } = fakeProducers({ failSends: [0], failConnects: [1] });
    const producer = new RenewingProducer(open);
    await producer.connect();
    await assert.rejects(producer.send(batch));
    await assert.rejects(producer.send(batch), /broker down \(producer 1\)/);
    await producer.send(batch);
    assert.deepEqual(made.map((state) => [state.sends, state.disconnected]), [[1, true], [0, true], [1, false]]);
  });

  it('given it was disconnected, then a send fails and opens no producer', async () => {
    const { open, made } = fakeProducers({ failSends: [0] });
    const producer = new RenewingProducer(open);
    await producer.connect();
    await assert.rejects(producer.send(batch));
    await producer.disconnect();
    await assert.rejects(producer.send(batch), /not connected/);
    assert.equal(made.length, 1);
  });
});
