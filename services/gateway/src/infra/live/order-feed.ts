import { parseMessage, Topics, type Message } from '@shopfront/contracts';
import { consumerTimings, countFetches, prefixed, spaceFetches } from '@shopfront/messaging';
import type { Logger } from '@shopfront/observability';
import type { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { deletePrivateGroup } from '../kafka/private-group.js';
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
  private readonly groupId = `gateway-live-${randomUUID()}`;
  private consumer: Consumer | undefined;
  private markJoined: () => void = () => undefined;
  /** Resolves once the consumer has joined its group: from then on no update is missed. */
  readonly joined = new Promise<void>((resolve) => (this.markJoined = resolve));
  private live = false;

  get isLive(): boolean {
    return this.live;
  }

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly logger: Logger,
    private readonly observers: readonly FeedObserver[] = [],
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, ...consumerTimings });
    this.consumer = consumer;
    countFetches(consumer, 'gateway.live');
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.live = true;
      this.markJoined();
    });
    // Not live while it is not reading: admission then admits (its backlog would only grow stale),
    // until the consumer joins again (kafkajs restarts it after a retriable crash).
    consumer.on(consumer.events.CRASH, () => (this.live = false));
    consumer.on(consumer.events.STOP, () => (this.live = false));
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.orderEvents, Topics.sagaEvents, Topics.inventoryEvents].map((topic) => prefixed(this.topicPrefix, topic)), fromBeginning: false });
    const sagaEvents = prefixed(this.topicPrefix, Topics.sagaEvents);
    const spaced = spaceFetches(consumer, feedSpacingMs);
    await consumer.run({
      eachBatch: async ({ batch }) => {
        // Most of what the feed reads is saga steps, which only a stream watching that order needs
        // (the observers read order and stock events): keyed by order id, they are passed over unread.
        const sagaSteps = batch.topic === sagaEvents;
        for (const message of batch.messages) {
          if (sagaSteps && !this.listeners.has(message.key?.toString() ?? '')) continue;
          this.fanOut(message.value);
        }
        await spaced();
      },
    });
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

  async stop(): Promise<void> {
    if (!this.consumer) return;
    await this.consumer.disconnect().catch(() => undefined);
    await deletePrivateGroup(this.kafka, this.groupId);
  }
}
