/**
 * When a cached catalog may still be served (ADR 0020). Stock changes with
 * every order, so invalidating on each change would rebuild the catalog a
 * hundred times a second in a sale: a change only makes an entry stale once
 * the entry is `freshMs` old. Availability shown to a shopper therefore lags
 * the inventory by about `freshMs` (plus the broker's delivery), and never by
 * more than `maxAgeMs`; the saga's reservation stays the authority.
 */
export interface CatalogPolicy {
  /** An entry younger than this is served whatever changed. */
  freshMs: number;
  /** An entry older than this is rebuilt even if no change was seen (a missed event cannot pin it). */
  maxAgeMs: number;
  /**
   * A change seen up to this long before the entry was built may not be in it yet:
   * the order service's view applies the same event at about the same time as the gateway hears it.
   */
  settleMs: number;
  /** Past this age a stale entry is no longer served while a rebuild runs: the reader waits for the new one. */
  maxStaleMs: number;
}

export type Freshness = 'fresh' | 'stale' | 'expired';

export function freshness(builtAt: number, now: number, lastChangeAt: number | undefined, policy: CatalogPolicy): Freshness {
  const age = now - builtAt;
  if (age >= policy.maxStaleMs) return 'expired';
  if (age < policy.freshMs) return 'fresh';
  if (age >= policy.maxAgeMs) return 'stale';
  return lastChangeAt !== undefined && lastChangeAt > builtAt - policy.settleMs ? 'stale' : 'fresh';
}

/** `If-None-Match` holds this entity tag (a list, a weak form or `*`): answer 304. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
