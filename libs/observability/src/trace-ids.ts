import { isSpanContextValid, trace } from '@opentelemetry/api';

/** The active span's ids as log fields; none where nothing traces. Only the API: cheap, SDK or not. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * Exports what is buffered, for a clean shutdown. Reaches the SDK through the
 * global provider, so callers need not load it (a no-op where none is registered).
 */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}
