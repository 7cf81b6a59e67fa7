import { deadLetterTopic } from '@shopfront/contracts';
import { Counter } from 'prom-client';
import { MessagingError } from './errors.js';
import { prefixed } from './kafka.js';
import type { ProducerConnection } from './producer.js';
import type { RawRecord } from './reader.js';

const deadLetters = new Counter({
  name: 'messaging_dead_letters_total',
  help: 'Messages sent to a dead-letter topic, by consumer and source topic',
  labelNames: ['consumer', 'topic'],
});

export interface DeadLetter {
  consumer: string;
  topicPrefix?: string;
  /** The source topic as consumed (prefixed). */
  topic: string;
  partition: number;
  raw: Pick<RawRecord, 'key' | 'value' | 'headers' | 'offset'>;
  error: unknown;
  attempts: number;
}

/**
 * Sends the message as it arrived to `<topic>.dlq` with why and where it failed.
 * Throws if the broker did not take it: then the offset stays and Kafka redelivers.
 */
export async function deadLetter(producer: Pick<ProducerConnection, 'send'>, letter: DeadLetter): Promise<void> {
  const base = letter.topic.slice((letter.topicPrefix ?? '').length);
  try {
    await producer.send([
      {
        topic: prefixed(letter.topicPrefix, deadLetterTopic(base)),
        key: letter.raw.key,
        value: letter.raw.value,
        headers: {
          ...letter.raw.headers,
          'x-dlq-consumer': letter.consumer,
          'x-dlq-source': `${letter.topic}/${letter.partition}/${letter.raw.offset}`,
          'x-dlq-attempts': String(letter.attempts),
          'x-dlq-error': String((letter.error as Error)?.message ?? letter.error).slice(0, 1000),
          'x-dlq-at': new Date().toISOString(),
        },
      },
    ]);
  } catch (cause) {
    throw new MessagingError('DEAD_LETTER_FAILED', `could not dead-letter ${letter.topic}/${letter.partition}/${letter.raw.offset}`, { cause });
  }
  deadLetters.inc({ consumer: letter.consumer, topic: base });
}
