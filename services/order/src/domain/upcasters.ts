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
];
