/**
 * The contract's invariants, checked from outside through the gateway's admin
 * routes: what an auditor could verify without reading any code.
 */
import { keys, type GatewayClient, type OrderView } from './client.js';

export interface InvariantResult {
  invariant: string;
  holds: boolean;
  detail: string;
}

interface StockRow { sku: string; onHand: number; reserved: number; available: number }
interface PaymentRow { orderId: string; status: string; capturedAmount: number; refundedAmount: number }
interface ShipmentRow { orderId: string; status: string }

/** Waits until every order is terminal (invariant 1), then checks 2–4 for them. */
export async function checkInvariants(gateway: GatewayClient, orderIds: string[], options: { settleMs?: number; key?: string } = {}): Promise<InvariantResult[]> {
  const settleMs = options.settleMs ?? 30_000;
  const deadline = Date.now() + settleMs;
  const orders = new Map<string, OrderView>();
  while (Date.now() < deadline && orders.size < orderIds.length) {
    await Promise.all(
      orderIds.filter((id) => !orders.has(id)).map(async (id) => {
        const answer = await gateway.order(id, options.key).catch(() => undefined);
        if (answer?.status === 200 && answer.body.status !== 'PENDING') orders.set(id, answer.body);
      }),
    );
    if (orders.size < orderIds.length) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const stuck = orderIds.filter((id) => !orders.has(id));
  const results: InvariantResult[] = [
    { invariant: '1 every accepted order is terminal', holds: stuck.length === 0, detail: stuck.length ? `${stuck.length} not terminal after ${settleMs} ms: ${stuck.slice(0, 3).join(', ')}` : `${orderIds.length} orders terminal` },
  ];

  const stock = await gateway.call<{ items: StockRow[] }>('GET', '/v1/admin/inventory', { key: keys.admin });
  const oversold = stock.status === 200 ? stock.body.items.filter((row) => row.available < 0 || row.reserved > row.onHand || row.reserved < 0) : [];
  const stockDetail = stock.status !== 200 ? `stock answered ${stock.status}` : oversold.length ? JSON.stringify(oversold.slice(0, 3)) : `${stock.body.items.length} SKUs consistent`;
  results.push({ invariant: '2 no oversell', holds: stock.status === 200 && oversold.length === 0, detail: stockDetail });

  const moneyProblems: string[] = [];
  const shipmentProblems: string[] = [];
  for (const order of orders.values()) {
    const [payments, shipments] = await Promise.all([
      gateway.call<{ items: PaymentRow[] }>('GET', `/v1/admin/payments?orderId=${order.orderId}`, { key: keys.admin }),
      gateway.call<{ items: ShipmentRow[] }>('GET', `/v1/admin/shipments?orderId=${order.orderId}`, { key: keys.admin }),
    ]);
    // An admin route that does not answer is a finding, not a crash of the checker.
    if (payments.status !== 200 || shipments.status !== 200) {
      moneyProblems.push(`${order.orderId}: payments answered ${payments.status}, shipments ${shipments.status}`);
      continue;
    }
    const net = payments.body.items.reduce((sum, payment) => sum + payment.capturedAmount - payment.refundedAmount, 0);
    const expected = order.status === 'CONFIRMED' ? order.total.amount : 0;
    if (payments.body.items.length > 1) moneyProblems.push(`${order.orderId}: ${payments.body.items.length} payments`);
    if (net !== expected) moneyProblems.push(`${order.orderId} ${order.status}: net ${net}, expected ${expected}`);
    const active = shipments.body.items.filter((shipment) => shipment.status !== 'CANCELLED').length;
    if (active !== (order.status === 'CONFIRMED' ? 1 : 0)) shipmentProblems.push(`${order.orderId} ${order.status}: ${active} active shipments`);
  }
  results.push({ invariant: '3 money: captured − refunded matches, never charged twice', holds: moneyProblems.length === 0, detail: moneyProblems.slice(0, 3).join('; ') || `${orders.size} orders balanced` });
  results.push({ invariant: '4 one active shipment per confirmed order, none per cancelled', holds: shipmentProblems.length === 0, detail: shipmentProblems.slice(0, 3).join('; ') || `${orders.size} orders consistent` });
  return results;
}
