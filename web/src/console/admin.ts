import { z } from 'zod';
import { api } from '../shared/api.js';

export const keyStorage = 'shopfront.adminKey';
/** The console's calls: always the admin key typed in this tab. */
export const adminApi = <T extends z.ZodType>(path: string, schema: T, init: { method?: 'GET' | 'POST' | 'PUT'; body?: unknown } = {}) =>
  api(path, { key: sessionStorage.getItem(keyStorage) ?? '', schema, ...init }).then((answer) => answer.body);

export const SagaRow = z.looseObject({ orderId: z.string(), status: z.string(), reason: z.string().nullable(), step: z.string().nullable(), attempt: z.number(), startedAt: z.string(), updatedAt: z.string() });
export const SagaDetail = SagaRow.extend({
  log: z.array(z.object({ input: z.string(), messageId: z.string().nullable(), traceId: z.string().nullable().default(null), event: z.string(), detail: z.unknown(), status: z.string(), phase: z.string(), version: z.number(), at: z.string() })),
});
export const DeadLetter = z.object({
  id: z.string(), topic: z.string(), sourceTopic: z.string(), consumer: z.string(), attempts: z.number(), error: z.string(), at: z.string(),
  messageId: z.string().nullable(), type: z.string().nullable(), orderId: z.string().nullable(), message: z.string(), redrivenAt: z.string().nullable(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
export const DeadLetters = z.object({ topics: z.array(z.object({ topic: z.string(), pending: z.number(), total: z.number() })), items: z.array(DeadLetter) });
export const Resilience = z.object({
  items: z.array(z.object({
    upstream: z.string(),
    circuit: z.object({ state: z.string(), retryAfterS: z.number().optional() }),
    bulkhead: z.object({ executionSlots: z.object({ used: z.number(), limit: z.number() }), queueSlots: z.object({ used: z.number(), limit: z.number() }) }),
  })),
  rateLimit: z.object({ allowed: z.number(), limited: z.number() }),
  admission: z.object({
    concurrent: z.number(),
    ordersInFlight: z.number().nullable(),
    ordersInFlightBound: z.number(),
    refused: z.object({ checkout: z.number(), browse: z.number(), status: z.number() }),
  }).optional(),
});
export const MetricsSnapshot = z.object({
  at: z.string(),
  items: z.array(z.object({ service: z.string(), up: z.boolean(), samples: z.array(z.object({ name: z.string(), labels: z.record(z.string(), z.string()), value: z.number() })) })),
});
export type MetricsSnapshot = z.infer<typeof MetricsSnapshot>;
export const Audit = z.object({ items: z.array(z.object({ id: z.number(), at: z.string(), actor: z.string(), action: z.string(), target: z.string(), dryRun: z.boolean(), outcome: z.string() })) });
