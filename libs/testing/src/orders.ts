import { developmentCardPublicKey } from '@shopfront/config';
import { cardPublicKey, sealCard, type MessageData, type TokenizedCard } from '@shopfront/contracts';

/** A card as the gateway forwards it (sealed to the development key), for tests that skip the gateway. */
export const aTokenizedCard = (card = '4242424242424242'): TokenizedCard => sealCard(cardPublicKey(developmentCardPublicKey), card);

/** The contract's example order (PLATFORM.md), with overrides: what every test and drill places. */
export function anOrder(overrides: { card?: string; country?: string; sku?: string; quantity?: number; customerId?: string } = {}) {
  return {
    customerId: overrides.customerId ?? 'cust-1',
    items: [{ sku: overrides.sku ?? 'SKU-001', quantity: overrides.quantity ?? 2 }],
    payment: { card: overrides.card ?? '4242424242424242' },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: overrides.country ?? 'DE' },
  };
}

/** The contract's example order as the order service announces it (OrderPlaced's data), for tests that stand in for it. */
export function anOrderPlaced(orderId: string, clientId = 'dev-key-1'): MessageData<'OrderPlaced'> {
  const { customerId, shippingAddress } = anOrder();
  return {
    orderId,
    clientId,
    customerId,
    items: [{ sku: 'SKU-001', quantity: 2, unitPrice: { amount: 2249, currency: 'EUR' } }],
    total: { amount: 4498, currency: 'EUR' },
    payment: aTokenizedCard(),
    shippingAddress,
  };
}
