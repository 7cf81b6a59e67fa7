import type { Admin, Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';

export interface LaggingGroup {
  /** The consumer's name in metrics (`shipping.commands`). */
  name: string;
  /** As the broker knows them, prefix included. */
  groupId: string;
  topics: string[];
}

export interface ConsumerLagOptions {
  kafka: Kafka;
  groups: LaggingGroup[];
  /** Stripped from topic names in labels, so dashboards read the same in every environment. */
  topicPrefix?: string;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

const lag = new Gauge({
  name: 'kafka_consumer_lag',
  help: "Messages in a partition not yet committed by the consumer group (the broker's end offset minus the group's)",
  labelNames: ['group', 'topic', 'partition'],
});

/**
 * Measures lag from the broker's side, on an interval: the end offset of each
 * partition minus the group's committed offset. Unlike a consumer's own batch
 * events, this keeps rising while a consumer is stuck or gone.
 */
export class ConsumerLagProbe {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly options: ConsumerLagOptions) {}

  async start(): Promise<void> {
    this.admin = this.options.kafka.admin();
    await this.admin.connect();
    // A failed measurement must not hold the message loops back: the next round tries again.
    await this.measure().catch((error) => this.options.onError?.(error));
    this.timer = setInterval(() => {
      this.round = this.measure().catch((error) => this.options.onError?.(error));
    }, this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
    await this.admin?.disconnect().catch(() => undefined);
  }

  async measure(): Promise<void> {
    const admin = this.admin!;
    const ends = new Map<string, Map<number, { high: number; low: number }>>();
    for (const topic of new Set(this.options.groups.flatMap((group) => group.topics))) {
      const partitions = await admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(partitions.map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }])));
    }
    for (const group of this.options.groups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics })) {
        for (const { partition, offset } of partitions) {
          const end = ends.get(topic)?.get(partition);
          if (!end) continue;
          // -1: nothing committed yet; everything still on the partition is owed.
          const committed = Number(offset) < 0 ? end.low : Number(offset);
          lag.set({ group: group.name, topic: this.unprefixed(topic), partition: String(partition) }, Math.max(0, end.high - committed));
        }
      }
    }
  }

  private unprefixed(topic: string): string {
    const prefix = this.options.topicPrefix ?? '';
    return topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  }
}
