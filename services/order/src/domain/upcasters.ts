import { cardBrand } from '@shopfront/contracts';
import type { Upcaster } from '@shopfront/event-store';

/**
 * OrderPlaced v1 (the first release) kept one currency for the order, a flat
 * `price` per line and no client: v2 carries Money on every line, the total,
 * and the API client that placed it (from the event's metadata, where v1
 * already recorded it).
 */
interface OrderPlacedV1 {
  orderId: string;
  customerId: string;
  lines: { sku: string; qty: number; price: number }[];
  currency: string;
  card: string;
  address: { name: string; line1: string; city: string; postalCode: string; country: string };
}

/** OrderPlaced v2 carried the card number; v3 carries the vault's token, brand and last four (ADR 0015). */
interface OrderPlacedV2 {
  payment: { card: string };
  [field: string]: unknown;
}

/**
 * A v2 event's payment was authorized long ago (or never will be again): it
 * keeps the brand and last four, and a token that names no vault entry, so a
 * replayed saga could only be declined, never charge a number read back from
 * an event. The number itself is dropped on read; migration 002 of the order
 * service scrubs it from the stored rows too.
 */
export const retiredCardToken = 'tok_retired_before_vault_0000';

export const orderUpcasters: Upcaster[] = [
  {
    type: 'OrderPlaced',
    fromVersion: 1,
    upcast: (data, metadata) => {
      const v1 = data as OrderPlacedV1;
      const items = v1.lines.map((line) => ({ sku: line.sku, quantity: line.qty, unitPrice: { amount: line.price, currency: v1.currency } }));
      return {
        orderId: v1.orderId,
        clientId: typeof metadata.clientId === 'string' ? metadata.clientId : 'unknown',
        customerId: v1.customerId,
        items,
        total: { amount: items.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0), currency: v1.currency },
        payment: { card: v1.card },
        shippingAddress: v1.address,
      };
    },
  },
  {
    type: 'OrderPlaced',
    fromVersion: 2,
    upcast: (data) => {
      const { payment, ...rest } = data as OrderPlacedV2;
      return { ...rest, payment: { token: retiredCardToken, last4: payment.card.slice(-4), brand: cardBrand(payment.card) } };
    },
  },
];
