import { z } from 'zod';

export const SagaListQuery = z.object({
  status: z.enum(['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED']).optional(),
  reason: z.string().max(40).optional(),
  olderThanS: z.coerce.number().int().min(0).optional(),
  stuckForS: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const SagaAction = z.enum(['retry', 'compensate', 'cancel']).describe('retry the step waiting for a reply, force compensation, or cancel the order');

export const DeadLetterQuery = z.object({
  topic: z.string().max(200).optional(),
  type: z.string().max(100).optional(),
  error: z.string().max(200).optional(),
  orderId: z.uuid().optional(),
  redriven: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});

export const RedriveRequest = z.strictObject({
  ids: z.array(z.string().min(1).max(300)).min(1).max(1000).optional(),
  filter: DeadLetterQuery.omit({ redriven: true }).strict().optional(),
  dryRun: z.boolean().default(false),
}).refine((body) => (body.ids === undefined) !== (body.filter === undefined), 'give either ids or filter, not both');

export const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), target: z.string().max(300).optional() });
