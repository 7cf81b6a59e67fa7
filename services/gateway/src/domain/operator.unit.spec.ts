import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeMessage, matches, select, type DeadLetter } from './dead-letters.js';
import { filterSagas, type SagaSummary } from './saga-filters.js';

const letter = (id: string, overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  id, topic: 'saga.replies.dlq', sourceTopic: 'saga.replies', consumer: 'c', attempts: 1, error: 'Invalid shape', at: '2026-01-01T00:00:00Z',
  messageId: null, type: 'StockReserved', orderId: null, message: '{}', redrivenAt: null, ...overrides,
});

describe('dead letters', () => {
  it('given a filter, then topic, type and a case-insensitive reason all have to match; redriven ones only on request', () => {
    assert.equal(matches(letter('a'), { topic: 'saga.replies', error: 'invalid' }), true);
    assert.equal(matches(letter('a'), { type: 'OrderPlaced' }), false);
    assert.equal(matches(letter('a', { redrivenAt: '2026-01-01T00:00:01Z' }), {}), false);
    assert.equal(matches(letter('a', { redrivenAt: '2026-01-01T00:00:01Z' }), { redriven: true }), true);
  });

  it('given a selection, then only listed ids not yet redriven are chosen; a filter never picks redriven ones', () => {
    const letters = [letter('a'), letter('b', { redrivenAt: 'x' }), letter('c', { sourceTopic: 'order.events' })];
    assert.deepEqual(select(letters, { ids: ['a', 'b'] }).map((chosen) => chosen.id), ['a']);
    assert.deepEqual(select(letters, { filter: { redriven: true } }).map((chosen) => chosen.id), ['a', 'c']);
  });

  it('reads a message leniently: what does not parse has no identity', () => {
    assert.deepEqual(describeMessage('{"messageId":"m","type":"T","data":{"orderId":"o"}}'), { messageId: 'm', type: 'T', orderId: 'o' });
    assert.deepEqual(describeMessage('not json'), { messageId: null, type: null, orderId: null });
  });
});

describe('saga filters', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const saga = (orderId: string, status: SagaSummary['status'], updatedAt: string, reason: string | null = null): SagaSummary => ({ orderId, status, reason, startedAt: '2026-01-01T00:00:00Z', updatedAt });
  const sagas = [saga('a', 'RUNNING', '2026-01-01T00:09:58Z'), saga('b', 'RUNNING', '2026-01-01T00:01:00Z'), saga('c', 'CANCELLED', '2026-01-01T00:01:00Z', 'TIMEOUT')];

  it('given stuck for 60 s, then only unfinished sagas without progress for a minute', () => {
    assert.deepEqual(filterSagas(sagas, { stuckForS: 60 }, now).map((found) => found.orderId), ['b']);
  });

  it('given a reason and an age, then both apply', () => {
    assert.deepEqual(filterSagas(sagas, { reason: 'TIMEOUT', olderThanS: 300 }, now).map((found) => found.orderId), ['c']);
    assert.deepEqual(filterSagas(sagas, { olderThanS: 3600 }, now), []);
  });
});
