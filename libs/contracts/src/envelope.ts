import { z } from 'zod';

/**
 * What travels on the wire. `type` is a string literal, never a class name;
 * `schemaVersion` names the data's shape: `parseMessage` upcasts an older one
 * at the consumer's edge (ADR 0015), so handlers see only the current shape.
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
