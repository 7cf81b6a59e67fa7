/** The order stream that chaos drills and fault tests place while a fault is on. */
import { anOrder } from '@shopfront/testing';
import type { GatewayClient } from './client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cards = ['4242424242424242', '4000000000000002', '4000000000009995', '5555555555554444'];

/** A varied stream of orders: good and declined cards, an unserved country now and then. */
export async function placeOrders(gateway: GatewayClient, count: number, spacingMs = 20): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await gateway
      .placeOrder(anOrder({ card: cards[i % cards.length], country: i % 7 === 6 ? 'AQ' : 'DE', sku: `SKU-00${(i % 9) + 1}`, quantity: 1 }))
      .catch(() => undefined);
    if (answer?.status === 202) ids.push(answer.body.orderId);
    await sleep(spacingMs);
  }
  return ids;
}

