import { z } from 'zod';
import { cardBrand, TokenizedCard } from './cards.js';
import { Money, PricedLine, ShippingAddress } from './money.js';

const orderId = z.string().uuid();
const card = z.string().regex(/^\d{12,19}$/);

/**
 * OrderPlaced v1, the first release: one currency for the order, a flat `price` per line, no client.
 * Kept because stored events and messages still in flight may be at v1.
 */
export const OrderPlacedV1 = z.object({
  orderId,
  customerId: z.string().min(1),
  lines: z.array(z.object({ sku: z.string().min(1).max(64), qty: z.number().int().min(1), price: z.number().int().nonnegative() })).min(1).max(100),
  currency: z.string().regex(/^[A-Z]{3}$/),
  card,
  address: ShippingAddress,
})
  // v2 carries the total as Money; a v1 order too large for any total cannot be read, and says so here.
  .refine((v1) => Number.isSafeInteger(v1.lines.reduce((sum, line) => sum + line.qty * line.price, 0)), { path: ['lines'], message: 'the order total exceeds the largest safe integer' });
export type OrderPlacedV1 = z.infer<typeof OrderPlacedV1>;

/** v2: Money on every line, the total, and the API client that placed the order. */
export const OrderPlacedV2 = z.object({
  orderId,
  clientId: z.string().min(1),
  customerId: z.string().min(1),
  items: z.array(PricedLine).min(1).max(100),
  total: Money,
  // Simulated provider: a real platform would carry a provider token here.
  payment: z.object({ card }),
  shippingAddress: ShippingAddress,
});

/** A v1 message never named its client: the event store knows it from metadata, the wire does not. */
export const unknownClient = 'unknown';

export function upcastOrderPlacedV1(v1: OrderPlacedV1, clientId: string = unknownClient): z.input<typeof OrderPlacedV2> {
  const items = v1.lines.map((line) => ({ sku: line.sku, quantity: line.qty, unitPrice: { amount: line.price, currency: v1.currency } }));
  return {
    orderId: v1.orderId,
    clientId,
    customerId: v1.customerId,
    items,
    total: { amount: items.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0), currency: v1.currency },
    payment: { card: v1.card },
    shippingAddress: v1.address,
  };
}

/** v3: the payment is a token sealed at the edge, its brand and last four, never the number (ADR 0017). */
export const OrderPlacedV3 = OrderPlacedV2.extend({ payment: TokenizedCard });

/**
 * What a card number from before v3 becomes: a token that names no vault entry, with the brand
 * and last four. A v2 order's payment was authorized long ago (or never will be again), so a
 * replayed saga can only be declined, never charge a number read back from a message or an event.
 * The orchestrator's and the order service's migrations 002 scrub stored numbers to the same shape.
 */
export const retiredCardToken = 'tok_retired_before_vault_0000';

export const retiredCard = (card: string): TokenizedCard => ({ token: retiredCardToken, last4: card.slice(-4), brand: cardBrand(card) });

export function upcastOrderPlacedV2(v2: z.output<typeof OrderPlacedV2>): z.input<typeof OrderPlacedV3> {
  const { payment, ...rest } = v2;
  return { ...rest, payment: retiredCard(payment.card) };
}
