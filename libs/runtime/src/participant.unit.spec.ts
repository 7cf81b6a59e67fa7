import { createMessage, Topics, type Causation, type Message } from '@shopfront/contracts';
import type { Delivery } from '@shopfront/messaging';
import { withTransaction } from '@shopfront/postgres';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { consumerDeclarationOf, type MessageHandlerProvider, type MessageOf, type TypeRoutes } from './consumer.js';
import { Participant, participantHandlers } from './participant.js';

const delivery: Delivery = { topic: 'payment.commands', partition: 0, offset: '0', headers: {}, attempt: 1 };
const orderId = randomUUID();
const capture = createMessage('CapturePayment', { orderId }, { correlationId: orderId });
const voidPayment = createMessage('VoidPayment', { orderId }, { correlationId: orderId });

interface Statement {
  text: string;
  values?: unknown[];
}

/** A pool of one connection that records its statements in order: enough for withTransaction, lockKey and enqueue. */
function recordingPool() {
  const statements: Statement[] = [];
  const client = {
    connectionParameters: { host: 'unit', port: 0, database: 'participant' },
    query: async (text: string, values?: unknown[]) => {
      statements.push({ text: text.trim(), values });
      if (!text.includes('INSERT INTO outbox')) return { rows: [] };
      const rows = JSON.parse(String(values![0])) as { message_id: string }[];
      return { rows: rows.map((row, index) => ({ id: index + 1, message_id: row.message_id })) };
    },
    release: () => undefined,
  };
  const pool = { connect: async () => client, query: async () => ({ rows: [] }) } as unknown as pg.Pool;
  const run = (work: (tx: pg.PoolClient) => Promise<void>) => withTransaction(pool, work);
  return { statements, run };
}

/** What a statement did, in a word: BEGIN, `lock <key>`, `reply <type> on <topic>`, or the handler's own marker. */
function said({ text, values }: Statement): string {
  if (text.includes('pg_advisory_xact_lock')) return `lock ${String(values![0])}`;
  if (text.startsWith('INSERT INTO outbox')) {
    const rows = JSON.parse(String(values![0])) as { topic: string; payload: Message }[];
    return rows.map((row) => `reply ${row.payload.type} on ${row.topic}`).join(', ');
  }
  return text;
}

function outboxPayloads(statements: Statement[]): Message[] {
  return statements
    .filter((statement) => statement.text.startsWith('INSERT INTO outbox'))
    .flatMap((statement) => (JSON.parse(String(statement.values![0])) as { payload: Message }[]).map((row) => row.payload));
}

/** A payment participant whose handlers read the order's record (a marker statement) and answer as told. */
function payment(answer: (causation: Causation) => Message | undefined | Promise<never>) {
  const seen: Causation[] = [];
  const routes = participantHandlers<'CapturePayment' | 'VoidPayment'>({
    lockFor: (id) => `payment:${id}`,
    replyTo: Topics.sagaReplies,
    handlers: {
      CapturePayment: async (message, tx, causation) => {
        seen.push(causation);
        await tx.query(`SELECT capture ${message.data.orderId}`);
        return answer(causation);
      },
      VoidPayment: async (message, tx, causation) => {
        seen.push(causation);
        await tx.query(`SELECT void ${message.data.orderId}`);
        return answer(causation);
      },
    },
  });
  return { routes, seen };
}

describe('participantHandlers', () => {
  it("given a command, then the order's lock is taken before its handler runs, and the reply is enqueued after it, in the same transaction", async () => {
    const { routes, seen } = payment((causation) => createMessage('PaymentCaptured', { orderId, amount: { amount: 1000, currency: 'EUR' } }, causation));
    const { statements, run } = recordingPool();
    await run((tx) => routes.handle(capture, tx, delivery));
    assert.deepEqual(statements.map(said), ['BEGIN', `lock payment:${orderId}`, `SELECT capture ${orderId}`, 'reply PaymentCaptured on saga.replies', 'COMMIT']);
    assert.deepEqual(seen, [{ correlationId: orderId, causationId: capture.messageId }]);
  });

  it('given a reply, then it carries the causation: correlated by the order, caused by the command, keyed by the order', async () => {
    const { routes } = payment((causation) => createMessage('PaymentVoided', { orderId }, causation));
    const { statements, run } = recordingPool();
    await run((tx) => routes.handle(voidPayment, tx, delivery));
    const [reply, ...others] = outboxPayloads(statements);
    assert.equal(others.length, 0);
    assert.equal(reply?.type, 'PaymentVoided');
    assert.equal(reply?.correlationId, orderId);
    assert.equal(reply?.causationId, voidPayment.messageId);
    const insert = statements.find((statement) => statement.text.startsWith('INSERT INTO outbox'))!;
    assert.equal((JSON.parse(String(insert.values![0])) as { message_key: string }[])[0]?.message_key, orderId);
  });

  it('given a handler that returns no reply, then nothing is enqueued and the command still commits', async () => {
    const { routes } = payment(() => undefined);
    const { statements, run } = recordingPool();
    await run((tx) => routes.handle(capture, tx, delivery));
    assert.deepEqual(statements.map(said), ['BEGIN', `lock payment:${orderId}`, `SELECT capture ${orderId}`, 'COMMIT']);
  });

  it('given a failing handler, then the failure reaches the consumer, the transaction rolls back and no reply is enqueued', async () => {
    const { routes } = payment(() => Promise.reject(new Error('provider down')));
    const { statements, run } = recordingPool();
    await assert.rejects(run((tx) => routes.handle(capture, tx, delivery)), /provider down/);
    assert.deepEqual(statements.map(said), ['BEGIN', `lock payment:${orderId}`, `SELECT capture ${orderId}`, 'ROLLBACK']);
  });

  it("given handlers by command, then `handles` is their types and each command reaches its own", async () => {
    const { routes } = payment(() => undefined);
    assert.deepEqual([...routes.handles].sort(), ['CapturePayment', 'VoidPayment']);
    const { statements, run } = recordingPool();
    await run((tx) => routes.handle(voidPayment, tx, delivery));
    assert.ok(statements.some((statement) => statement.text === `SELECT void ${orderId}`));
    assert.ok(!statements.some((statement) => statement.text.startsWith('SELECT capture')));
  });

  it('refuses, at compile time, a missing command, one not in the list, a type with no order, and a reply of the wrong shape', () => {
    const lockFor = (id: string) => `payment:${id}`;
    const replyTo = Topics.sagaReplies;
    const none = async () => undefined;
    // @ts-expect-error VoidPayment has no handler
    participantHandlers<'CapturePayment' | 'VoidPayment'>({ lockFor, replyTo, handlers: { CapturePayment: none } });
    // @ts-expect-error RefundPayment is not one of the listed commands
    participantHandlers<'CapturePayment'>({ lockFor, replyTo, handlers: { CapturePayment: none, RefundPayment: none } });
    // @ts-expect-error StockChanged names no order: there is no order to lock
    participantHandlers<'StockChanged'>({ lockFor, replyTo, handlers: { StockChanged: none } });
    // @ts-expect-error the message is narrowed: a capture has no card
    participantHandlers<'CapturePayment'>({ lockFor, replyTo, handlers: { CapturePayment: async (message) => void message.data.card } });
    // @ts-expect-error a reply is a message, not its data
    participantHandlers<'CapturePayment'>({ lockFor, replyTo, handlers: { CapturePayment: async () => ({ orderId }) } });
  });
});

/** A participant as services declare one: methods by command, the rest from the decorator. */
@Participant({ name: 'payment.commands', topic: Topics.paymentCommands, lock: 'payment', commands: { CapturePayment: 'capture', VoidPayment: 'voidPayment' } })
class PaymentCommands implements MessageHandlerProvider {
  declare readonly on: TypeRoutes;
  constructor(private readonly currency: string) {}

  async capture(message: MessageOf<'CapturePayment'>, tx: pg.PoolClient, causation: Causation): Promise<Message> {
    await tx.query(`SELECT capture ${message.data.orderId}`);
    return createMessage('PaymentCaptured', { orderId: message.data.orderId, amount: { amount: 1000, currency: this.currency } }, causation);
  }

  async voidPayment(message: MessageOf<'VoidPayment'>, tx: pg.PoolClient): Promise<undefined> {
    await tx.query(`SELECT void ${message.data.orderId}`);
  }
}

describe('@Participant', () => {
  it('declares the consumer group of its topic, for the runtime to find among the providers', () => {
    assert.deepEqual(consumerDeclarationOf(PaymentCommands), { name: 'payment.commands', topics: ['payment.commands'] });
  });

  it("routes each command to its method, bound to the instance, under the order's lock, and replies on saga.replies", async () => {
    const commands = new PaymentCommands('EUR');
    assert.deepEqual([...commands.on.handles].sort(), ['CapturePayment', 'VoidPayment']);
    assert.equal(commands.on, commands.on, 'built once per instance');
    const { statements, run } = recordingPool();
    await run((tx) => commands.on.handle(capture, tx, delivery));
    await run((tx) => commands.on.handle(voidPayment, tx, delivery));
    assert.deepEqual(statements.map(said), [
      'BEGIN', `lock payment:${orderId}`, `SELECT capture ${orderId}`, 'reply PaymentCaptured on saga.replies', 'COMMIT',
      'BEGIN', `lock payment:${orderId}`, `SELECT void ${orderId}`, 'COMMIT',
    ]);
    assert.equal(outboxPayloads(statements)[0]?.causationId, capture.messageId);
  });

  it('refuses, at compile time, a command without its method and a method that takes another command', () => {
    // @ts-expect-error no method `refund` on the class
    @Participant({ name: 'x', topic: Topics.paymentCommands, lock: 'payment', commands: { RefundPayment: 'refund' } })
    class MissingMethod {}
    // @ts-expect-error `capture` takes CapturePayment, not VoidPayment
    @Participant({ name: 'y', topic: Topics.paymentCommands, lock: 'payment', commands: { VoidPayment: 'capture' } })
    class WrongCommand {
      async capture(message: MessageOf<'CapturePayment'>): Promise<undefined> {
        void message.data.orderId;
      }
    }
    assert.ok(MissingMethod && WrongCommand);
  });
});
