import { Injectable } from '@nestjs/common';
import { Topics, type Causation, type Message, type MessageData, type MessageType, type Topic } from '@shopfront/contracts';
import { enqueue } from '@shopfront/messaging';
import { lockKey } from '@shopfront/postgres';
import type pg from 'pg';
import { byType, Consumer, type ConsumerDeclaration, type MessageOf, type TypeHandlers, type TypeRoutes } from './consumer.js';

/** The message types whose data names an order: what a participant's lock and replies hang on. */
export type OrderMessageType = { [T in MessageType]: MessageData<T> extends { orderId: string } ? T : never }[MessageType];

/**
 * Carries out one command, under the order's lock and in the command's transaction: reads the
 * participant's record, decides, saves, and returns the reply, or undefined when there is none to
 * give (an action that arrives after its compensation), having logged why. Its first step must be a
 * statement: it runs in the lock's round trip, so anything done before it would not be under the lock.
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
      // Issued together, the lock and the handler's first statement share a round trip (libs/postgres
      // gathers them); the server takes the lock before it runs that statement, so the handler reads
      // under the lock all the same. Hence a handler's first step is a statement, never an effect outside the database.
      const [, reply] = await Promise.all([lockKey(tx, lockFor(orderId)), handle(message, tx, { correlationId: orderId, causationId: message.messageId })]);
      if (reply) await enqueue(tx, { topic: replyTo, message: reply });
    };
  const commands = Object.entries(handlers) as [string, CommandHandler<OrderMessageType>][];
  // Each key keeps its own handler, so each route still gets only its own type (byType routes by key).
  return byType<K>(Object.fromEntries(commands.map(([type, handle]) => [type, carryOut(handle)])) as unknown as TypeHandlers<K>);
}

/** Which method carries out which command: `{ ReserveStock: 'reserve' }`. */
export type CommandMethods = { readonly [T in OrderMessageType]?: string };

/** The methods `C` names, each taking its own command: what a `@Participant` class must have. */
export type ParticipantMethods<C extends CommandMethods> = {
  [T in keyof C & OrderMessageType as C[T] & string]: CommandHandler<T>;
};

/** What `@Participant` declares: a consumer of one command topic that answers the saga. */
export interface ParticipantDeclaration<C extends CommandMethods> extends Omit<ConsumerDeclaration, 'topics' | 'lingerMs'> {
  topic: Topic;
  /** The order's lock is `${lock}:${orderId}`, the same for every command of the participant. */
  lock: string;
  /** Each command, and the method that carries it out. */
  commands: C;
}

/**
 * Declares a saga participant in one place: its consumer group, the topic of its commands, the
 * order's lock, and the method for each command. Each command then runs as `participantHandlers`
 * says (lock, handle, reply on saga.replies, one transaction); the class is an injectable
 * `@Consumer`, so listing it in the module's providers is its whole registration. A method missing
 * or taking another command fails to compile.
 */
export function Participant<const C extends CommandMethods>({ topic, lock, commands, ...consumer }: ParticipantDeclaration<C>) {
  return (target: abstract new (...args: never[]) => ParticipantMethods<C>): void => {
    Injectable()(target);
    Consumer({ ...consumer, topics: [topic] })(target);
    Object.defineProperty(target.prototype, 'on', {
      get(this: Record<string, CommandHandler<OrderMessageType>>): TypeRoutes {
        const handlers = Object.fromEntries(Object.entries(commands).map(([type, method]) => [type, this[method as string]!.bind(this)]));
        const routes = participantHandlers({ lockFor: (orderId) => `${lock}:${orderId}`, replyTo: Topics.sagaReplies, handlers: handlers as never });
        // Built once per instance, on first use by the runtime.
        Object.defineProperty(this, 'on', { value: routes });
        return routes;
      },
    });
  };
}
