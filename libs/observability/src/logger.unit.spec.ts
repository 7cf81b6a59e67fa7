import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { createLogger } from './logger.js';
import { startTracing } from './tracing.js';

// The real set-up a service gets (AsyncLocalStorage context), without instrumentations.
const sdk = startTracing({ serviceName: 'order', spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })], instrumentations: [] });
after(() => sdk.shutdown());

const lines: Record<string, unknown>[] = [];
const logger = createLogger(
  'order',
  'info',
  new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);
const tracer = trace.getTracer('test');

describe('log lines and traces', () => {
  it('given an active span, when logging (across an await), then the line carries its trace and span ids', async () => {
    const span = tracer.startSpan('place order');
    await context.with(trace.setSpan(context.active(), span), async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info({ orderId: 'o-1' }, 'order placed');
    });
    span.end();
    const line = lines.find((entry) => entry.msg === 'order placed')!;
    assert.equal(line.trace_id, span.spanContext().traceId);
    assert.equal(line.span_id, span.spanContext().spanId);
    assert.equal(line.service, 'order');
    assert.equal(line.level, 'info');
  });

  it('given no active span, when logging, then the line has no trace fields', () => {
    logger.info('idle');
    const line = lines.find((entry) => entry.msg === 'idle')!;
    assert.equal('trace_id' in line, false);
    assert.equal('span_id' in line, false);
  });
});
