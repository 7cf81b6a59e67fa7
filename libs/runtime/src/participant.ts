import type { Causation, Message, MessageData, MessageType, Topic } from '@shopfront/contracts';
import { enqueue } from '@shopfront/messaging';
import { lockKey } from '@shopfront/postgres';
import type pg from 'pg';
import { byType, type MessageOf, type TypeHandlers, type TypeRoutes } from './consumer.js';

/** The message types whose data names an order: what a participant's lock and replies hang on. */
export type OrderMessageType = { [T in MessageType]: MessageData<T> extends { orderId: string } ? T : never }[MessageType];

/**
 * Carries out one command, under the order's lock and in the command's transaction: reads the
 * participant's record, decides, saves, and returns the reply, or undefined when there is none to
 * give (an action that arrives after its compensation), having logged why.
 */
export type CommandHandler<T extends OrderMessageType> = (message: MessageOf<T>, tx: pg.PoolClient, causation: Causation) => Promise<Message | undefined>;

/** One function per command: every type of `K` present, no other. */
export type CommandHandlers<K extends OrderMessageType> = { readonly [T in K]: CommandHandler<T> };

export interface Participant<K extends OrderMessageType> {
  /** The key of the order's lock (`payment:${orderId}`): one order's commands run one at a time, even before its record exists. */
  lockFor: (orderId: string) => string;
  /** Where the replies go (`Topics.sagaReplies`). */
  replyTo: Topic;
  handlers: CommandHandlers<K>;
}

/**
 * The routes of a saga participant's command consumer (the role of eventuate's command-handler
 * builder): each command takes the order's lock, is handled, and its reply, caused by the command and
 * correlated by the order, is enqueued in the same transaction. So no participant writes that
 * skeleton again, and `K` is checked for exhaustiveness as by `byType`. A handler's error is not
 * caught: the consumer retries or dead-letters the command and never acks it.
 */
export function participantHandlers<K extends OrderMessageType>({ lockFor, replyTo, handlers }: Participant<K>): TypeRoutes<K> {
  const carryOut =
    (handle: CommandHandler<OrderMessageType>) =>
    async (message: MessageOf<OrderMessageType>, tx: pg.PoolClient): Promise<void> => {
      const { orderId } = message.data;
      await lockKey(tx, lockFor(orderId));
      const reply = await handle(message, tx, { correlationId: orderId, causationId: message.messageId });
      if (reply) await enqueue(tx, { topic: replyTo, message: reply });
    };
  const commands = Object.entries(handlers) as [string, CommandHandler<OrderMessageType>][];
  // Each key keeps its own handler, so each route still gets only its own type (byType routes by key).
  return byType<K>(Object.fromEntries(commands.map(([type, handle]) => [type, carryOut(handle)])) as unknown as TypeHandlers<K>);
}
