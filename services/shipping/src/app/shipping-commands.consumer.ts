import { Inject, Injectable } from '@nestjs/common';
import { assertNever, createMessage, isMessageOf, Topics, type Message } from '@shopfront/contracts';
import { enqueue, type Delivery } from '@shopfront/messaging';
import { lockKey } from '@shopfront/postgres';
import { LOGGER, type MessageHandlerProvider } from '@shopfront/runtime';
import type { Logger } from '@shopfront/observability';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cancelShipment, scheduleShipment } from '../domain/shipment.js';
import { SHIPMENT_STORE, type ShipmentStore } from './ports.js';

const handled = ['ScheduleShipment', 'CancelShipment'] as const;

/** Carries out the orchestrator's shipping commands and answers each on saga.replies. */
@Injectable()
export class ShippingCommandsConsumer implements MessageHandlerProvider {
  readonly handles = handled;

  constructor(
    @Inject(SHIPMENT_STORE) private readonly shipments: ShipmentStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(message: Message, tx: pg.PoolClient, _delivery: Delivery): Promise<void> {
    if (!isMessageOf(message, handled)) return; // not ours: other types share no topic with us, but stay safe
    const causation = { correlationId: message.data.orderId, causationId: message.messageId };
    await lockKey(tx, `shipment:${message.data.orderId}`);
    switch (message.type) {
      case 'ScheduleShipment': {
        const existing = await this.shipments.findShipmentForUpdate(tx, message.data.orderId);
        const outcome = scheduleShipment(existing, message.data, randomUUID());
        switch (outcome.kind) {
          case 'scheduled':
            await this.shipments.saveShipment(tx, outcome.shipment);
            return reply(tx, createMessage('ShipmentScheduled', { orderId: message.data.orderId, shipmentId: outcome.shipment.shipmentId }, causation));
          case 'alreadyScheduled':
            return reply(tx, createMessage('ShipmentScheduled', { orderId: message.data.orderId, shipmentId: outcome.shipment.shipmentId }, causation));
          case 'unavailable':
            return reply(tx, createMessage('ShipmentFailed', { orderId: message.data.orderId, reason: outcome.reason }, causation));
          case 'cancelledBefore':
            this.logger.info({ orderId: message.data.orderId }, 'schedule arrived after cancellation; ignored');
            return;
          default:
            return assertNever(outcome);
        }
      }
      case 'CancelShipment': {
        const existing = await this.shipments.findShipmentForUpdate(tx, message.data.orderId);
        await this.shipments.saveShipment(tx, cancelShipment(existing, message.data.orderId, randomUUID()));
        return reply(tx, createMessage('ShipmentCancelled', { orderId: message.data.orderId }, causation));
      }
      default:
        return assertNever(message);
    }
  }
}

const reply = (tx: pg.PoolClient, message: Message) => enqueue(tx, { topic: Topics.sagaReplies, message });
