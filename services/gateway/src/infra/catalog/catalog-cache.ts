import type { Redis } from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshness, type CatalogPolicy } from '../../domain/catalog-freshness.js';
import { catalogReads } from '../metrics.js';
import { releaseLock } from '../redis-lock.js';

/** One built catalog, as every replica shares it in Redis. */
export interface CatalogEntry {
  body: string;
  etag: string;
  builtAt: number;
}

/**
 * How the answer was found: `hit` fresh from the cache; `refreshing` an entry past
 * its freshness served while one rebuild runs (stale-while-revalidate); `miss`
 * built for this read; `stale` the last known catalog because the order service
 * failed (its breaker open, an error), marked so to the shopper.
 */
export type CatalogSource = 'hit' | 'refreshing' | 'miss' | 'stale';

export interface CatalogRead {
  entry: CatalogEntry;
  source: CatalogSource;
}

export interface CatalogCacheSettings extends CatalogPolicy {
  keyPrefix: string;
  /** How long a replica's rebuild lock lives: longer than a rebuild, short enough that a crashed holder is soon forgotten. */
  lockMs: number;
}

export const etagOf = (body: string): string => `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;

/**
 * Cache-aside for `GET /v1/products` (ADR 0020). Redis holds the one shared
 * entry; a cold or stale key is rebuilt once: once per replica by a shared
 * promise, once across replicas by a `SET NX PX` lock (the others serve the
 * old entry, or wait briefly for the new one when they have none). Changes are
 * learnt from inventory.events through `changed()`. While the entry a replica
 * last saw is fresh it answers from memory, without Redis. Without Redis each replica
 * falls back on the last entry it saw; without the order service, on that
 * last entry, marked stale.
 */
export class CatalogCache {
  private readonly key: string;
  private readonly lockKey: string;
  private lastChangeAt: number | undefined;
  /** The last entry this replica read or built: the fallback when Redis or the order service fails. */
  private known: CatalogEntry | undefined;
  private rebuilding: Promise<CatalogEntry> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly load: () => Promise<string>,
    private readonly settings: CatalogCacheSettings,
  ) {
    this.key = `${settings.keyPrefix}catalog:products`;
    this.lockKey = `${this.key}:rebuild`;
  }

  /** Stock or a price changed: the next read past the freshness window rebuilds. */
  changed(at = Date.now()): void {
    this.lastChangeAt = at;
  }

  async read(now = Date.now()): Promise<CatalogRead> {
    // Fresh by this replica's own knowledge (every replica hears the same changes): no need to ask
    // Redis. In a sale this turns a GET per read into one per rebuild, the gateway's commonest command.
    if (this.known && freshness(this.known.builtAt, now, this.lastChangeAt, this.settings) === 'fresh') return this.answer(this.known, 'hit');
    const entry = (await this.shared()) ?? this.known;
    const state = entry ? freshness(entry.builtAt, now, this.lastChangeAt, this.settings) : 'expired';
    if (entry && state === 'fresh') return this.answer(entry, 'hit');
    if (entry && state === 'stale') {
      void this.rebuild().catch(() => undefined); // its failure shows on the next read
      return this.answer(entry, 'refreshing');
    }
    try {
      return this.answer(await this.rebuild(), 'miss');
    } catch (error) {
      if (entry) return this.answer(entry, 'stale');
      throw error;
    }
  }

  private answer(entry: CatalogEntry, source: CatalogSource): CatalogRead {
    catalogReads.inc({ source });
    this.known = entry;
    return { entry, source };
  }

  private async shared(): Promise<CatalogEntry | undefined> {
    try {
      const text = await this.redis.get(this.key);
      return text ? (JSON.parse(text) as CatalogEntry) : undefined;
    } catch {
      return undefined; // Redis down: the replica's own last entry will do
    }
  }

  private rebuild(): Promise<CatalogEntry> {
    this.rebuilding ??= this.rebuildOnce().finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  private async rebuildOnce(): Promise<CatalogEntry> {
    const token = randomUUID();
    const locked = await this.redis.set(this.lockKey, token, 'PX', this.settings.lockMs, 'NX').catch(() => 'unavailable' as const);
    if (locked === null) {
      // Another replica is rebuilding: its entry, if it comes soon; our own build otherwise.
      const started = Date.now();
      while (Date.now() - started < this.settings.lockMs) {
        await sleep(25);
        const entry = await this.shared();
        if (entry && entry.builtAt >= started - this.settings.settleMs) return entry;
        if (!(await this.redis.exists(this.lockKey).catch(() => 0))) break;
      }
    }
    const startedAt = Date.now();
    const body = await this.load();
    const entry: CatalogEntry = { body, etag: etagOf(body), builtAt: startedAt };
    await this.redis.set(this.key, JSON.stringify(entry)).catch(() => undefined);
    if (locked === 'OK') await releaseLock(this.redis, this.lockKey, token);
    this.known = entry;
    return entry;
  }
}
