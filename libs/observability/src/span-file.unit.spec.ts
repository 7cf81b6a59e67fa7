import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { JsonLinesSpanExporter, readSpanFile } from './span-file.js';

const folder = mkdtempSync(join(tmpdir(), 'span-file-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** Real spans from a real SDK tracer, so the record mirrors what a service exports. */
function finishedSpans() {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shipping' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('test-scope');
  const parent = tracer.startSpan('shipping.commands process', { kind: SpanKind.CONSUMER, attributes: { 'order.id': 'o-1' } });
  const child = tracer.startSpan('pg.query', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, parent));
  child.setStatus({ code: SpanStatusCode.ERROR });
  child.end();
  parent.end();
  return { spans: memory.getFinishedSpans(), parent, child };
}

const exportTo = (exporter: JsonLinesSpanExporter, spans: ReturnType<typeof finishedSpans>['spans']) =>
  new Promise<number>((resolve) => exporter.export(spans, (result) => resolve(result.code)));

describe('JSON-lines span file', () => {
  it('given spans from two exports, when read back, then each is one record with its ids, parent link, kind, service and attributes', async () => {
    const path = join(folder, 'two-exports.jsonl');
    const exporter = new JsonLinesSpanExporter(path);
    const first = finishedSpans();
    const second = finishedSpans();
    assert.equal(await exportTo(exporter, first.spans), ExportResultCode.SUCCESS);
    assert.equal(await exportTo(exporter, second.spans), ExportResultCode.SUCCESS);

    const records = await readSpanFile(path);
    assert.equal(records.length, 4);
    const child = records.find((record) => record.spanId === first.child.spanContext().spanId)!;
    const parent = records.find((record) => record.spanId === first.parent.spanContext().spanId)!;
    assert.equal(child.parentSpanId, parent.spanId);
    assert.equal(child.traceId, parent.traceId);
    assert.equal(parent.parentSpanId, null);
    assert.equal(parent.kind, 'CONSUMER');
    assert.equal(child.status, 'ERROR');
    assert.equal(parent.service, 'shipping');
    assert.equal(parent.scope, 'test-scope');
    assert.equal(parent.attributes['order.id'], 'o-1');
    assert.ok(parent.end >= parent.start && parent.start > Date.UTC(2020, 0, 1));
  });

  it('given no file yet, when read, then there are no spans rather than an error', async () => {
    assert.deepEqual(await readSpanFile(join(folder, 'missing.jsonl')), []);
  });

  it('given a path that cannot be written, when exporting, then the export reports failure', async () => {
    const exporter = new JsonLinesSpanExporter(join(folder, 'no-such-folder', 'spans.jsonl'));
    assert.equal(await exportTo(exporter, finishedSpans().spans), ExportResultCode.FAILED);
  });
});
