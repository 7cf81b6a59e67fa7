import { Inject } from '@nestjs/common';
import { assertNever, createMessage, Topics, type Causation, type Message } from '@shopfront/contracts';
import type { Logger } from '@shopfront/observability';
import { LOGGER, Participant, type MessageHandlerProvider, type MessageOf, type TypeRoutes } from '@shopfront/runtime';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cancelShipment, scheduleShipment } from '../domain/shipment.js';
import { SHIPMENT_STORE, type ShipmentStore } from './ports.js';

/** Carries out the orchestrator's shipping commands, each under the order's shipment lock, and answers on saga.replies. */
@Participant({ name: 'shipping.commands', topic: Topics.shippingCommands, lock: 'shipment', commands: { ScheduleShipment: 'schedule', CancelShipment: 'cancel' } })
export class ShippingCommandsConsumer implements MessageHandlerProvider {
  declare readonly on: TypeRoutes; // built by @Participant

  constructor(@Inject(SHIPMENT_STORE) private readonly shipments: ShipmentStore, @Inject(LOGGER) private readonly logger: Logger) {}

  async schedule(message: MessageOf<'ScheduleShipment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
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

  async cancel(message: MessageOf<'CancelShipment'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const existing = await this.shipments.findShipmentForUpdate(tx, message.data.orderId);
    await this.shipments.saveShipment(tx, cancelShipment(existing, message.data.orderId, randomUUID()));
    return createMessage('ShipmentCancelled', { orderId: message.data.orderId }, causation);
  }
}
