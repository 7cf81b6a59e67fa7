import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { TracingError, tracingFromEnv } from './tracing.js';

describe('tracing settings from the environment', () => {
  it('given no exporter and no endpoint, when read, then tracing is off (nothing is loaded or patched)', () => {
    assert.equal(tracingFromEnv({ OTEL_SERVICE_NAME: 'order' }), undefined);
  });

  it('given an OTLP endpoint, when read, then spans go out over OTLP in batches under the service name', () => {
    const settings = tracingFromEnv({ OTEL_SERVICE_NAME: 'order', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    assert.equal(settings?.serviceName, 'order');
    assert.equal(settings?.spanProcessors.length, 1);
    assert.ok(settings?.spanProcessors[0] instanceof BatchSpanProcessor);
  });

  it('given OTEL_SDK_DISABLED=true, when an endpoint is set too, then tracing is off', () => {
    assert.equal(tracingFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), undefined);
  });

  it('given OTEL_TRACES_EXPORTER=none, when an endpoint is set too, then tracing is off', () => {
    assert.equal(tracingFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), undefined);
  });

  it('given the file exporter without a path, when read, then it is refused with the variable named', () => {
    assert.throws(() => tracingFromEnv({ OTEL_TRACES_EXPORTER: 'file' }), (error: unknown) => error instanceof TracingError && /OTEL_TRACES_FILE/.test(error.message));
  });

  it('given the file exporter with a path, when read, then one processor writes there', () => {
    const settings = tracingFromEnv({ OTEL_TRACES_EXPORTER: 'file', OTEL_TRACES_FILE: '/tmp/spans.jsonl', OTEL_SERVICE_NAME: 'payment' });
    assert.equal(settings?.spanProcessors.length, 1);
  });

  it('given instrumentations disabled by name, when read, then they are left out; an unknown name is refused', () => {
    const settings = tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'fastify, ioredis' });
    assert.deepEqual([...(settings?.disabledInstrumentations ?? [])], ['fastify', 'ioredis']);
    assert.throws(() => tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'kafkajs' }), /unknown kafkajs/);
  });

  it('given an exporter we do not ship, when read, then it is refused rather than silently ignored', () => {
    assert.throws(() => tracingFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' }), /expected otlp, file or none/);
  });
});
