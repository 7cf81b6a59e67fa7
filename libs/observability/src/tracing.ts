import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { JsonLinesSpanExporter } from './span-file.js';

export type TracesExporter = 'otlp' | 'file' | 'none';

export interface TracingSettings {
  serviceName: string;
  spanProcessors: SpanProcessor[];
  /** Defaults to `defaultInstrumentations()`; tests of the messaging hop pass none. */
  instrumentations?: Instrumentation[];
  /** Left out of the defaults. Names, not instances: an instrumentation patches as soon as it is built. */
  disabledInstrumentations?: ReadonlySet<string>;
}

export type TracingErrorCode = 'INVALID_TRACING_ENV';

export class TracingError extends Error {
  override readonly name = 'TracingError';
  constructor(
    readonly code: TracingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// Probes and scrapes would be most of the spans and say nothing.
const quietPath = /^\/(health|metrics)(\/|\?|$)/;

/**
 * What we trace automatically: HTTP in and out (node:http, undici and fetch),
 * Fastify's routes, Postgres and Redis. Client spans need a parent, so polls,
 * probes and background loops make no root traces of their own. Kafka is
 * traced by hand in @shopfront/messaging (ADR 0014), never by patching kafkajs.
 */
export function defaultInstrumentations(disabled: ReadonlySet<string> = new Set()): Instrumentation[] {
  const all: Record<InstrumentationName, () => Instrumentation> = {
    http: () =>
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => quietPath.test(request.url ?? ''),
        requireParentforOutgoingSpans: true,
      }),
    undici: () => new UndiciInstrumentation({ requireParentforSpans: true }),
    fastify: () =>
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: ({ url }: { url: string }) => quietPath.test(url),
      }) as unknown as Instrumentation,
    // A transaction's pool checkout says little that its queries do not.
    pg: () => new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ioredis: () => new IORedisInstrumentation({ requireParentSpan: true }),
  };
  return instrumentationNames.filter((name) => !disabled.has(name)).map((name) => all[name]());
}

export const instrumentationNames = ['http', 'undici', 'fastify', 'pg', 'ioredis'] as const;
export type InstrumentationName = (typeof instrumentationNames)[number];

/**
 * Reads the standard variables: OTEL_SDK_DISABLED, OTEL_SERVICE_NAME,
 * OTEL_TRACES_EXPORTER (`otlp`, `file`, `none`) and OTEL_EXPORTER_OTLP_ENDPOINT;
 * plus OTEL_TRACES_FILE, where `file` appends JSON lines, and
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS (e.g. `fastify,ioredis`). Off unless an
 * endpoint or an exporter is named: then nothing is loaded or patched at all.
 */
export function tracingFromEnv(env: Record<string, string | undefined>): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED === 'true') return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporter = (env.OTEL_TRACES_EXPORTER?.trim() || (endpoint ? 'otlp' : 'none')) as TracesExporter;
  const serviceName = env.OTEL_SERVICE_NAME ?? 'unknown_service:node';
  const disabled = new Set((env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '').split(',').map((name) => name.trim()).filter(Boolean));
  const unknown = [...disabled].filter((name) => !(instrumentationNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new TracingError('INVALID_TRACING_ENV', `OTEL_NODE_DISABLED_INSTRUMENTATIONS: unknown ${unknown.join(', ')} (known: ${instrumentationNames.join(', ')})`);
  }
  switch (exporter) {
    case 'none':
      return undefined;
    case 'otlp':
      // The exporter reads the endpoint, headers and timeout variables itself.
      return { serviceName, disabledInstrumentations: disabled, spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })] };
    case 'file': {
      if (!env.OTEL_TRACES_FILE) throw new TracingError('INVALID_TRACING_ENV', 'OTEL_TRACES_EXPORTER=file needs OTEL_TRACES_FILE');
      // Short delay: a test reads the file while the platform runs.
      return {
        serviceName,
        disabledInstrumentations: disabled,
        spanProcessors: [new BatchSpanProcessor({ exporter: new JsonLinesSpanExporter(env.OTEL_TRACES_FILE), scheduledDelayMillis: 200 })],
      };
    }
    default:
      throw new TracingError('INVALID_TRACING_ENV', `OTEL_TRACES_EXPORTER=${String(exporter)}: expected otlp, file or none`);
  }
}

/** Registers the SDK globally: tracer provider, AsyncLocalStorage context, W3C trace-context propagator. */
export function startTracing(settings: TracingSettings): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    spanProcessors: settings.spanProcessors,
    instrumentations: settings.instrumentations ?? defaultInstrumentations(settings.disabledInstrumentations),
    // Metrics stay with prom-client (/metrics); logs stay pino's on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return sdk;
}
