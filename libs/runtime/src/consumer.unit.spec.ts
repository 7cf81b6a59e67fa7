import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createMessage, Topics, type Message } from '@shopfront/contracts';
import { ServiceKitModule } from '@shopfront/http';
import type { Delivery } from '@shopfront/messaging';
import { createLogger } from '@shopfront/observability';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { byType, Consumer, consumerDeclarationOf, consumersInOrder, type MessageHandlerProvider } from './consumer.js';
import { RuntimeModule } from './runtime.module.js';

const tx = {} as pg.PoolClient;
const delivery: Delivery = { topic: 'payment.commands', partition: 0, offset: '0', headers: {}, attempt: 1 };
const orderId = randomUUID();
const capture = createMessage('CapturePayment', { orderId }, { correlationId: orderId });
const voidPayment = createMessage('VoidPayment', { orderId }, { correlationId: orderId });
const released = createMessage('StockReleased', { orderId }, { correlationId: orderId });

describe('byType', () => {
  it('given a map by type, then each message goes to its own function, narrowed, with the transaction and delivery', async () => {
    const seen: string[] = [];
    const routes = byType<'CapturePayment' | 'VoidPayment'>({
      CapturePayment: (message, client, at) => {
        assert.equal(client, tx);
        assert.equal(at, delivery);
        seen.push(`capture ${message.data.orderId}`);
      },
      VoidPayment: async (message) => {
        seen.push(`void ${message.data.orderId}`);
      },
    });
    await routes.handle(capture, tx, delivery);
    await routes.handle(voidPayment, tx, delivery);
    assert.deepEqual(seen, [`capture ${orderId}`, `void ${orderId}`]);
  });

  it("given a map, then `handles` is its keys and nothing else", () => {
    const routes = byType<'CapturePayment' | 'VoidPayment'>({ CapturePayment: () => undefined, VoidPayment: () => undefined });
    assert.deepEqual([...routes.handles].sort(), ['CapturePayment', 'VoidPayment']);
    assert.ok(Object.isFrozen(routes.handles));
  });

  it('given a message of a type the map does not name, then it is passed over', async () => {
    let called = 0;
    const routes = byType<'CapturePayment'>({ CapturePayment: () => void called++ });
    await routes.handle(released as Message, tx, delivery);
    const inherited = { ...released, type: 'toString' } as unknown as Message;
    await routes.handle(inherited, tx, delivery);
    assert.equal(called, 0);
  });

  it('given a failing function, then the failure reaches the consumer (which retries or dead-letters it)', async () => {
    const routes = byType<'CapturePayment'>({
      CapturePayment: async () => {
        throw new Error('provider down');
      },
    });
    await assert.rejects(routes.handle(capture, tx, delivery), /provider down/);
  });

  it('refuses, at compile time, a missing type, a type not in the list and a name that is no message type', () => {
    // @ts-expect-error VoidPayment has no function
    byType<'CapturePayment' | 'VoidPayment'>({ CapturePayment: () => undefined });
    // @ts-expect-error RefundPayment is not one of the listed types
    byType<'CapturePayment'>({ CapturePayment: () => undefined, RefundPayment: () => undefined });
    // @ts-expect-error not a message type
    byType<'NoSuchMessage'>({ NoSuchMessage: () => undefined });
    // @ts-expect-error the message is narrowed: a capture has no card
    byType<'CapturePayment'>({ CapturePayment: (message) => void message.data.card });
  });
});

@Injectable()
@Consumer({ name: 'test.b', topics: [Topics.paymentCommands], maxAttempts: 3 })
class SecondConsumer implements MessageHandlerProvider {
  readonly on = byType<'CapturePayment'>({ CapturePayment: () => undefined });
}

@Injectable()
@Consumer({ name: 'test.a', topics: [Topics.sagaReplies], lingerMs: 200 })
class FirstConsumer implements MessageHandlerProvider {
  readonly on = byType<'StockReleased'>({ StockReleased: () => undefined });
}

@Injectable()
@Consumer({ name: 'test.a', topics: [Topics.shippingCommands] })
class SameNameConsumer implements MessageHandlerProvider {
  readonly on = byType<'CancelShipment'>({ CancelShipment: () => undefined });
}

describe('@Consumer', () => {
  it('given a decorated class, then its declaration is read back; an undecorated subclass has none of its own', () => {
    assert.deepEqual(consumerDeclarationOf(SecondConsumer), { name: 'test.b', topics: [Topics.paymentCommands], maxAttempts: 3 });
    class Sub extends SecondConsumer {}
    assert.equal(consumerDeclarationOf(Sub), undefined);
    assert.equal(consumerDeclarationOf({}), undefined);
  });

  it('given consumers found in any order, then they start in name order', () => {
    const found = [SecondConsumer, FirstConsumer].map((type) => ({ declaration: consumerDeclarationOf(type)!, handler: new type() }));
    assert.deepEqual(
      consumersInOrder(found).map(({ name, lingerMs, maxAttempts }) => ({ name, lingerMs, maxAttempts })),
      [
        { name: 'test.a', lingerMs: 200, maxAttempts: undefined },
        { name: 'test.b', lingerMs: undefined, maxAttempts: 3 },
      ],
    );
  });

  it('given two consumers of one name, then they are refused, naming both', () => {
    const found = [FirstConsumer, SameNameConsumer].map((type) => ({ declaration: consumerDeclarationOf(type)!, handler: new type() }));
    assert.throws(() => consumersInOrder(found), /two consumers are named 'test\.a' \(FirstConsumer and SameNameConsumer\)/);
  });

  it('given a service module with two consumers of one name, then the application fails to start, before any connection', async () => {
    @Module({
      imports: [
        ServiceKitModule.forRoot({ chaosEnabled: false }),
        RuntimeModule.forRoot({
          service: 'test',
          logger: createLogger('test', 'silent'),
          databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
          kafkaBrokers: ['127.0.0.1:1'],
          topicPrefix: 'unit-',
        }),
      ],
      providers: [FirstConsumer, SecondConsumer, SameNameConsumer],
    })
    class TwiceNamedModule {}
    // createApplicationContext runs the bootstrap hooks: RuntimeModule's discovery refuses the pair there.
    await assert.rejects(NestFactory.createApplicationContext(TwiceNamedModule, { logger: false, abortOnError: false }), /two consumers are named 'test\.a'/);
  });
});
