import { Admin } from '@platformatic/kafka';
import { Gauge } from 'prom-client';
import { offsetsOf } from './admin.js';
import { clientOf, type Broker } from './broker.js';

export interface LaggingGroup {
  /** The consumer's name in metrics (`shipping.commands`). */
  name: string;
  /** As the broker knows them, prefix included. */
  groupId: string;
  topics: string[];
}

export interface ConsumerLagOptions {
  kafka: Broker;
  groups: LaggingGroup[];
  /** Stripped from topic names in labels, so dashboards read the same in every environment. */
  topicPrefix?: string;
  /** A scrape waits at most this long for the broker; on expiry it shows the last values. */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
}

const probes = new Set<ConsumerLagProbe>();

const lag = new Gauge({
  name: 'kafka_consumer_lag',
  help: "Messages in a partition not yet committed by the consumer group (the broker's end offset minus the group's)",
  labelNames: ['group', 'topic', 'partition'],
  // Measured when scraped, as Prometheus collectors do: the value is never older than the scrape.
  async collect() {
    await Promise.all([...probes].map((probe) => probe.measureForScrape()));
  },
});

/**
 * Measures lag from the broker's side, at each scrape: the end offset of each
 * partition minus the group's committed offset. Unlike a consumer's own batch
 * events, this keeps rising while a consumer is stuck or gone.
 */
export class ConsumerLagProbe {
  private admin: Admin | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: ConsumerLagOptions) {}

  async start(): Promise<void> {
    this.admin = new Admin(clientOf(this.options.kafka));
    probes.add(this);
  }

  async stop(): Promise<void> {
    probes.delete(this);
    await this.inFlight;
    await this.admin?.close().catch(() => undefined);
  }

  /** Concurrent scrapes share one measurement; a slow or failing broker never fails the scrape. */
  measureForScrape(): Promise<void> {
    this.inFlight ??= this.measure()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => (this.inFlight = undefined));
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.timeoutMs ?? 2_000)));
    return Promise.race([this.inFlight, cap]).finally(() => clearTimeout(timer));
  }

  async measure(): Promise<void> {
    const admin = this.admin!;
    const topics = [...new Set(this.options.groups.flatMap((group) => group.topics))];
    const ends = new Map([...(await offsetsOf(admin, topics))].map(([topic, partitions]) => [topic, new Map(partitions.map((p) => [p.partition, p]))]));
    const committed = await admin.listConsumerGroupOffsets({
      groups: this.options.groups.map((group) => ({ groupId: group.groupId, topics: group.topics.map((name) => ({ name, partitionIndexes: [...(ends.get(name)?.keys() ?? [])] })) })),
    });
    for (const group of this.options.groups) {
      for (const { name: topic, partitions } of committed.find((listed) => listed.groupId === group.groupId)?.topics ?? []) {
        for (const { partitionIndex: partition, committedOffset } of partitions) {
          const end = ends.get(topic)?.get(partition);
          if (!end) continue;
          // -1: nothing committed yet; everything still on the partition is owed.
          const done = committedOffset < 0n ? end.low : Number(committedOffset);
          lag.set({ group: group.name, topic: this.unprefixed(topic), partition: String(partition) }, Math.max(0, end.high - done));
        }
      }
    }
  }

  private unprefixed(topic: string): string {
    const prefix = this.options.topicPrefix ?? '';
    return topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  }
}
