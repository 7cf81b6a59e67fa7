import { CancellationReason, IdempotencyKey, Money, OrderStatus, PlaceOrderRequest, storableText } from '@shopfront/contracts';
import { z } from 'zod';
import { faultTargets, upstreamNames } from '../../domain/upstreams.js';

/**
 * The public API's shapes: controllers validate with them and the OpenAPI
 * document is generated from them, so the two cannot drift apart.
 */
export { IdempotencyKey, Money, PlaceOrderRequest };

export const OrderId = z.uuid().describe('The order id the gateway answered with 202');

export const OrderAccepted = z.object({ orderId: z.uuid(), status: z.literal('PENDING') });

export const OrderView = z.object({
  orderId: z.uuid(),
  customerId: z.string(),
  status: OrderStatus,
  reason: CancellationReason.optional().describe('Only when CANCELLED'),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().min(1), unitPrice: Money })),
  total: Money,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const ListOrdersQuery = z.strictObject({
  customerId: storableText(1, 100).optional(),
  status: OrderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,512}$/, 'a cursor this API issued').optional(),
});

export const OrderPage = z.object({ items: z.array(OrderView), nextCursor: z.string().nullable() });

export const Timeline = z.object({
  items: z.array(z.looseObject({ at: z.iso.datetime().optional() }).describe('A saga step or order event, oldest first, each with its timestamp')),
});

export const Product = z.object({ sku: z.string(), name: z.string(), price: Money, available: z.number().int() });
export const ProductList = z.object({ items: z.array(Product) });

export const Sku = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '1 to 64 letters, digits, dots, dashes or underscores');
export const SetStock = z.strictObject({ onHand: z.number().int().min(0).max(1_000_000_000) });
export const InventoryItem = z.object({ sku: z.string(), onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() });
export const InventoryList = z.object({ items: z.array(InventoryItem) });

export const ByOrderQuery = z.strictObject({ orderId: z.uuid().optional() });
export const PaymentRecord = z.object({
  orderId: z.uuid(),
  status: z.string(),
  authorizedAmount: z.number().int(),
  capturedAmount: z.number().int(),
  refundedAmount: z.number().int(),
});
export const PaymentList = z.object({ items: z.array(PaymentRecord) });
export const ShipmentList = z.object({ items: z.array(z.object({ orderId: z.uuid(), status: z.string() })) });

const Slots = z.object({ limit: z.number().int(), used: z.number().int() });
export const ResilienceList = z.object({
  items: z.array(
    z.object({
      upstream: z.enum(upstreamNames),
      circuit: z.object({ state: z.enum(['closed', 'open', 'half-open', 'isolated']), retryAfterS: z.number().int().optional() }),
      bulkhead: z.object({ executionSlots: Slots, queueSlots: Slots }),
    }),
  ),
  rateLimit: z.object({ allowed: z.number().int(), limited: z.number().int() }),
  admission: z.object({
    concurrent: z.number().int(),
    ordersInFlight: z.number().int().nullable().describe('null while the replica cannot tell (its broker feed is down)'),
    ordersInFlightBound: z.number().int(),
    refused: z.object({ checkout: z.number().int(), browse: z.number().int(), status: z.number().int() }),
  }).describe("This replica's admission control (ADR 0020); refusals counted since it started"),
});

export const FaultService = z.enum(faultTargets);
export const FaultSettings = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  errorRate: z.number().min(0).max(1).default(0),
});

export const Problem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('Field errors of a 400'),
});
