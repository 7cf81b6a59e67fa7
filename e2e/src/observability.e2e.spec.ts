/**
 * One trace per order across the whole platform: the six services run as local
 * processes, each exporting its spans to one JSON-lines file (OTEL_TRACES_EXPORTER=file)
 * and logging at debug level; orders go in through the gateway. Then the spans
 * of all processes are read back and the trace is checked link by link.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readSpanFile, type SpanRecord } from '@shopfront/observability/sdk';
import { anOrder, eventually } from '@shopfront/testing';
import { serviceNames } from '../../tools/runner/services.ts';
import { GatewayClient, keys } from './client.js';
import { e2eConfig } from './config.js';
import { startLocalPlatform } from './platform/local.js';
import type { RunningPlatform } from './platform/index.js';

const folder = mkdtempSync(join(tmpdir(), 'shopfront-traces-'));
const spansFile = join(folder, 'spans.jsonl');
const logLines: Record<string, unknown>[] = [];
let platform: RunningPlatform;
let gateway: GatewayClient;

before(async () => {
  platform = await startLocalPlatform({
    label: 'obs',
    portBase: e2eConfig.E2E_OBSERVABILITY_PORT_BASE,
    extraEnv: { OTEL_TRACES_EXPORTER: 'file', OTEL_TRACES_FILE: spansFile, LOG_LEVEL: 'debug' },
    // Each service's JSON log, kept to look for trace ids.
    onLogLine: (line) => {
      if (!line.startsWith('{')) return;
      try {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line that only looks like JSON (a stack trace, say) is no log record.
      }
    },
  });
  gateway = new GatewayClient(platform.gatewayUrl);
});

after(async () => {
  await platform?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** The messages of a confirmed order's saga, in order; ConfirmOrder, consumed by the order service, is the last. */
const sagaHops = ['OrderPlaced', 'ReserveStock', 'StockReserved', 'AuthorizePayment', 'PaymentAuthorized', 'ScheduleShipment', 'ShipmentScheduled', 'CapturePayment', 'PaymentCaptured', 'ConfirmOrder'];
const order = (card?: string) => anOrder({ customerId: 'cust-traced', quantity: 1, card });

async function placeAndSettle(card?: string): Promise<{ orderId: string; status: string }> {
  const placed = await gateway.placeOrder(order(card));
  assert.equal(placed.status, 202, JSON.stringify(placed.body));
  const settled = await gateway.settled(placed.body.orderId, 30_000);
  return { orderId: placed.body.orderId, status: settled.status };
}

const byId = (spans: SpanRecord[]) => new Map(spans.map((span) => [span.spanId, span]));

describe('observability across the platform', () => {
  let orderId: string;
  let traceSpans: SpanRecord[];

  it('given an order placed through the gateway, when its saga completes, then one trace holds the spans of all six services and every Kafka hop', async () => {
    const placed = await placeAndSettle();
    orderId = placed.orderId;
    assert.equal(placed.status, 'CONFIRMED');

    // Each process exports its spans in batches of its own, on its own timer: wait until the
    // order's trace holds every service and every hop, however the batches interleave.
    const spans = await eventually(
      async () => {
        const all = await readSpanFile(spansFile);
        const traces = new Set(all.filter((span) => span.attributes['order.id'] === orderId).map((span) => span.traceId));
        const inTrace = all.filter((span) => traces.has(span.traceId));
        const services = new Set(inTrace.map((span) => span.service));
        const consumed = new Set(inTrace.filter((span) => span.kind === 'CONSUMER').map((span) => span.attributes['shopfront.message.type']));
        // A consumer's span can be exported before the publish span it follows (another process, another
        // timer): wait until every span the trace's consumers and producers name as parent is there too.
        const ids = new Set(inTrace.map((span) => span.spanId));
        const parentsIn = inTrace.filter((span) => span.kind === 'CONSUMER' || span.kind === 'PRODUCER').every((span) => ids.has(span.parentSpanId ?? ''));
        return services.size === serviceNames.length && sagaHops.every((type) => consumed.has(type)) && parentsIn ? all : undefined;
      },
      { what: 'spans of every service and hop of the saga exported, each publish and consume with its parent', timeoutMs: 20_000, intervalMs: 250 },
    );
    const traceIds = new Set(spans.filter((span) => span.attributes['order.id'] === orderId).map((span) => span.traceId));
    assert.equal(traceIds.size, 1, `every span about the order in one trace, found ${traceIds.size}`);
    const [traceId] = traceIds;
    traceSpans = spans.filter((span) => span.traceId === traceId);
    const spanById = byId(traceSpans);

    assert.deepEqual(new Set(traceSpans.map((span) => span.service)), new Set(serviceNames), 'spans of all six services');
    const roots = traceSpans.filter((span) => span.parentSpanId === null);
    assert.equal(roots.length, 1, 'one root');
    assert.equal(roots[0]!.service, 'gateway');
    assert.equal(roots[0]!.kind, 'SERVER');

    const consumed = new Set(traceSpans.filter((span) => span.kind === 'CONSUMER').map((span) => span.attributes['shopfront.message.type']));
    for (const type of sagaHops) {
      assert.ok(consumed.has(type), `${type} consumed within the trace`);
    }
    for (const consumer of traceSpans.filter((span) => span.kind === 'CONSUMER')) {
      const parent = spanById.get(consumer.parentSpanId ?? '');
      assert.equal(parent?.kind, 'PRODUCER', `${consumer.service}: ${consumer.name} follows a publish span`);
      assert.equal(parent.attributes['messaging.destination.name'], consumer.attributes['messaging.destination.name']);
      assert.equal(parent.attributes['messaging.message.id'], consumer.attributes['messaging.message.id'], 'the very message published');
    }
    for (const producer of traceSpans.filter((span) => span.kind === 'PRODUCER')) {
      const parent = spanById.get(producer.parentSpanId ?? '');
      assert.ok(parent, `${producer.name} has its enqueuing span in the trace`);
      assert.equal(parent.service, producer.service, 'published by the service that enqueued it');
      assert.notEqual(parent.kind, 'PRODUCER');
      if (producer.service !== 'order') assert.equal(parent.kind, 'CONSUMER', `${producer.service} enqueues ${producer.name} while handling a message`);
    }
  });

  it('given that trace, when its spans are grouped by instrumentation, then HTTP in and out, Fastify, Postgres and Redis all took part', () => {
    const scopes = (service: string) => new Set(traceSpans.filter((span) => span.service === service).map((span) => span.scope));
    assert.ok(scopes('gateway').has('@opentelemetry/instrumentation-undici'), 'gateway → order over undici');
    assert.ok(scopes('gateway').has('@opentelemetry/instrumentation-ioredis'), 'gateway uses Redis within the request');
    assert.ok(scopes('order').has('@opentelemetry/instrumentation-http'), 'order answers the gateway as an HTTP server');
    assert.ok(scopes('order').has('@fastify/otel'));
    for (const service of ['order', 'inventory', 'payment', 'shipping', 'orchestrator']) {
      assert.ok(scopes(service).has('@opentelemetry/instrumentation-pg'), `${service} queries Postgres within the trace`);
    }
    const upstream = traceSpans.find((span) => span.service === 'gateway' && span.scope === '@opentelemetry/instrumentation-undici')!;
    const served = traceSpans.find((span) => span.service === 'order' && span.kind === 'SERVER');
    assert.equal(served?.parentSpanId, upstream.spanId, "the order service's request is the child of the gateway's call");
  });

  it('given that trace, when the services logged while handling it, then their log lines carry its trace id', () => {
    const traceId = traceSpans[0]!.traceId;
    const logged = new Set(logLines.filter((line) => line.trace_id === traceId).map((line) => line.service));
    for (const service of ['order', 'inventory', 'payment', 'shipping', 'orchestrator']) assert.ok(logged.has(service), `${service} logged under the trace`);
    const handled = logLines.find((line) => line.trace_id === traceId && line.msg === 'message handled' && line.type === 'ReserveStock');
    const consumerSpan = traceSpans.find((span) => span.kind === 'CONSUMER' && span.attributes['shopfront.message.type'] === 'ReserveStock');
    assert.equal(handled?.span_id, consumerSpan?.spanId, 'the log line names the span it was written in');
  });

  it('given more orders, one declined, when they settle, then the saga counters on /metrics match the orders placed', async () => {
    const second = await placeAndSettle();
    const declined = await placeAndSettle('4000000000000002');
    assert.equal(second.status, 'CONFIRMED');
    assert.equal(declined.status, 'CANCELLED');

    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`${platform.serviceUrl('orchestrator')}/metrics`)).text();
        return sampleSum(text, 'saga_completed_total', {}) >= 3 ? text : undefined;
      },
      { what: 'three sagas counted', timeoutMs: 10_000 },
    );
    assert.equal(sampleSum(metrics, 'saga_completed_total', { outcome: 'CONFIRMED' }), 2);
    assert.equal(sampleSum(metrics, 'saga_completed_total', { outcome: 'CANCELLED', reason: 'PAYMENT_DECLINED' }), 1);
    assert.equal(sampleSum(metrics, 'saga_duration_seconds_count', {}), 3);

    for (const service of serviceNames) {
      // The gateway's public port serves metrics to the admin key only (ADR 0017).
      const headers = service === 'gateway' ? { 'x-api-key': keys.admin } : undefined;
      const text = await (await fetch(`${platform.serviceUrl(service)}/metrics`, { headers })).text();
      assert.match(text, /^http_request_duration_seconds_count\{/m, `${service} reports RED per route`);
      if (service !== 'gateway') assert.match(text, /^kafka_consumer_lag\{group="[^"]+",topic="[^"]+",partition="\d+"/m, `${service} reports its consumer lag`);
      if (service !== 'gateway') assert.match(text, /^# TYPE messaging_dead_letters_total counter/m);
    }
  });
});

/** Sum of a metric's samples whose labels include `labels`. */
function sampleSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`).exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[2]);
  }
  return sum;
}
