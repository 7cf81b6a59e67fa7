/**
 * What code outside this library asks the cluster itself (ADR 0024): offsets, topics, groups,
 * reachability. Each call opens an admin connection of its own unless it says otherwise.
 */
import type { Admin } from 'kafkajs';
import { clientOf, withAdmin, type Broker } from './broker.js';

/** One partition's first offset still held and the offset its next record will take. */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** Each topic's partitions and their offsets (a topic that does not exist fails the call). */
export async function topicOffsets(broker: Broker, topics: readonly string[]): Promise<Map<string, PartitionOffsets[]>> {
  return withAdmin(broker, async (admin) => {
    const offsets = new Map<string, PartitionOffsets[]>();
    for (const topic of topics) {
      const partitions = await admin.fetchTopicOffsets(topic);
      offsets.set(topic, partitions.map(({ partition, low, high }) => ({ partition, low: Number(low), high: Number(high) })));
    }
    return offsets;
  });
}

/** The names of the topics that start with `prefix`. */
export async function topicsStartingWith(broker: Broker, prefix: string): Promise<string[]> {
  return withAdmin(broker, async (admin) => (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)));
}

/** Creates topics by their full names (a bench's own), waiting for their leaders. */
export async function createTopics(broker: Broker, topics: readonly string[], partitions = 3): Promise<void> {
  await withAdmin(broker, (admin) => admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) }));
}

/** How many members each consumer group whose id starts with `prefix` has. */
export async function consumerGroupMembers(broker: Broker, prefix: string): Promise<Record<string, number>> {
  return withAdmin(broker, async (admin) => {
    const ids = (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id.startsWith(prefix));
    const { groups } = await admin.describeGroups(ids);
    return Object.fromEntries(groups.map((group) => [group.groupId, group.members.length]));
  });
}

/** Deletes a consumer group that served one process only, leaving nothing behind on the broker; best effort. */
export async function deleteGroup(broker: Broker, groupId: string): Promise<void> {
  await withAdmin(broker, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
}

/**
 * A service's readiness check on the broker: asks the cluster to describe itself, over one admin
 * connection kept between checks (a probe every few seconds need not open one each time).
 */
export class BrokerReadiness {
  private readonly admin: Admin;

  constructor(broker: Broker) {
    this.admin = clientOf(broker).admin();
  }

  /** Throws while the broker does not answer. */
  async check(): Promise<void> {
    await this.admin.connect();
    await this.admin.describeCluster();
  }

  async stop(): Promise<void> {
    await this.admin.disconnect();
  }
}
