/** What the payment service's vault answers for the contract's approved test card, for tests that skip the gateway. */
export const aTokenizedCard = (last4 = '4242') => ({ token: `tok_test_card_${last4}_0000000000`, last4, brand: 'visa' as const });

/** The contract's example order (PLATFORM.md), with overrides: what every test and drill places. */
export function anOrder(overrides: { card?: string; country?: string; sku?: string; quantity?: number; customerId?: string } = {}) {
  return {
    customerId: overrides.customerId ?? 'cust-1',
    items: [{ sku: overrides.sku ?? 'SKU-001', quantity: overrides.quantity ?? 2 }],
    payment: { card: overrides.card ?? '4242424242424242' },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: overrides.country ?? 'DE' },
  };
}
