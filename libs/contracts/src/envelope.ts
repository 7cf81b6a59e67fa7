import { z } from 'zod';

/**
 * What travels on the wire. `type` is a string literal, never a class name;
 * `schemaVersion` lets consumers upcast old shapes.
 */
export const EnvelopeHeader = z.object({
  messageId: z.string().uuid(),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  occurredAt: z.string().datetime({ offset: true }),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
});
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

export interface Envelope<TType extends string = string, TData = unknown> extends EnvelopeHeader {
  type: TType;
  data: TData;
}
