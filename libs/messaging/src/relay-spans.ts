import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { OutboxRow } from './committed.js';
import { contextFromHeaders, messagingTracer, orderIdOf, traceHeaders } from './trace-context.js';

/**
 * One PRODUCER span per row, child of the span that enqueued it (its context
 * is in the row's headers); the message carries this span's context on (ADR 0014).
 */
export function publishSpan(row: OutboxRow, topic: string): { span: Span; headers: Record<string, string> } {
  const parent = contextFromHeaders(row.headers);
  const orderId = orderIdOf(row.payload as { data?: unknown });
  const span = messagingTracer().startSpan(
    `${row.topic} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': topic,
        'messaging.message.id': row.message_id,
        'messaging.kafka.message.key': row.message_key,
        'shopfront.message.type': row.message_type,
        ...(orderId ? { 'order.id': orderId, 'saga.id': orderId } : {}),
      },
    },
    parent,
  );
  return { span, headers: { ...row.headers, ...traceHeaders(trace.setSpan(parent, span)) } };
}

export function endFailed(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
  span.end();
}
