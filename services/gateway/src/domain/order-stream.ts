import { assertNever, terminalStatuses, type CancellationReason, type Message, type OrderStatus, type OrderStreamEvent, type TimelineEntry } from '@shopfront/contracts';

/** What one broker message means to the order's watchers: a timeline entry, maybe a status change. */
export interface OrderUpdate {
  orderId: string;
  entry: TimelineEntry;
  status?: { status: OrderStatus; reason: CancellationReason | null };
}

/**
 * The order service's timeline is made of exactly these messages (order.events
 * and saga.events): reading them off the broker gives the same entries it
 * will store, in the same order, without asking it. A saga move's message
 * holds several steps: one update each.
 */
export function updatesFrom(message: Message): OrderUpdate[] {
  const at = message.occurredAt;
  switch (message.type) {
    case 'SagaStepRecorded': {
      const { orderId, steps } = message.data;
      return steps.map(({ step, phase, detail }) => ({ orderId, entry: { at, kind: message.type, step, phase, ...(detail ? { detail } : {}) } }));
    }
    case 'OrderPlaced':
    case 'OrderCancellationRequested':
      return [{ orderId: message.data.orderId, entry: { at, kind: message.type } }];
    case 'OrderConfirmed':
      return [{ orderId: message.data.orderId, entry: { at, kind: message.type }, status: { status: 'CONFIRMED', reason: null } }];
    case 'OrderCancelled': {
      const { orderId, reason } = message.data;
      return [{ orderId, entry: { at, kind: message.type, detail: reason }, status: { status: 'CANCELLED', reason } }];
    }
    default:
      return [];
  }
}

/**
 * What makes a broker's entry and the timeline's the same: its time, kind, step and phase. Every
 * message carries the time its timeline row stores (a saga step its own; an order event the time the
 * event store recorded it, which the order service stamps on it), so an entry seen live and on a
 * reload has one key, and two events of one kind at different times stay two.
 */
const entryKey = (entry: TimelineEntry) => `${Date.parse(entry.at)}|${entry.kind}|${entry.step ?? ''}|${entry.phase ?? ''}`;

/**
 * One client's stream. Live updates that arrive before the snapshot (which
 * was read after subscribing) are held, then sent only if the snapshot did
 * not already hold them: nothing is lost between the two and nothing repeats.
 * Timeline ids are 1-based positions; `Last-Event-ID` n skips the first n.
 */
export class OrderStream {
  private readonly seen = new Set<string>();
  private held: OrderUpdate[] | undefined = [];
  private count = 0;
  private ended = false;

  constructor(private readonly resumeAfter: number) {}

  get finished(): boolean {
    return this.ended;
  }

  snapshot(status: { status: OrderStatus; reason: CancellationReason | null }, timeline: TimelineEntry[]): OrderStreamEvent[] {
    const events: OrderStreamEvent[] = [{ event: 'status', data: status }];
    for (const entry of timeline) events.push(...this.entry(entry));
    if (terminalStatuses.has(status.status)) this.ended = true;
    const held = this.held ?? [];
    this.held = undefined;
    for (const update of held) events.push(...this.live(update));
    return events;
  }

  /** A later read of the order, for what the feed passed before it joined: only what was not sent yet. */
  catchUp(status: { status: OrderStatus; reason: CancellationReason | null }, timeline: TimelineEntry[]): OrderStreamEvent[] {
    const events = this.timelineAgain(timeline);
    if (!this.ended && terminalStatuses.has(status.status)) {
      events.push({ event: 'status', data: status });
      this.ended = true;
    }
    return events;
  }

  /**
   * A later read of the timeline alone, for saga steps the feed passed before this stream watched but
   * the order service stored after the snapshot's read: only the entries not sent yet.
   */
  timelineAgain(timeline: TimelineEntry[]): OrderStreamEvent[] {
    return timeline.flatMap((entry) => this.entry(entry));
  }

  live(update: OrderUpdate): OrderStreamEvent[] {
    if (this.held) {
      this.held.push(update);
      return [];
    }
    const events = this.entry(update.entry);
    if (update.status && !this.ended) {
      events.push({ event: 'status', data: update.status });
      if (terminalStatuses.has(update.status.status)) this.ended = true;
    }
    return events;
  }

  private entry(entry: TimelineEntry): OrderStreamEvent[] {
    const key = entryKey(entry);
    if (this.seen.has(key)) return [];
    this.seen.add(key);
    this.count++;
    return this.count > this.resumeAfter ? [{ event: 'timeline', id: this.count, data: entry }] : [];
  }
}

/** One event on the wire, per the SSE format. */
export function encodeEvent(event: OrderStreamEvent): string {
  switch (event.event) {
    case 'status':
      return `event: status\ndata: ${JSON.stringify(event.data)}\n\n`;
    case 'timeline':
      return `id: ${event.id}\nevent: timeline\ndata: ${JSON.stringify(event.data)}\n\n`;
    default:
      return assertNever(event);
  }
}

/** `Last-Event-ID`: a position we issued, or nothing to resume. */
export function resumePosition(header: unknown): number {
  const value = typeof header === 'string' ? Number(header) : NaN;
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}
