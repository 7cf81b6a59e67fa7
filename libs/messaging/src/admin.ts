/**
 * What code outside this library asks the cluster itself (ADR 0024): offsets, topics, groups,
 * reachability. Each call opens an admin client of its own unless it says otherwise.
 */
import { Admin } from '@platformatic/kafka';
import { clientOf, withAdmin, type Broker } from './broker.js';

/** One partition's first offset still held and the offset its next record will take. */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

// ListOffsets asks by timestamp; these two are the protocol's "earliest" and "latest".
const EARLIEST = -2n;
const LATEST = -1n;

/** Each topic's partitions and their offsets, asked of `admin` (a topic that does not exist fails the call). */
export async function offsetsOf(admin: Admin, topics: readonly string[]): Promise<Map<string, PartitionOffsets[]>> {
  const metadata = await admin.metadata({ topics: [...topics] });
  const ask = (timestamp: bigint) =>
    admin.listOffsets({
      topics: topics.map((name) => ({ name, partitions: Array.from({ length: metadata.topics.get(name)!.partitionsCount }, (_, partitionIndex) => ({ partitionIndex, timestamp })) })),
    });
  const [lows, highs] = await Promise.all([ask(EARLIEST), ask(LATEST)]);
  const offsets = new Map<string, PartitionOffsets[]>();
  for (const topic of topics) {
    const low = new Map(lows.find((listed) => listed.name === topic)!.partitions.map((p) => [p.partitionIndex, Number(p.offset)]));
    const high = highs.find((listed) => listed.name === topic)!.partitions;
    offsets.set(topic, high.map((p) => ({ partition: p.partitionIndex, low: low.get(p.partitionIndex) ?? 0, high: Number(p.offset) })).sort((a, b) => a.partition - b.partition));
  }
  return offsets;
}

/** Each topic's partitions and their offsets (a topic that does not exist fails the call). */
export async function topicOffsets(broker: Broker, topics: readonly string[]): Promise<Map<string, PartitionOffsets[]>> {
  return withAdmin(broker, (admin) => offsetsOf(admin, topics));
}

/** The names of the topics that start with `prefix`. */
export async function topicsStartingWith(broker: Broker, prefix: string): Promise<string[]> {
  return withAdmin(broker, async (admin) => (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)));
}

/** Creates topics by their full names (a bench's own). */
export async function createTopics(broker: Broker, topics: readonly string[], partitions = 3): Promise<void> {
  await withAdmin(broker, (admin) => admin.createTopics({ topics: [...topics], partitions, replicas: 1 }));
}

/** How many members each consumer group whose id starts with `prefix` has. */
export async function consumerGroupMembers(broker: Broker, prefix: string): Promise<Record<string, number>> {
  return withAdmin(broker, async (admin) => {
    const ids = [...(await admin.listGroups()).keys()].filter((id) => id.startsWith(prefix));
    if (ids.length === 0) return {};
    const groups = await admin.describeGroups({ groups: ids });
    return Object.fromEntries([...groups.values()].map((group) => [group.id, group.members.size]));
  });
}

/** Deletes a consumer group that served one process only, leaving nothing behind on the broker; best effort. */
export async function deleteGroup(broker: Broker, groupId: string): Promise<void> {
  await withAdmin(broker, (admin) => admin.deleteGroups({ groups: [groupId] })).catch(() => undefined);
}

/**
 * A service's readiness check on the broker: asks the cluster to describe itself, over one admin
 * client kept between checks (a probe every few seconds need not open a connection each time).
 */
export class BrokerReadiness {
  private readonly admin: Admin;

  constructor(broker: Broker) {
    // No retries: a probe answers for this moment, and the next probe asks again.
    this.admin = new Admin({ ...clientOf(broker), retries: 0 });
  }

  /** Throws while the broker does not answer. */
  async check(): Promise<void> {
    await this.admin.metadata({ topics: [], forceUpdate: true });
  }

  async stop(): Promise<void> {
    await this.admin.close().catch(() => undefined);
  }
}
