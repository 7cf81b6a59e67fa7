import { Inject, Injectable } from '@nestjs/common';
import { assertNever, createMessage, Topics, type Message } from '@shopfront/contracts';
import { enqueue } from '@shopfront/messaging';
import { lockKey } from '@shopfront/postgres';
import { byType, Consumer, LOGGER, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type { Logger } from '@shopfront/observability';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cancelShipment, scheduleShipment } from '../domain/shipment.js';
import { SHIPMENT_STORE, type ShipmentStore } from './ports.js';

/** Carries out the orchestrator's shipping commands and answers each on saga.replies. */
@Injectable()
@Consumer({ name: 'shipping.commands', topics: [Topics.shippingCommands] })
export class ShippingCommandsConsumer implements MessageHandlerProvider {
  readonly on = byType<'ScheduleShipment' | 'CancelShipment'>({
    ScheduleShipment: (message, tx) => this.schedule(message, tx),
    CancelShipment: (message, tx) => this.cancel(message, tx),
  });

  constructor(
    @Inject(SHIPMENT_STORE) private readonly shipments: ShipmentStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Every command first takes the order's shipment lock. */
  private async begin(message: MessageOf<'ScheduleShipment' | 'CancelShipment'>, tx: pg.PoolClient) {
    const causation = { correlationId: message.data.orderId, causationId: message.messageId };
    await lockKey(tx, `shipment:${message.data.orderId}`);
    return causation;
  }

  private async schedule(message: MessageOf<'ScheduleShipment'>, tx: pg.PoolClient): Promise<void> {
    const causation = await this.begin(message, tx);
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

  private async cancel(message: MessageOf<'CancelShipment'>, tx: pg.PoolClient): Promise<void> {
    const causation = await this.begin(message, tx);
    const existing = await this.shipments.findShipmentForUpdate(tx, message.data.orderId);
    await this.shipments.saveShipment(tx, cancelShipment(existing, message.data.orderId, randomUUID()));
    return reply(tx, createMessage('ShipmentCancelled', { orderId: message.data.orderId }, causation));
  }
}

const reply = (tx: pg.PoolClient, message: Message) => enqueue(tx, { topic: Topics.sagaReplies, message });
