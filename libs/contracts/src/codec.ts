import { randomUUID } from 'node:crypto';
import { EnvelopeHeader, type Envelope } from './envelope.js';
import { ContractError } from './errors.js';
import { isMessageType, messageCatalog, messageSchemas, type MessageData, type MessageType } from './messages.js';
import { currentVersion, readAs } from './versioning.js';

export type Message<T extends MessageType = MessageType> = {
  [K in T]: Envelope<K, MessageData<K>>;
}[T];

export interface Causation {
  correlationId: string;
  causationId?: string | null;
}

/** Builds a new message at the current schema version, validating its data. */
export function createMessage<T extends MessageType>(
  type: T,
  data: MessageData<T>,
  causation: Causation,
): Message<T> {
  const spec = messageSchemas[type];
  const parsed = spec.data.safeParse(data);
  if (!parsed.success) {
    throw new ContractError('INVALID_SHAPE', `${type}: ${parsed.error.message}`, { cause: parsed.error });
  }
  return {
    messageId: randomUUID(),
    type,
    schemaVersion: spec.version,
    occurredAt: new Date().toISOString(),
    correlationId: causation.correlationId,
    causationId: causation.causationId ?? null,
    data: parsed.data,
  } as Message<T>;
}

/**
 * Validates a message at the edge of a consumer: header, type, version and data shape. An older
 * version is upcast, and a newer one read where its rule allows (ADR 0015), so the consumer
 * always decides on the current shape: the message returned is at the current version.
 */
export function parseMessage(raw: unknown): Message {
  const value = typeof raw === 'string' || Buffer.isBuffer(raw) ? parseJson(raw.toString()) : raw;
  const header = EnvelopeHeader.safeParse(value);
  if (!header.success) throw new ContractError('INVALID_SHAPE', `envelope: ${header.error.message}`);
  const { type, schemaVersion } = header.data;
  if (!isMessageType(type)) throw new ContractError('UNKNOWN_TYPE', `unknown message type ${type}`);
  const spec = messageCatalog[type];
  const current = currentVersion(spec);
  const data = readAs(type, spec, current, schemaVersion, (value as { data?: unknown }).data);
  return { ...header.data, type, schemaVersion: current, data } as Message;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ContractError('NOT_JSON', 'message value is not JSON', { cause });
  }
}
