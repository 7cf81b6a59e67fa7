import type { Kafka } from 'kafkajs';

/** Deletes a consumer group that served this process only, leaving nothing behind on the broker; best effort. */
export async function deletePrivateGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin
    .connect()
    .then(() => admin.deleteGroups([groupId]))
    .catch(() => undefined)
    .finally(() => admin.disconnect());
}
