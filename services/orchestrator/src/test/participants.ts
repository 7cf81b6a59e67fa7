/**
 * A scripted stand-in for inventory, payment, shipping and the order service
 * in the orchestrator's integration tests: it reads the command topics on the
 * real broker, remembers what arrived for each order, and answers on
 * saga.replies the way a participant would, unless a test scripts otherwise.
 */
import { createMessage, parseMessage, Topics, type Message, type MessageType } from '@shopfront/contracts';
import { prefixed, RecordPublisher, TopicReader, type Broker, type RawRecord } from '@shopfront/messaging';
import { randomUUID } from 'node:crypto';
import type { CommandType } from '../domain/saga.js';

type Command = Message<CommandType>;
/** What to answer to a command: replies to publish (none for silence). */
export type Script = (command: Command) => Message[] | Promise<Message[]>;

const participantTopics = [Topics.inventoryCommands, Topics.paymentCommands, Topics.shippingCommands, Topics.orderCommands, Topics.sagaEvents];

export class ScriptedParticipant {
  private readonly reader: TopicReader;
  private readonly publisher: RecordPublisher;
  private readonly received = new Map<string, Message[]>();
  private readonly scripts = new Map<string, Partial<Record<CommandType, Script>>>();

  constructor(
    kafka: Broker,
    private readonly topicPrefix: string,
  ) {
    this.publisher = new RecordPublisher(kafka);
    this.reader = new TopicReader({
      broker: kafka,
      groupId: `${topicPrefix}participant-${randomUUID()}`,
      topics: participantTopics.map((topic) => prefixed(topicPrefix, topic)),
      from: 'beginning',
      onBatch: async (records) => {
        for (const record of records) await this.answer(record);
      },
    });
  }

  async start(): Promise<void> {
    await this.publisher.connect();
    await this.reader.start();
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    await this.publisher.disconnect();
  }

  /** Overrides the answers to some commands for one order. */
  script(orderId: string, scripts: Partial<Record<CommandType, Script>>): void {
    this.scripts.set(orderId, scripts);
  }

  async reply(...messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.publisher.publish(
      prefixed(this.topicPrefix, Topics.sagaReplies),
      messages.map((message) => ({ key: (message.data as { orderId: string }).orderId, value: JSON.stringify(message) })),
    );
  }

  /** Remembers what arrived and, for a command, answers as scripted (as a participant would, by default). */
  private async answer(record: RawRecord): Promise<void> {
    const parsed = parseMessage(record.value ?? '');
    const orderId = (parsed.data as { orderId: string }).orderId;
    this.received.set(orderId, [...(this.received.get(orderId) ?? []), parsed]);
    if (parsed.type === 'SagaStepRecorded' || parsed.type === 'ConfirmOrder' || parsed.type === 'CancelOrder') return;
    const command = parsed as Command;
    const script = this.scripts.get(orderId)?.[command.type] ?? answerLikeAParticipant;
    await this.reply(...(await script(command)));
  }

  /** Commands sent for an order, in the order they arrived. */
  commands(orderId: string): Command[] {
    return (this.received.get(orderId) ?? []).filter((message): message is Command => message.type !== 'SagaStepRecorded');
  }

  commandTypes(orderId: string): string[] {
    return this.commands(orderId).map((command) => command.type);
  }

  /** How many SagaStepRecorded messages the order's saga sent: one per move, however many lines each holds. */
  timelineMessages(orderId: string): number {
    return (this.received.get(orderId) ?? []).filter((message) => message.type === 'SagaStepRecorded').length;
  }

  /** The order's timeline as recorded on saga.events: `step PHASE`. */
  timeline(orderId: string): string[] {
    return (this.received.get(orderId) ?? []).flatMap((message) => (message.type === 'SagaStepRecorded' ? message.data.steps.map(({ step, phase }) => `${step} ${phase}`) : []));
  }
}

export const replyTo = <T extends MessageType>(command: Command, type: T, data: Omit<Message<T>['data'], 'orderId'>): Message =>
  createMessage(type, { orderId: command.data.orderId, ...data } as Message<T>['data'], { correlationId: command.data.orderId, causationId: command.messageId }) as Message;

const amount = { amount: 4498, currency: 'EUR' };

/** What the real participants answer when all goes well. */
export function answerLikeAParticipant(command: Command): Message[] {
  switch (command.type) {
    case 'ReserveStock':
      return [replyTo(command, 'StockReserved', {})];
    case 'ReleaseStock':
      return [replyTo(command, 'StockReleased', {})];
    case 'AuthorizePayment':
      return [replyTo(command, 'PaymentAuthorized', { amount: command.data.amount })];
    case 'CapturePayment':
      return [replyTo(command, 'PaymentCaptured', { amount })];
    case 'VoidPayment':
      return [replyTo(command, 'PaymentVoided', {})];
    case 'RefundPayment':
      return [replyTo(command, 'PaymentRefunded', { amount })];
    case 'ScheduleShipment':
      return [replyTo(command, 'ShipmentScheduled', { shipmentId: randomUUID() })];
    case 'CancelShipment':
      return [replyTo(command, 'ShipmentCancelled', {})];
    case 'ConfirmOrder':
    case 'CancelOrder':
      return [];
    default:
      return command satisfies never;
  }
}
