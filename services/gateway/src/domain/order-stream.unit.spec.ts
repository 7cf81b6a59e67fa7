import { createMessage } from '@shopfront/contracts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeEvent, OrderStream, resumePosition, updatesFrom } from './order-stream.js';

const orderId = '6f1c3e0e-8d8e-4a8e-9f55-1f7d3a1b2c3d';
const step = (phase: 'TRIED' | 'SUCCEEDED', at: string) => ({ at, kind: 'SagaStepRecorded', step: 'reserveStock', phase });

describe('an order stream', () => {
  it('given live updates that arrive before the snapshot, then each entry is sent once, numbered by position', () => {
    const stream = new OrderStream(0);
    const [confirmed] = updatesFrom(createMessage('OrderConfirmed', { orderId }, { correlationId: orderId, causationId: null }));
    assert.deepEqual(stream.live({ orderId, entry: step('SUCCEEDED', '2026-01-01T00:00:01.000Z') }), [], 'held until the snapshot');
    assert.deepEqual(stream.live(confirmed!), []);
    const events = stream.snapshot({ status: 'PENDING', reason: null }, [step('TRIED', '2026-01-01T00:00:00.000Z'), step('SUCCEEDED', '2026-01-01T00:00:01.000Z')]);
    assert.deepEqual(
      events.map((event) => (event.event === 'timeline' ? `${event.id}:${event.data.kind}:${event.data.phase ?? ''}` : `status:${event.data.status}`)),
      ['status:PENDING', '1:SagaStepRecorded:TRIED', '2:SagaStepRecorded:SUCCEEDED', '3:OrderConfirmed:', 'status:CONFIRMED'],
    );
    assert.equal(stream.finished, true);
  });

  it('given Last-Event-ID 1, then the snapshot sends the status and only the entries after the first', () => {
    const stream = new OrderStream(resumePosition('1'));
    const events = stream.snapshot({ status: 'PENDING', reason: null }, [step('TRIED', '2026-01-01T00:00:00.000Z'), step('SUCCEEDED', '2026-01-01T00:00:01.000Z')]);
    assert.deepEqual(events.map((event) => event.event === 'timeline' ? event.id : event.event), ['status', 2]);
  });

  it('given a terminal order, then the stream is finished at once; a later status is not sent again', () => {
    const stream = new OrderStream(0);
    stream.snapshot({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' }, []);
    assert.equal(stream.finished, true);
    const events = stream.live({ orderId, entry: { at: '2026-01-01T00:00:02.000Z', kind: 'OrderCancelled' }, status: { status: 'CANCELLED', reason: 'PAYMENT_DECLINED' } });
    assert.deepEqual(events.map((event) => event.event), ['timeline']);
  });

  it('encodes SSE with the id only on timeline events, and reads only ids it issued', () => {
    assert.equal(encodeEvent({ event: 'timeline', id: 3, data: { at: 'x', kind: 'OrderPlaced' } }), 'id: 3\nevent: timeline\ndata: {"at":"x","kind":"OrderPlaced"}\n\n');
    assert.equal(resumePosition('abc'), 0);
    assert.equal(resumePosition(undefined), 0);
    assert.equal(resumePosition('-4'), 0);
  });
});

describe('catching up after the feed joined', () => {
  it('given entries and a terminal status the feed missed, then only those are sent, and the stream ends', () => {
    const stream = new OrderStream(0);
    stream.snapshot({ status: 'PENDING', reason: null }, [step('TRIED', '2026-01-01T00:00:00.000Z')]);
    const events = stream.catchUp({ status: 'CONFIRMED', reason: null }, [step('TRIED', '2026-01-01T00:00:00.000Z'), step('SUCCEEDED', '2026-01-01T00:00:01.000Z')]);
    assert.deepEqual(events.map((event) => (event.event === 'timeline' ? event.id : event.data.status)), [2, 'CONFIRMED']);
    assert.equal(stream.finished, true);
  });
});

describe('reading the timeline again after the snapshot', () => {
  it('given an order event the snapshot sent, when the feed or a later read brings it again, then it is not sent twice', () => {
    const stream = new OrderStream(0);
    // The order service stamps each message with the time the event store recorded, the timeline's time.
    stream.snapshot({ status: 'CONFIRMED', reason: null }, [{ at: '2026-01-01T00:00:00.000Z', kind: 'OrderPlaced' }, { at: '2026-01-01T00:00:01.000Z', kind: 'OrderConfirmed' }]);
    assert.deepEqual(stream.live({ orderId, entry: { at: '2026-01-01T00:00:01.000Z', kind: 'OrderConfirmed' }, status: { status: 'CONFIRMED', reason: null } }), []);
    const again = stream.timelineAgain([{ at: '2026-01-01T00:00:00.000Z', kind: 'OrderPlaced' }, { at: '2026-01-01T00:00:01.000Z', kind: 'OrderConfirmed' }, step('TRIED', '2026-01-01T00:00:00.500Z')]);
    assert.deepEqual(again.map((event) => (event.event === 'timeline' ? `${event.id}:${event.data.kind}` : event.event)), ['3:SagaStepRecorded'], 'only the step the snapshot lacked');
  });

  it("given a live order event at its timeline entry's time, then they are one entry; an event of that kind at another time is a second", () => {
    const stream = new OrderStream(0);
    const at = '2026-01-01T00:00:00.123Z';
    const requested = (occurredAt: string) => updatesFrom({ ...createMessage('OrderCancellationRequested', { orderId }, { correlationId: orderId, causationId: null }), occurredAt })[0]!;
    stream.snapshot({ status: 'PENDING', reason: null }, [{ at: '2026-01-01T00:00:00.123+00:00', kind: 'OrderCancellationRequested' }]);
    assert.deepEqual(stream.live(requested(at)), [], 'the same event, whatever the spelling of its time');
    const other = stream.live(requested('2026-01-01T00:00:00.127Z'));
    assert.deepEqual(other.map((event) => (event.event === 'timeline' ? `${event.id}:${event.data.kind}:${event.data.at}` : event.event)), ['2:OrderCancellationRequested:2026-01-01T00:00:00.127Z']);
  });
});

describe('reading the broker', () => {
  it("given one saga move's message with two steps, then each becomes an entry, in the move's order, as the order service stores them", () => {
    const steps = [
      { step: 'reserveStock', phase: 'SUCCEEDED' as const, detail: 'StockReserved' },
      { step: 'authorizePayment', phase: 'TRIED' as const },
    ];
    const message = createMessage('SagaStepRecorded', { orderId, steps }, { correlationId: orderId, causationId: null });
    const updates = updatesFrom(message);
    assert.deepEqual(
      updates.map(({ orderId: id, entry }) => `${id === orderId}:${entry.step}:${entry.phase}:${entry.detail ?? ''}`),
      ['true:reserveStock:SUCCEEDED:StockReserved', 'true:authorizePayment:TRIED:'],
    );
    assert.ok(updates.every((update) => update.entry.at === message.occurredAt && update.status === undefined));
  });

  it('given a message of no order timeline, then no entry', () => {
    assert.deepEqual(updatesFrom(createMessage('ConfirmOrder', { orderId }, { correlationId: orderId, causationId: null })), []);
  });
});
