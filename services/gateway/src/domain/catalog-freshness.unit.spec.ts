import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshness, matchesEtag, type CatalogPolicy } from './catalog-freshness.js';

const policy: CatalogPolicy = { freshMs: 1_000, maxAgeMs: 10_000, settleMs: 250, maxStaleMs: 30_000 };

describe('freshness', () => {
  it('serves a young entry whatever changed since (a sale changes stock every millisecond)', () => {
    assert.equal(freshness(0, 999, 500, policy), 'fresh');
  });

  it('makes an entry stale once it is old enough and a change came after (or just before) it was built', () => {
    assert.equal(freshness(0, 1_000, 500, policy), 'stale');
    assert.equal(freshness(1_000, 2_500, 800, policy), 'stale'); // 200 ms before the build: maybe not in it yet
    assert.equal(freshness(1_000, 2_500, 700, policy), 'fresh'); // 300 ms before: it was
    assert.equal(freshness(1_000, 2_500, undefined, policy), 'fresh');
  });

  it('bounds the age of an entry even when no change was heard', () => {
    assert.equal(freshness(0, 9_999, undefined, policy), 'fresh');
    assert.equal(freshness(0, 10_000, undefined, policy), 'stale');
    assert.equal(freshness(0, 30_000, undefined, policy), 'expired');
  });
});

describe('matchesEtag', () => {
  it('matches the tag, its weak form, a list holding it, and *', () => {
    assert.equal(matchesEtag('"abc"', '"abc"'), true);
    assert.equal(matchesEtag('W/"abc"', '"abc"'), true);
    assert.equal(matchesEtag('"x", "abc"', '"abc"'), true);
    assert.equal(matchesEtag('*', '"abc"'), true);
    assert.equal(matchesEtag('"abd"', '"abc"'), false);
    assert.equal(matchesEtag(undefined, '"abc"'), false);
  });
});
