/**
 * Kafka topics, by base name. Every message on a topic is keyed by orderId
 * (or sku for stock views) so that one order's messages stay in order.
 * Deployments and tests may prefix them (KAFKA_TOPIC_PREFIX); see @shopfront/messaging.
 */
export const Topics = {
  /** Order service's domain events (choreography: read models, stock, saga start). */
  orderEvents: 'order.events',
  /** Orchestrator → order service: confirm or cancel. */
  orderCommands: 'order.commands',
  inventoryCommands: 'inventory.commands',
  paymentCommands: 'payment.commands',
  shippingCommands: 'shipping.commands',
  /** Participants → orchestrator: the outcome of each command. */
  sagaReplies: 'saga.replies',
  /** Orchestrator's record of each step, feeding the order timeline. */
  sagaEvents: 'saga.events',
  /** Inventory's stock and price changes: the catalog view elsewhere. */
  inventoryEvents: 'inventory.events',
} as const;
export type Topic = (typeof Topics)[keyof typeof Topics];

export const allTopics: readonly Topic[] = Object.values(Topics);

/** Where a consumer parks what it could not process after bounded retries. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
