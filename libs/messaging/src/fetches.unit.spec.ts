import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Consumer } from 'kafkajs';
import { spaceFetches } from './fetches.js';

/** Only what spaceFetches uses of a kafkajs consumer: its FETCH instrumentation event. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = { events: { FETCH: 'consumer.fetch' }, on: (event: string, listener: () => void) => emitter.on(event, listener) } as unknown as Consumer;
  return { consumer, fetched: () => emitter.emit('consumer.fetch') };
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

describe('spaceFetches', () => {
  it('holds the first batch of a fetch until the spacing has passed since that fetch', async () => {
    const { consumer, fetched } = fakeConsumer();
    const spaced = spaceFetches(consumer, 80);
    fetched();
    const waited = await timed(spaced);
    assert.ok(waited >= 70 && waited < 200, `waited ${waited} ms`);
  });

  it('lets the other batches of the same fetch through at once', async () => {
    const { consumer, fetched } = fakeConsumer();
    const spaced = spaceFetches(consumer, 80);
    fetched();
    await spaced();
    assert.ok((await timed(spaced)) < 20);
  });

  it('does not hold a batch handled after the spacing had already passed since its fetch', async () => {
    const { consumer, fetched } = fakeConsumer();
    const spaced = spaceFetches(consumer, 50);
    fetched();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.ok((await timed(spaced)) < 20);
  });

  it('stops waiting once the consumer is no longer live (a stop or a rebalance)', async () => {
    const { consumer, fetched } = fakeConsumer();
    const spaced = spaceFetches(consumer, 1_000);
    fetched();
    let live = true;
    setTimeout(() => (live = false), 30);
    const waited = await timed(() => spaced(() => live));
    assert.ok(waited < 200, `waited ${waited} ms`);
  });
});
