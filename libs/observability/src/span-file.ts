import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { appendFile, readFile } from 'node:fs/promises';

/** One finished span as a line of JSON: what a test needs to rebuild traces from several processes. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: keyof typeof SpanKind;
  service: string;
  /** The instrumentation that made it, e.g. `@opentelemetry/instrumentation-pg`. */
  scope: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  status: 'UNSET' | 'OK' | 'ERROR';
  attributes: Record<string, unknown>;
}

const millis = ([seconds, nanos]: HrTime): number => seconds * 1_000 + nanos / 1_000_000;

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: SpanKind[span.kind] as keyof typeof SpanKind,
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    scope: span.instrumentationScope.name,
    start: millis(span.startTime),
    end: millis(span.endTime),
    status: SpanStatusCode[span.status.code] as SpanRecord['status'],
    attributes: { ...span.attributes },
  };
}

/**
 * Appends spans as JSON lines to one file. Each batch is one append (O_APPEND),
 * so the six processes of a test platform can share the file without mixing lines.
 */
export class JsonLinesSpanExporter implements SpanExporter {
  constructor(private readonly path: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const lines = spans.map((span) => `${JSON.stringify(toSpanRecord(span))}\n`).join('');
    appendFile(this.path, lines).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async shutdown(): Promise<void> {}
}

/** Reads what `JsonLinesSpanExporter` wrote; a missing file is no spans yet. */
export async function readSpanFile(path: string): Promise<SpanRecord[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SpanRecord);
}
