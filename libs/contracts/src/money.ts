import { z } from 'zod';
import { maxAmount, maxQuantity, storableText } from './text.js';

/** Money is an integer in minor units with an ISO 4217 currency: never a float. */
export const Money = z.object({
  amount: z.number().int().nonnegative().max(maxAmount),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
export type Money = z.infer<typeof Money>;

export const OrderLine = z.object({
  sku: storableText(1, 64),
  quantity: z.number().int().min(1).max(maxQuantity),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const PricedLine = OrderLine.extend({ unitPrice: Money });
export type PricedLine = z.infer<typeof PricedLine>;

export const ShippingAddress = z.object({
  name: storableText(1, 200),
  line1: storableText(1, 200),
  line2: storableText(0, 200).optional(),
  city: storableText(1, 100),
  postalCode: storableText(1, 20),
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
