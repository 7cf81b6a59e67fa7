import type { Message } from './codec.js';
import { ContractError } from './errors.js';
import type { MessageType } from './messages.js';

/** Narrows a consumed message to the types a handler understands. */
export function isMessageOf<T extends MessageType>(message: Message, types: readonly T[]): message is Extract<Message, { type: T }> {
  return (types as readonly string[]).includes(message.type);
}

/** Ends every switch over message types: adding a type without handling it fails to compile. */
export function assertNever(value: never): never {
  throw new ContractError('UNKNOWN_TYPE', `unhandled message: ${JSON.stringify((value as { type?: unknown })?.type ?? value)}`);
}
