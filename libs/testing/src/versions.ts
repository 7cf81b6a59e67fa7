import { deadLetterTopic, type Message, type Topic } from '@shopfront/contracts';
import { goldenMessages } from '@shopfront/contracts/golden';
import { prefixed, topicOffsets } from '@shopfront/messaging';
import { randomUUID } from 'node:crypto';
import type { TestKafka } from './kafka.js';

/**
 * A message as a producer one schema version behind wrote it: the golden example of that
 * version, re-addressed to `orderId` with a fresh messageId. Typed as a Message only to publish it.
 */
export function writtenAt(type: string, version: number, orderId: string, data: Record<string, unknown> = {}): Message {
  const golden = goldenMessages().find((entry) => entry.type === type && entry.version === version);
  if (!golden) throw new Error(`no golden message ${type} v${version}`);
  const envelope = golden.envelope;
  return { ...envelope, messageId: randomUUID(), correlationId: orderId, data: { ...(envelope.data as object), orderId, ...data } } as unknown as Message;
}

/** A message as a producer one schema version ahead would write it: the next version, with a field this one does not know. */
export const writtenAhead = (message: Message, added: Record<string, unknown>): Message =>
  ({ ...message, messageId: randomUUID(), schemaVersion: message.schemaVersion + 1, data: { ...message.data, ...added } }) as Message;

/** How many records the dead-letter twins of `topics` hold under the test's prefix. */
export async function deadLetterCount(test: TestKafka, topics: readonly Topic[]): Promise<number> {
  const offsets = await topicOffsets(test.kafka, topics.map((topic) => prefixed(test.topicPrefix, deadLetterTopic(topic))));
  return [...offsets.values()].flat().reduce((count, { low, high }) => count + high - low, 0);
}
