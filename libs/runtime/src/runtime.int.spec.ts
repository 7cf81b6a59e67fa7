/**
 * RuntimeModule on real Postgres and Kafka: a provider marked `@Consumer`, listed only in its
 * module's `providers`, is found and run under its own group id, routed by `byType`.
 */
import 'reflect-metadata';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { createMessage, Topics, type Message } from '@shopfront/contracts';
import { ServiceKitModule } from '@shopfront/http';
import type { Logger } from '@shopfront/observability';
import { eventually, MessageTap, startServiceUnderTest, type ServiceUnderTest } from '@shopfront/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { byType, Consumer, type MessageHandlerProvider } from './consumer.js';
import { connectionsFrom, RuntimeModule } from './runtime.module.js';

const handled: { type: Message['type']; orderId: string; topic: string }[] = [];

@Injectable()
@Consumer({ name: 'runtime-test.replies', topics: [Topics.sagaReplies] })
class RepliesRecorder implements MessageHandlerProvider {
  readonly on = byType<'StockReserved'>({
    StockReserved: async (message, tx, delivery) => {
      await tx.query('SELECT 1');
      handled.push({ type: message.type, orderId: message.data.orderId, topic: delivery.topic });
    },
  });
}

@Module({})
class RuntimeTestModule {
  static register(env: Record<string, string>, logger: Logger): DynamicModule {
    const config = { DATABASE_URL: env.DATABASE_URL!, KAFKA_BROKERS: env.KAFKA_BROKERS!.split(','), KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX! };
    return {
      module: RuntimeTestModule,
      imports: [ServiceKitModule.forRoot({ chaosEnabled: false }), RuntimeModule.forRoot({ service: 'runtime-test', logger, ...connectionsFrom(config), relay: false })],
      providers: [RepliesRecorder],
    };
  }
}

let service: ServiceUnderTest | undefined;
let tap: MessageTap;

before(async () => {
  service = await startServiceUnderTest({
    name: 'runtime',
    migrationsFolder: await mkdtemp(join(tmpdir(), 'runtime-migrations-')),
    module: (env, logger) => RuntimeTestModule.register(env, logger),
    beforeStart: async (resources) => {
      tap = await MessageTap.open(resources.kafka, [Topics.sagaReplies]);
    },
  });
});

after(async () => {
  await tap?.close();
  await service?.stop();
});

describe('RuntimeModule with @Consumer providers', () => {
  it('given a provider marked @Consumer, then it consumes its topic under its name, and a type it has no function for is passed over', async () => {
    const [other, wanted] = [randomUUID(), randomUUID()];
    await tap.publish(Topics.sagaReplies, createMessage('StockReleased', { orderId: other }, { correlationId: other }));
    await tap.publish(Topics.sagaReplies, createMessage('StockReserved', { orderId: wanted }, { correlationId: wanted }));
    await eventually(() => handled.some((entry) => entry.orderId === wanted), { what: 'the StockReserved handled', timeoutMs: 30_000, intervalMs: 100 });
    assert.deepEqual(handled.map(({ type, orderId }) => ({ type, orderId })), [{ type: 'StockReserved', orderId: wanted }]);
    assert.ok(handled[0]!.topic.endsWith(Topics.sagaReplies), handled[0]!.topic);
    const inbox = await service!.db.pool.query<{ consumer: string; message_type: string }>('SELECT consumer, message_type FROM inbox');
    assert.deepEqual(inbox.rows, [{ consumer: 'runtime-test.replies', message_type: 'StockReserved' }]);
  });
});
