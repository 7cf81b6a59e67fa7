/**
 * Beyond the scripted scenarios: thousands of seeded random walks through
 * every input the saga can receive (any reply in any order, duplicates,
 * cancellations, deadlines), checking after each step what must always hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SagaInput } from './decide.js';
import { isTerminal, sagaSteps } from './saga.js';
import { allReplyTypes, cancellation, order, reply, SagaRun } from '../test/sagas.js';

/** mulberry32: a small seeded generator, so a failing walk can be replayed from its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const actions: string[] = sagaSteps.map((step) => step.action({ orderId: order.orderId, data: { ...order, card: order.payment, address: order.shippingAddress } }).type);
const compensations: string[] = sagaSteps.map((step) => step.compensation({ orderId: order.orderId, data: { ...order, card: null, address: order.shippingAddress } }).type);

/** Mostly the reply the saga awaits (so walks get somewhere), otherwise anything at all. */
function nextInput(run: SagaRun, random: () => number): SagaInput | 'deadline' {
  const roll = random();
  const saga = run.state!;
  const step = sagaSteps[saga.stepIndex]!;
  if (roll < 0.45 && saga.phase === 'ACTION') return reply(random() < 0.7 || !step.failed ? step.succeeded : step.failed);
  if (roll < 0.45 && saga.phase === 'COMPENSATION') return reply(step.compensated);
  if (roll < 0.6) return 'deadline';
  if (roll < 0.67) return cancellation;
  if (roll < 0.7) return { type: 'OrderPlaced', data: order };
  return reply(allReplyTypes[Math.floor(random() * allReplyTypes.length)]!);
}

describe('the saga under any sequence of inputs', () => {
  it('given 3000 seeded random walks, then every invariant holds after every input', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const random = seeded(seed);
      const run = new SagaRun().feed({ type: 'OrderPlaced', data: order });
      for (let i = 0; i < 60; i++) {
        const before = run.state!;
        const sentBefore = run.sent.length;
        run.random = random();
        const input = nextInput(run, random);
        if (input === 'deadline') run.expire();
        else run.feed(input);
        const saga = run.state!;
        const at = `seed ${seed}, input ${i}`;

        if (run.last?.ignored) assert.equal(saga, before, `${at}: an ignored input changes nothing`);
        assert.ok(run.sent.length - sentBefore <= 1, `${at}: at most one command per input`);
        assert.equal(isTerminal(saga), saga.phase === 'NONE', `${at}: only an ended saga waits for nothing`);
        assert.equal(saga.deadlineAt === null, saga.phase === 'NONE', `${at}: whatever is awaited has a deadline`);
        assert.deepEqual(saga.stepsDone, sagaSteps.slice(0, saga.stepsDone.length).map((step) => step.name), `${at}: steps done are a prefix of the saga`);
        if (isTerminal(saga)) assert.equal(saga.data.card, null, `${at}: an ended saga keeps no card`);
        if (saga.status === 'CANCELLED') assert.deepEqual(saga.stepsDone, [], `${at}: a cancelled saga has undone everything`);
        if (saga.status === 'CONFIRMED') assert.equal(saga.stepsDone.length, sagaSteps.length, `${at}: a confirmed saga did every step`);
      }
      assertSentInOrder(run, seed);
    }
  });
});

/** Looking only at what went out: actions forward, compensations backward, each outcome once and last. */
function assertSentInOrder(run: SagaRun, seed: number) {
  const types = run.sentTypes();
  const distinct = types.filter((type, i) => type !== types[i - 1]); // re-sends of one command collapse
  const forward = distinct.filter((type) => actions.includes(type));
  const backward = distinct.filter((type) => compensations.includes(type));
  assert.deepEqual(forward, actions.slice(0, forward.length), `seed ${seed}: actions run in the saga's order, each once`);
  // What may be in place: every step tried, but one that answered with a failure.
  const undoable = forward.length - (run.records.some((record) => record.phase === 'FAILED') ? 1 : 0);
  const reverse = compensations.slice(0, undoable).reverse();
  assert.deepEqual(backward, reverse.slice(0, backward.length), `seed ${seed}: compensations run in reverse order, each once`);
  const cancelledAt = types.indexOf('CancelOrder');
  if (cancelledAt >= 0) {
    // A re-announced order may get its CancelOrder again (OutcomeResent), never anything else.
    assert.deepEqual(new Set(types.slice(cancelledAt)), new Set(['CancelOrder']), `seed ${seed}: nothing but CancelOrder again is sent after CancelOrder`);
    assert.equal(backward.length, undoable, `seed ${seed}: every step that may be done is undone`);
  }
  const confirmedAt = types.indexOf('ConfirmOrder');
  if (confirmedAt >= 0) assert.deepEqual(types.slice(0, confirmedAt).filter((type) => compensations.includes(type)), [], `seed ${seed}: nothing was undone before confirming`);
}
