/** Builders for the state machine's unit tests: an order, replies, and a saga driven input by input. */
import type { MessageData } from '@shopfront/contracts';
import { decide, type Decision, type ReplyInput, type SagaInput, type StepRecord } from '../domain/decide.js';
import type { DeadlinePolicy } from '../domain/deadlines.js';
import type { ReplyType, Saga, SagaCommand } from '../domain/saga.js';

export const orderId = '0b6f3f7e-3c2a-4d7e-9a55-1f2e3d4c5b6a';
export const policy: DeadlinePolicy = { stepTimeoutMs: 1_000, maxAttempts: 3, backoffCapMs: 8_000 };
export const startedAt = new Date('2030-01-01T00:00:00.000Z');

export const order: MessageData<'OrderPlaced'> = {
  orderId,
  clientId: 'dev-key-1',
  customerId: 'cust-1',
  items: [
    { sku: 'SKU-001', quantity: 2, unitPrice: { amount: 1999, currency: 'EUR' } },
    { sku: 'SKU-002', quantity: 1, unitPrice: { amount: 500, currency: 'EUR' } },
  ],
  total: { amount: 4498, currency: 'EUR' },
  payment: { token: 'tok_test_card_4242_0000000000', last4: '4242', brand: 'visa' },
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
};

const replyData: { [T in ReplyType]: Omit<MessageData<T>, 'orderId'> } = {
  StockReserved: {},
  StockReservationFailed: { reason: 'OUT_OF_STOCK', detail: 'SKU-001: 0 available' },
  StockReleased: {},
  PaymentAuthorized: { amount: order.total },
  PaymentDeclined: { reason: 'PAYMENT_DECLINED' },
  PaymentCaptured: { amount: order.total },
  PaymentVoided: {},
  PaymentRefunded: { amount: order.total },
  ShipmentScheduled: { shipmentId: '7d1c6a2e-5b4f-4e3d-8c2b-1a0f9e8d7c6b' },
  ShipmentFailed: { reason: 'SHIPPING_UNAVAILABLE' },
  ShipmentCancelled: {},
};
export const allReplyTypes = Object.keys(replyData) as ReplyType[];

export const reply = <T extends ReplyType>(type: T, data: Partial<MessageData<T>> = {}): ReplyInput =>
  ({ type, data: { orderId, ...replyData[type], ...data } }) as ReplyInput;

export const cancellation: SagaInput = { type: 'OrderCancellationRequested', data: { orderId } };
export const deadlineExpired: SagaInput = { type: 'DeadlineExpired' };

/** One saga fed input by input, with its own clock; remembers everything it sent and recorded. */
export class SagaRun {
  state: Saga | undefined;
  now = startedAt;
  random = 0.5;
  readonly sent: SagaCommand[] = [];
  readonly records: StepRecord[] = [];
  last: Decision | undefined;

  feed(...inputs: SagaInput[]): this {
    for (const input of inputs) {
      this.last = decide(input, this.state, { now: this.now, random: this.random, policy });
      this.state = this.last.state;
      this.sent.push(...this.last.commands);
      this.records.push(...this.last.records);
    }
    return this;
  }

  /** Moves the clock just past the current deadline and lets it expire. */
  expire(times = 1): this {
    for (let i = 0; i < times; i++) {
      this.now = new Date((this.state?.deadlineAt ?? this.now).getTime() + 1);
      this.feed(deadlineExpired);
    }
    return this;
  }

  /** Command types sent so far; `since` skips the first ones. */
  sentTypes(since = 0): string[] {
    return this.sent.slice(since).map((command) => command.type);
  }

  timeline(): string[] {
    return this.records.map((record) => `${record.step} ${record.phase}`);
  }
}

export const placed = (): SagaRun => new SagaRun().feed({ type: 'OrderPlaced', data: order });

/** The replies that take a saga through every step, in order. */
export const successes: ReplyInput[] = [reply('StockReserved'), reply('PaymentAuthorized'), reply('ShipmentScheduled'), reply('PaymentCaptured')];
