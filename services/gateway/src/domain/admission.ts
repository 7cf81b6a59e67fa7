import { assertNever } from '@shopfront/contracts';

/**
 * Admission control at the edge (ADR 0020): what a request is worth when the
 * platform is loaded. Order status reads are shed last (a shopper who paid
 * wants to know), checkouts next, browsing first; probes, operators and live
 * streams are never shed here.
 */
export type RequestClass = 'browse' | 'checkout' | 'status' | 'unshed';

const ordersPath = /^\/v1\/orders(\/[^/?]+(\/timeline)?)?(\?|$)/;

export function classify(method: string, url: string): RequestClass {
  if (method === 'POST' && /^\/v1\/orders\/?(\?|$)/.test(url)) return 'checkout';
  if (method !== 'GET' && method !== 'HEAD') return 'unshed'; // cancels, admin writes: rare and wanted
  if (/^\/v1\/products\/?(\?|$)/.test(url)) return 'browse';
  if (ordersPath.test(url)) return 'status';
  return 'unshed';
}

export interface AdmissionLimits {
  /** Requests the gateway serves at once before it sheds (the shed thresholds are fractions of it). */
  maxConcurrent: number;
  /** Fraction of maxConcurrent at which each class is refused: browse first, status last. */
  shedAt: Record<Exclude<RequestClass, 'unshed'>, number>;
}

export const defaultShedAt = { browse: 0.8, checkout: 0.9, status: 0.95 } as const;

export interface Load {
  /** Requests of shed classes this replica is serving now, this one not included. */
  concurrent: number;
  /** Orders in flight as this replica sees them (its checkouts still being answered included), or undefined while it cannot tell (its feed is down). */
  ordersInFlight: number | undefined;
  /** At this many in flight new checkouts are refused (BacklogBound). */
  backlogBound: number;
  /** This checkout's Idempotency-Key was answered here before: its retry replays the stored answer and adds nothing to the backlog. */
  answeredBefore?: boolean;
}

export type Verdict = { admit: true } | { admit: false; reason: 'gateway-busy' | 'pipeline-full'; retryAfterS: number };

/**
 * Refuse early rather than queue: a request refused in a millisecond can be
 * retried; one queued for ten seconds has already failed its user, and has
 * delayed every request behind it. Unknown pipeline load admits (fail open):
 * the order is durable in the outbox whatever the broker is doing.
 */
export function admit(kind: RequestClass, load: Load, limits: AdmissionLimits): Verdict {
  switch (kind) {
    case 'unshed':
      return { admit: true };
    case 'browse':
    case 'status':
      return load.concurrent < limits.maxConcurrent * limits.shedAt[kind] ? { admit: true } : { admit: false, reason: 'gateway-busy', retryAfterS: 1 };
    case 'checkout':
      if (load.concurrent >= limits.maxConcurrent * limits.shedAt.checkout) return { admit: false, reason: 'gateway-busy', retryAfterS: 1 };
      if (load.ordersInFlight !== undefined && load.ordersInFlight >= load.backlogBound && !load.answeredBefore) return { admit: false, reason: 'pipeline-full', retryAfterS: 2 };
      return { admit: true };
    default:
      return assertNever(kind);
  }
}

/**
 * The checkouts this replica answered 2xx lately, by client and
 * Idempotency-Key: a client that lost the answer and retries gets it again
 * from the idempotency store, which costs the pipeline nothing, so a full
 * backlog is no reason to refuse it. Bounded in count and age; a retry that
 * lands on another replica is refused with Retry-After like any checkout.
 */
export class AnsweredCheckouts {
  private readonly answeredAt = new Map<string, number>();

  constructor(private readonly keepMs: number, private readonly capacity: number) {}

  remember(checkout: string, now: number): void {
    this.answeredAt.delete(checkout); // re-inserted last: the map's order is oldest first
    this.answeredAt.set(checkout, now);
    for (const [oldest, at] of this.answeredAt) {
      if (this.answeredAt.size <= this.capacity && at > now - this.keepMs) break;
      this.answeredAt.delete(oldest);
    }
  }

  has(checkout: string, now: number): boolean {
    const at = this.answeredAt.get(checkout);
    return at !== undefined && at > now - this.keepMs;
  }
}

/**
 * The saga backlog as one gateway replica sees it: orders placed (accepted
 * here, or announced on order.events by any replica) and not yet seen
 * confirmed or cancelled. Every replica reads the whole topic, so every
 * replica holds the platform-wide figure without asking anyone. An order
 * whose end was never seen (a message lost, the feed joined late) is
 * forgotten after `forgetAfterMs`, so one lost message cannot close the door.
 *
 * It also keeps the last `windowMs` of endings: how many orders the platform
 * finishes per second and how long they took, the signal the bound on the
 * backlog moves by (BacklogBound).
 */
export class OrdersInFlight {
  private readonly placedAt = new Map<string, number>();
  private readonly endedRecently = new Map<string, number>();
  private readonly endings: { at: number; tookMs: number }[] = [];

  constructor(
    private readonly forgetAfterMs: number,
    private readonly windowMs = 2_000,
  ) {}

  placed(orderId: string, now: number): void {
    // An end seen first (this replica accepted it after the feed had already told): it is not in flight.
    if (this.endedRecently.has(orderId) || this.placedAt.has(orderId)) return;
    this.placedAt.set(orderId, now);
  }

  ended(orderId: string, now: number): void {
    const placedAt = this.placedAt.get(orderId);
    this.forgetEndingsBefore(now - this.windowMs); // here too: a replica nobody calls still hears every ending
    if (placedAt !== undefined) this.endings.push({ at: now, tookMs: now - placedAt });
    this.placedAt.delete(orderId);
    this.endedRecently.set(orderId, now);
  }

  count(now: number): number {
    forgetOlder(this.placedAt, now - this.forgetAfterMs);
    forgetOlder(this.endedRecently, now - this.forgetAfterMs);
    return this.placedAt.size;
  }

  /** Orders ended per second over the window, and the 90th percentile of how long they took (undefined: none ended). */
  recent(now: number): { endedPerS: number; p90Ms: number | undefined } {
    this.forgetEndingsBefore(now - this.windowMs);
    const took = this.endings.map((ending) => ending.tookMs).sort((a, b) => a - b);
    return { endedPerS: (took.length * 1000) / this.windowMs, p90Ms: took.length === 0 ? undefined : took[Math.ceil(took.length * 0.9) - 1] };
  }

  private forgetEndingsBefore(before: number): void {
    while (this.endings.length > 0 && this.endings[0]!.at < before) this.endings.shift();
  }
}

export interface BacklogPolicy {
  /** The bound to start from, and what a burst may fill while the platform keeps up. */
  burst: number;
  /** Orders should end within this (place→terminal, 90th percentile); past it the platform is congested. */
  targetMs: number;
  /** Never bound the backlog below this, even when nothing ends (a stalled pipeline still takes a few orders). */
  floor: number;
  /** Never more than this in flight, whatever the figures say. */
  ceiling: number;
  /** How often the bound moves. */
  stepMs: number;
}

/**
 * How many orders may be in flight, found the way TCP finds its window
 * (additive increase, multiplicative decrease) with latency as the signal:
 * while orders end within the target and the bound is what holds them back,
 * it grows by a step; once they do not while the backlog fills at least half
 * of it, it shrinks by 15 % each step until they do. The backlog then settles where an accepted order waits about the
 * target and no longer: what the platform cannot finish in time is refused
 * at once instead of queued for minutes. No figure about this machine is
 * built in; the bound finds it.
 */
export class BacklogBound {
  private bound: number;
  private movedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly policy: BacklogPolicy) {
    this.bound = policy.burst;
  }

  /**
   * The bound now; moves it at most once per step, from what ended lately and what is in flight.
   * `recent` is asked only when the bound moves: it sorts the last endings, and this runs per request.
   */
  at(now: number, recent: () => { endedPerS: number; p90Ms: number | undefined }, inFlight: number): number {
    if (now - this.movedAt < this.policy.stepMs) return this.bound;
    this.movedAt = now;
    const { floor, ceiling, targetMs, burst } = this.policy;
    const { endedPerS, p90Ms } = recent();
    const slow = p90Ms !== undefined && p90Ms > targetMs;
    // Slow endings shrink the bound only while it is in use: orders that ended late after a fault,
    // on a platform now idle, say nothing about how many it can take now. Congested, the platform
    // ends orders as fast as it can, so Little's law gives at once the backlog it finishes within
    // the target (endings/s × target); shrinking 15 % a step alone took seconds to get there.
    if (slow && inFlight >= this.bound / 2) this.bound = Math.max(floor, Math.min(Math.floor(this.bound * 0.85), Math.ceil((endedPerS * targetMs) / 1000)));
    else if (!slow && inFlight >= this.bound * 0.9) this.bound = Math.min(ceiling, this.bound + Math.max(2, Math.ceil(this.bound * 0.05)));
    // Little in flight: back to admitting a burst at once (a surge that goes on brings the bound down again in a second or two).
    else if (inFlight < this.bound / 2) this.bound = Math.max(this.bound, Math.min(burst, ceiling));
    return this.bound;
  }
}

/** Entries are inserted in time order, so the old ones are at the front. */
function forgetOlder(entries: Map<string, number>, before: number): void {
  for (const [id, at] of entries) {
    if (at >= before) return;
    entries.delete(id);
  }
}
