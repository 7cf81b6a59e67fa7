import type { Message, Topic } from '@shopfront/contracts';
import { afterCommit, heldWrite, type Pool, type Sql } from '@shopfront/postgres';
import { databaseOf, handOverCommitted, type OutboxRow } from './committed.js';
import { MessagingError } from './errors.js';
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
 * Once the transaction commits, the rows are handed to this process's relay, which
 * publishes them without reading them back (relay.ts), or, where another process
 * leads the relay, a notice wakes it; `tx` must therefore be a transaction of withTransaction.
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

async function insertRows(tx: Sql, rows: Omit<OutboxRow, 'id'>[]): Promise<void> {
  const { rows: inserted } = await tx.query<{ id: number; message_id: string }>(
    `INSERT INTO outbox (topic, message_key, message_id, message_type, payload, headers)
     SELECT topic, message_key, message_id, message_type, payload, headers
       FROM jsonb_to_recordset($1::jsonb)
         AS r(topic text, message_key text, message_id uuid, message_type text, payload jsonb, headers jsonb)
     RETURNING id, message_id`,
    [JSON.stringify(rows)],
  );
  const ids = new Map(inserted.map((row) => [row.message_id, row.id]));
  const committed = rows.map((row) => ({ ...row, id: ids.get(row.message_id)! }));
  const database = databaseOf(tx);
  const handOver = (pool: Pool) => {
    // Another process leads the relay (or none does yet): wake it. After the commit and outside it, so
    // that no commit waits for another (a NOTIFY inside a transaction takes a global lock until it ends).
    if (!handOverCommitted(database, committed)) pool.query('NOTIFY outbox').catch(() => undefined);
  };
  if (!afterCommit(tx, handOver)) {
    throw new MessagingError('RELAY_FAILED', 'enqueue needs a transaction of withTransaction: its rows are handed to the relay when it commits');
  }
}

/**
 * Headers every outgoing message gets: by default the W3C trace context of the
 * span that enqueues it (empty when nothing traces), which the relay continues.
 */
let outgoingHeaders: () => Record<string, string> = () => traceHeaders();
export function setOutgoingHeaders(provider: () => Record<string, string>): void {
  outgoingHeaders = provider;
}
