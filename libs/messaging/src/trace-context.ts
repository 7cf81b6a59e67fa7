import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';

/**
 * W3C trace context carried by hand across the outbox and Kafka (ADR 0014).
 * Only @opentelemetry/api here: without a registered SDK every call is a no-op,
 * so messaging works, and costs nothing, in a process that does not trace.
 */
export const messagingTracer = () => trace.getTracer('@shopfront/messaging');

/** Kafka header values arrive as Buffers (or arrays of them); the propagator wants strings. */
const headerGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/** The trace context of `ctx` (the active one by default) as headers: traceparent, tracestate. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context a message's headers carry, or the root context when they carry none (never the caller's). */
export const contextFromHeaders = (headers: Record<string, unknown> | undefined): Context =>
  propagation.extract(ROOT_CONTEXT, headers ?? {}, headerGetter);

/** The order (and so the saga) a message belongs to, for span attributes; messages keyed otherwise have none. */
export function orderIdOf(message: { data?: unknown }): string | undefined {
  const orderId = (message.data as { orderId?: unknown } | undefined)?.orderId;
  return typeof orderId === 'string' ? orderId : undefined;
}
