import { Inject, Injectable } from '@nestjs/common';
import { assertNever, createMessage, Topics, type Causation, type Message } from '@shopfront/contracts';
import { Consumer, LOGGER, participantHandlers, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type { Logger } from '@shopfront/observability';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cancelShipment, scheduleShipment } from '../domain/shipment.js';
import { SHIPMENT_STORE, type ShipmentStore } from './ports.js';

/** Carries out the orchestrator's shipping commands, each under the order's shipment lock, and answers on saga.replies. */
@Injectable()
@Consumer({ name: 'shipping.commands', topics: [Topics.shippingCommands] })
export class ShippingCommandsConsumer implements MessageHandlerProvider {
  readonly on = participantHandlers<'ScheduleShipment' | 'CancelShipment'>({
    lockFor: (orderId) => `shipment:${orderId}`,
    replyTo: Topics.sagaReplies,
    handlers: {
      ScheduleShipment: (message, tx, causation) => this.schedule(message, tx, causation),
      CancelShipment: (message, tx, causation) => this.cancel(message, tx, causation),
    },
  });

  constructor(
    @Inject(SHIPMENT_STORE) private readonly shipments: ShipmentStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private async schedule(message: MessageOf<'ScheduleShipment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const existing = await this.shipments.findShipmentForUpdate(tx, message.data.orderId);
    const outcome = scheduleShipment(existing, message.data, randomUUID());
    switch (outcome.kind) {
      case 'scheduled':
        await this.shipments.saveShipment(tx, outcome.shipment);
        return createMessage('ShipmentScheduled', { orderId: message.data.orderId, shipmentId: outcome.shipment.shipmentId }, causation);
      case 'alreadyScheduled':
        return createMessage('ShipmentScheduled', { orderId: message.data.orderId, shipmentId: outcome.shipment.shipmentId }, causation);
      case 'unavailable':
        return createMessage('ShipmentFailed', { orderId: message.data.orderId, reason: outcome.reason }, causation);
      case 'cancelledBefore':
        this.logger.info({ orderId: message.data.orderId }, 'schedule arrived after cancellation; ignored');
        return;
      default:
        return assertNever(outcome);
    }
  }

  private async cancel(message: MessageOf<'CancelShipment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const existing = await this.shipments.findShipmentForUpdate(tx, message.data.orderId);
    await this.shipments.saveShipment(tx, cancelShipment(existing, message.data.orderId, randomUUID()));
    return createMessage('ShipmentCancelled', { orderId: message.data.orderId }, causation);
  }
}
