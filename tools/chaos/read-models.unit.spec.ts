import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disagreement } from './read-models.ts';

const agreeing = { order_id: 'o1', stream_version: 3, type: 'OrderConfirmed', status: 'CONFIRMED', version: 3, listed_status: 'CONFIRMED', events_without_timeline: 0 };

describe('read models against the event store (invariant 5)', () => {
  it('agree when the view is at the stream version, says what the last event says, and every copy matches', () => {
    assert.equal(disagreement(agreeing), undefined);
    assert.equal(disagreement({ ...agreeing, type: 'OrderCancellationRequested', status: 'PENDING', listed_status: 'PENDING' }), undefined);
  });

  it('names each way they can differ', () => {
    assert.equal(disagreement({ ...agreeing, stream_version: null }), 'no events');
    assert.equal(disagreement({ ...agreeing, version: 2 }), 'view at version 2, stream at 3');
    assert.equal(disagreement({ ...agreeing, status: 'PENDING', listed_status: 'PENDING' }), 'view PENDING after OrderConfirmed');
    assert.equal(disagreement({ ...agreeing, type: 'OrderCancelled', status: 'CONFIRMED' }), 'view CONFIRMED after OrderCancelled');
    assert.equal(disagreement({ ...agreeing, events_without_timeline: 1 }), '1 event(s) missing from the timeline');
    assert.equal(disagreement({ ...agreeing, listed_status: null }), 'client_orders missing, view CONFIRMED');
  });
});
