import { parseMessage, Topics, type Message } from '@shopfront/contracts';
import { prefixed, TopicReader, type Broker, type RawRecord } from '@shopfront/messaging';
import type { Logger } from '@shopfront/observability';
import { randomUUID } from 'node:crypto';
import { updatesFrom, type OrderUpdate } from '../../domain/order-stream.js';
import { liveStreams } from '../metrics.js';

type Listener = (update: OrderUpdate) => void;

/**
 * The feed's fetches are at least this far apart while orders flow: about nine messages of each
 * order reach it, and a fetch per message was most of the gateway's Kafka work under load. A
 * watcher sees the first update of a quiet spell at once and later ones up to this much later.
 */
const feedSpacingMs = 100;

/** Hears every message the feed reads: admission's saga backlog and the catalog's changes (ADR 0020). */
export type FeedObserver = (message: Message) => void;

/**
 * The gateway's one Kafka consumer (ADR 0018): every replica reads order.events,
 * saga.events and inventory.events in a consumer group of its own, from the
 * latest offset, and fans each message out in memory to the streams watching
 * that order and to the observers (ADR 0020). A
 * thousand watchers cost one consumer, not a thousand database polls; a
 * replica that is not running has nobody to tell, hence no offsets to keep.
 */
export class OrderFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reader: TopicReader;
  private readonly sagaEvents: string;
  /** Resolves once the feed has joined its group: from then on no update is missed. */
  readonly joined: Promise<void>;

  /** Not live while it is not reading: admission then admits (its backlog would only grow stale), until it joins again. */
  get isLive(): boolean {
    return this.reader.live;
  }

  constructor(
    kafka: Broker,
    topicPrefix: string,
    private readonly logger: Logger,
    private readonly observers: readonly FeedObserver[] = [],
  ) {
    this.sagaEvents = prefixed(topicPrefix, Topics.sagaEvents);
    this.reader = new TopicReader({
      broker: kafka,
      groupId: `gateway-live-${randomUUID()}`,
      topics: [Topics.orderEvents, Topics.sagaEvents, Topics.inventoryEvents].map((topic) => prefixed(topicPrefix, topic)),
      from: 'latest',
      fetchesAs: 'gateway.live',
      spacingMs: feedSpacingMs,
      onBatch: (records) => this.read(records),
      onError: (error) => this.logger.warn({ err: error }, 'live order feed lost its broker; reading again'),
    });
    this.joined = this.reader.joined;
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  /** One batch of a partition. */
  private read(records: RawRecord[]): void {
    // Most of what the feed reads is saga steps, which only a stream watching that order needs
    // (the observers read order and stock events): keyed by order id, they are passed over unread.
    for (const record of records) {
      if (record.topic === this.sagaEvents && !this.listeners.has(record.key?.toString() ?? '')) continue;
      this.fanOut(record.value);
    }
  }

  private fanOut(value: Buffer | null): void {
    let updates: OrderUpdate[];
    try {
      const parsed = parseMessage(value);
      for (const observe of this.observers) observe(parsed);
      updates = updatesFrom(parsed);
    } catch (error) {
      // The services' own consumers dead-letter a bad message; watchers just do not see it.
      this.logger.debug({ err: error }, 'live feed skipped a message it cannot read');
      return;
    }
    for (const update of updates) for (const listener of this.listeners.get(update.orderId) ?? []) listener(update);
  }

  /** Until the returned function is called, `listener` hears every update of `orderId`. */
  watch(orderId: string, listener: Listener): () => void {
    let set = this.listeners.get(orderId);
    if (!set) this.listeners.set(orderId, (set = new Set()));
    set.add(listener);
    liveStreams.inc();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(orderId);
      liveStreams.dec();
    };
  }

  /** Leaves its group and deletes it: nobody resumes a private feed. */
  stop(): Promise<void> {
    return this.reader.stop();
  }
}
