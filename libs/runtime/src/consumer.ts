import { SetMetadata } from '@nestjs/common';
import type { Message, MessageType, Topic } from '@shopfront/contracts';
import type { BatchHooks, Delivery, MessageHandler } from '@shopfront/messaging';
import type pg from 'pg';

/** What `@Consumer` declares: everything RuntimeModule needs to run the provider's consumer group. */
export interface ConsumerDeclaration {
  /** Group id and inbox name, e.g. `shipping.commands`: unique in a service. */
  name: string;
  topics: Topic[];
  maxAttempts?: number;
  /** Readers that may lag: fetches at most this often while messages flow (ConsumerOptions.lingerMs). */
  lingerMs?: number;
}

export const CONSUMER_METADATA = 'shopfront:consumer';

/**
 * Marks a provider as the handler of one consumer group. RuntimeModule finds every provider
 * so marked (Nest's DiscoveryService) and starts a MessageConsumer for it: the service's
 * module lists the class in `providers` only.
 */
export const Consumer = (declaration: ConsumerDeclaration): ClassDecorator => SetMetadata(CONSUMER_METADATA, declaration);

/** The declaration `@Consumer` put on a class, if any (its own, not a base class's). */
export const consumerDeclarationOf = (type: unknown): ConsumerDeclaration | undefined =>
  typeof type === 'function' ? (Reflect.getOwnMetadata(CONSUMER_METADATA, type) as ConsumerDeclaration | undefined) : undefined;

/** The message of type `K`, narrowed. */
export type MessageOf<K extends MessageType> = Extract<Message, { type: K }>;

/** One function per message type: every type of `K` present, no other. */
export type TypeHandlers<K extends MessageType> = {
  readonly [T in K]: (message: MessageOf<T>, tx: pg.PoolClient, delivery: Delivery) => Promise<void> | void;
};

/** A handler routed by message type: `handles` are the map's keys. */
export interface TypeRoutes<K extends MessageType = MessageType> {
  readonly handles: readonly K[];
  readonly handle: MessageHandler;
}

/**
 * Routes each message to the function named by its type, the message narrowed to that type.
 * With `K` given, a type of `K` left out, or a key that is not in `K`, fails to compile;
 * a message of another type (which `handles` keeps away anyway) is passed over.
 */
export function byType<K extends MessageType>(handlers: TypeHandlers<K>): TypeRoutes<K> {
  const routes = new Map<string, (message: Message, tx: pg.PoolClient, delivery: Delivery) => Promise<void> | void>(
    Object.entries(handlers) as [string, (message: Message, tx: pg.PoolClient, delivery: Delivery) => Promise<void> | void][],
  );
  return {
    handles: Object.freeze([...routes.keys()] as K[]),
    handle: async (message, tx, delivery) => {
      const route = routes.get(message.type);
      if (route) await route(message, tx, delivery);
    },
  };
}

/** A provider that handles the messages of one consumer group (see `@Consumer` and `byType`). */
export interface MessageHandlerProvider {
  /** The handler, routed by type: types it has no function for cost no transaction (ConsumerOptions.handles). */
  readonly on: TypeRoutes;
  /** Once per transaction, before its first message (see BatchHooks). */
  openBatch?: NonNullable<BatchHooks['open']>;
  /** Once per transaction, after its last message. */
  closeBatch?: NonNullable<BatchHooks['close']>;
}

/** A discovered consumer: its declaration and its provider's instance. */
export interface DiscoveredConsumer extends ConsumerDeclaration {
  handler: MessageHandlerProvider;
}

/** In a stable order (by name); two consumers of one name are refused, naming both classes. */
export function consumersInOrder(found: { declaration: ConsumerDeclaration; handler: MessageHandlerProvider }[]): DiscoveredConsumer[] {
  const byName = new Map<string, { declaration: ConsumerDeclaration; handler: MessageHandlerProvider }>();
  for (const entry of found) {
    const other = byName.get(entry.declaration.name);
    if (other) {
      throw new Error(
        `two consumers are named '${entry.declaration.name}' (${other.handler.constructor.name} and ${entry.handler.constructor.name}): each @Consumer name is a group id and must be unique`,
      );
    }
    if (typeof entry.handler.on?.handle !== 'function') {
      throw new Error(`consumer '${entry.declaration.name}' (${entry.handler.constructor.name}) has no \`on = byType({...})\` routes`);
    }
    byName.set(entry.declaration.name, entry);
  }
  return [...byName.values()]
    .sort((a, b) => (a.declaration.name < b.declaration.name ? -1 : a.declaration.name > b.declaration.name ? 1 : 0))
    .map(({ declaration, handler }) => ({ ...declaration, handler }));
}
