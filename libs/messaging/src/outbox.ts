import type { Message, Topic } from '@shopfront/contracts';
import { heldWrite, type Sql } from '@shopfront/postgres';
import { traceHeaders } from './trace-context.js';

export interface OutgoingMessage {
  topic: Topic;
  message: Message;
  /** Partition key; defaults to the message's correlationId (the orderId). */
  key?: string;
  /** Extra Kafka headers, such as the W3C traceparent of the producing span. */
  headers?: Record<string, string>;
}

/**
 * Records messages in the outbox inside the caller's transaction, so they are
 * published if and only if the state change that caused them commits. Inside a
 * consumer's batch the rows of all its messages are inserted together at its end.
 */
export async function enqueue(tx: Sql, messages: OutgoingMessage | OutgoingMessage[]): Promise<void> {
  const list = Array.isArray(messages) ? messages : [messages];
  if (list.length === 0) return;
  const rows = list.map((entry) => ({
    topic: entry.topic,
    message_key: entry.key ?? entry.message.correlationId,
    message_id: entry.message.messageId,
    message_type: entry.message.type,
    payload: entry.message,
    headers: { ...outgoingHeaders(), ...entry.headers },
  }));
  await heldWrite(tx, 'outbox', rows, insertRows);
}

async function insertRows(tx: Sql, rows: unknown[]): Promise<void> {
  await tx.query(
    `INSERT INTO outbox (topic, message_key, message_id, message_type, payload, headers)
     SELECT topic, message_key, message_id, message_type, payload, headers
       FROM jsonb_to_recordset($1::jsonb)
         AS r(topic text, message_key text, message_id uuid, message_type text, payload jsonb, headers jsonb)`,
    [JSON.stringify(rows)],
  );
}

/**
 * Headers every outgoing message gets: by default the W3C trace context of the
 * span that enqueues it (empty when nothing traces), which the relay continues.
 */
let outgoingHeaders: () => Record<string, string> = () => traceHeaders();
export function setOutgoingHeaders(provider: () => Record<string, string>): void {
  outgoingHeaders = provider;
}
