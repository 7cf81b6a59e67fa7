import { z } from 'zod';
import { countryCodes } from './countries.js';
import { TokenizedCard } from './cards.js';
import { maxQuantity, storableText } from './text.js';

/** The Luhn checksum every real card number passes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * A line and an address as a caller may send them: only what the stores can hold (bounded
 * quantities, text without NUL or lone surrogates), refused here with the field named (ADR 0017).
 * Messages keep their published, wider shapes (money.ts).
 */
const OrderLineRequest = z.strictObject({
  sku: storableText(1, 64),
  quantity: z.number().int().min(1).max(maxQuantity),
});
const ShippingAddressRequest = z.strictObject({
  name: storableText(1, 200),
  line1: storableText(1, 200),
  line2: storableText(0, 200).optional(),
  city: storableText(1, 100),
  postalCode: storableText(1, 20),
  country: z.string().refine((code) => countryCodes.has(code), 'unknown ISO 3166-1 alpha-2 country code'),
});

/** `POST /v1/orders` body, validated the same way at the gateway and in the order service. */
export const PlaceOrderRequest = z.strictObject({
  customerId: storableText(1, 100).pipe(z.string().trim().min(1)),
  items: z.array(OrderLineRequest).min(1, 'at least one line').max(100, 'at most 100 lines'),
  payment: z.strictObject({
    card: z
      .string()
      .regex(/^\d{12,19}$/, 'a card number is 12 to 19 digits')
      .refine(passesLuhn, 'card number fails the Luhn check'),
  }),
  shippingAddress: ShippingAddressRequest,
});
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequest>;

/** The card number as the public API takes it: the only place a number is accepted. */
export const CardNumber = PlaceOrderRequest.shape.payment.shape.card;

/**
 * `POST /orders` on the order service: the public request with the card
 * already exchanged for the payment service's token by the gateway.
 */
export const PlaceOrderCommand = PlaceOrderRequest.extend({ payment: TokenizedCard });
export type PlaceOrderCommand = z.infer<typeof PlaceOrderCommand>;

/** Idempotency-Key header: 1 to 255 printable ASCII characters. */
export const IdempotencyKey = z.string().regex(/^[\x20-\x7E]{1,255}$/, '1 to 255 printable ASCII characters');

export const OrderStatus = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']);
export type OrderStatus = z.infer<typeof OrderStatus>;
