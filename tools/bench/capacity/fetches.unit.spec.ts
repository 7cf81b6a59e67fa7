import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchesIn } from './fetches.ts';

describe('fetchesIn', () => {
  it('sums every consumer of messaging_fetches_total and nothing else', () => {
    const exposition = [
      '# HELP messaging_fetches_total Fetch requests sent to the broker, by consumer',
      '# TYPE messaging_fetches_total counter',
      'messaging_fetches_total{consumer="order.commands"} 120',
      'messaging_fetches_total{consumer="order.saga-events"} 35',
      'messaging_fetches_total_created{consumer="order.commands"} 1733500000',
      'messaging_consumed_total{consumer="order.commands",type="ConfirmOrder",outcome="processed"} 99',
    ].join('\n');
    assert.equal(fetchesIn(exposition), 155);
  });

  it('is zero when the service has no consumer', () => {
    assert.equal(fetchesIn('# HELP http_requests_total x\nhttp_requests_total 4'), 0);
  });
});
