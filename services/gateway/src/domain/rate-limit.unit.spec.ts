import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimitHeaders } from './rate-limit.js';

describe('rate-limit headers', () => {
  it('given an allowed request, then the limit, what is left and the reset in seconds are announced, without Retry-After', () => {
    assert.deepEqual(rateLimitHeaders({ allowed: true, limit: 100, remaining: 42, resetMs: 350, windowS: 1 }), {
      'ratelimit-limit': '100',
      'ratelimit-remaining': '42',
      'ratelimit-reset': '1',
      'ratelimit-policy': '100;w=1',
    });
  });

  it('given a refused request, then Retry-After equals the reset, rounded up', () => {
    const headers = rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetMs: 1_200, windowS: 2 });
    assert.equal(headers['retry-after'], '2');
    assert.equal(headers['ratelimit-reset'], '2');
    assert.equal(headers['ratelimit-remaining'], '0');
  });

  it('given a window that is just ending, then the client is still told to wait at least one second', () => {
    assert.equal(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetMs: 0, windowS: 1 })['retry-after'], '1');
  });
});
