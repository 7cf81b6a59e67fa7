import { z } from 'zod';

/*
 * The shapes messages carry, as published (ADR 0015): every version of a message stays readable,
 * so they are never narrowed in place. What a caller may send is bounded at the edge instead
 * (http.ts: quantities, totals and text the stores can hold, ADR 0017), so the platform never
 * produces a message outside those bounds.
 */

/** Money is an integer in minor units with an ISO 4217 currency: never a float. */
export const Money = z.object({
  amount: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
export type Money = z.infer<typeof Money>;

export const OrderLine = z.object({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().min(1),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const PricedLine = OrderLine.extend({ unitPrice: Money });
export type PricedLine = z.infer<typeof PricedLine>;

export const ShippingAddress = z.object({
  name: z.string().min(1).max(200),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  postalCode: z.string().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/),
});
export type ShippingAddress = z.infer<typeof ShippingAddress>;

/** Why an order ended CANCELLED; pinned by the platform contract. */
export const CancellationReason = z.enum([
  'OUT_OF_STOCK',
  'PAYMENT_DECLINED',
  'INSUFFICIENT_FUNDS',
  'SHIPPING_UNAVAILABLE',
  'CUSTOMER_CANCELLED',
  'TIMEOUT',
]);
export type CancellationReason = z.infer<typeof CancellationReason>;
