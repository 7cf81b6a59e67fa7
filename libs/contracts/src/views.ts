import { z } from 'zod';
import { CancellationReason, Money, PricedLine } from './money.js';
import { OrderStatus } from './http.js';

/**
 * What the gateway's public API answers, as the web app reads it. The same
 * shapes the services produce; the browser validates them at its edge too.
 */
export const ProductView = z.object({ sku: z.string(), name: z.string(), price: Money, available: z.number().int() });
export type ProductView = z.infer<typeof ProductView>;

export const OrderView = z.object({
  orderId: z.string().uuid(),
  customerId: z.string(),
  status: OrderStatus,
  reason: CancellationReason.optional().nullable(),
  items: z.array(PricedLine),
  total: Money,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrderView = z.infer<typeof OrderView>;

export const TimelineEntry = z.object({
  at: z.string(),
  kind: z.string(),
  step: z.string().optional(),
  phase: z.string().optional(),
  detail: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/**
 * `GET /v1/orders/{orderId}/events` (server-sent events). `status` carries the
 * order's status (first the current one, then each change); `timeline` one
 * entry, its SSE id being its 1-based position in the order's timeline, which
 * is what `Last-Event-ID` resumes after.
 */
export const OrderStreamEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('status'), data: z.object({ status: OrderStatus, reason: CancellationReason.nullable() }) }),
  z.object({ event: z.literal('timeline'), id: z.number().int().positive(), data: TimelineEntry }),
]);
export type OrderStreamEvent = z.infer<typeof OrderStreamEvent>;

export const terminalStatuses: ReadonlySet<OrderStatus> = new Set(['CONFIRMED', 'CANCELLED']);
