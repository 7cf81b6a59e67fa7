import { z } from 'zod';
import { OrderStreamEvent } from '@shopfront/contracts';
import * as api from './api.schemas.js';
import * as ops from './console.schemas.js';

type Access = 'public' | 'client' | 'admin';
type SchemaName = keyof typeof components;

interface Operation {
  method: 'get' | 'post' | 'put';
  /** OpenAPI form: `/v1/orders/{orderId}`. */
  path: string;
  summary: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  idempotencyKey?: 'required' | 'optional';
  body?: SchemaName;
  responses: Record<number, { description: string; schema?: SchemaName; headers?: string[] }>;
}

/** Named schemas, shared by the operations below and the controllers (api.schemas.ts). */
const components = {
  Money: api.Money,
  PlaceOrderRequest: api.PlaceOrderRequest,
  OrderAccepted: api.OrderAccepted,
  OrderView: api.OrderView,
  OrderPage: api.OrderPage,
  Timeline: api.Timeline,
  ProductList: api.ProductList,
  SetStock: api.SetStock,
  InventoryItem: api.InventoryItem,
  InventoryList: api.InventoryList,
  PaymentList: api.PaymentList,
  ShipmentList: api.ShipmentList,
  ResilienceList: api.ResilienceList,
  FaultSettings: api.FaultSettings,
  Problem: api.Problem,
  OrderStreamEvent,
  RedriveRequest: ops.RedriveRequest,
  Items: z.object({ items: z.array(z.looseObject({})) }).describe('A list of records'),
} satisfies Record<string, z.ZodType>;

const orderParams = z.object({ orderId: api.OrderId });

/** Every public route. `openapi.unit.spec.ts` checks this list against the controllers' routes. */
export const operations: Operation[] = [
  {
    method: 'post', path: '/v1/orders', summary: 'Place an order', access: 'client', idempotencyKey: 'required', body: 'PlaceOrderRequest',
    responses: {
      202: { description: 'Accepted; the saga runs asynchronously', schema: 'OrderAccepted', headers: ['Location', 'Idempotent-Replayed'] },
      409: { description: 'A request with this Idempotency-Key is still in flight', schema: 'Problem' },
      422: { description: 'A SKU not in the catalog, or the Idempotency-Key was used with a different body', schema: 'Problem' },
      503: {
        description: 'Refused before any work: `code` OVERLOADED with `reason` pipeline-full (the orders in flight reached the bound; retry with the same key) or gateway-busy; or an upstream failing',
        schema: 'Problem',
        headers: ['Retry-After'],
      },
    },
  },
  { method: 'get', path: '/v1/orders', summary: "List the client's orders, newest first", access: 'client', query: api.ListOrdersQuery, responses: { 200: { description: 'A page', schema: 'OrderPage' } } },
  {
    method: 'get', path: '/v1/orders/{orderId}', summary: 'Get an order', access: 'client', params: orderParams,
    responses: { 200: { description: 'The order', schema: 'OrderView' }, 404: { description: "No such order for this client", schema: 'Problem' } },
  },
  {
    method: 'get', path: '/v1/orders/{orderId}/timeline', summary: "The order's saga steps and events", access: 'client', params: orderParams,
    responses: { 200: { description: 'Oldest first', schema: 'Timeline' }, 404: { description: 'No such order for this client', schema: 'Problem' } },
  },
  {
    method: 'post', path: '/v1/orders/{orderId}/cancel', summary: 'Cancel an order', access: 'client', params: orderParams, idempotencyKey: 'optional',
    responses: {
      202: { description: 'Cancellation accepted; compensations run', headers: ['Idempotent-Replayed'] },
      404: { description: 'No such order for this client', schema: 'Problem' },
      409: { description: 'Too late to cancel', schema: 'Problem' },
    },
  },
  {
    method: 'get', path: '/v1/orders/{orderId}/events', summary: "The order's status changes and timeline entries as server-sent events", access: 'client', params: orderParams,
    responses: {
      200: { description: 'text/event-stream: `status` events, and `timeline` events whose id is their position (send it back as Last-Event-ID to resume); ends after the terminal state', schema: 'OrderStreamEvent' },
      404: { description: 'No such order for this client', schema: 'Problem' },
    },
  },
  { method: 'get', path: '/v1/admin/sagas', summary: 'Sagas filtered by state, reason, age and stuck (no progress for N s)', access: 'admin', query: ops.SagaListQuery, responses: { 200: { description: 'Newest first', schema: 'Items' } } },
  {
    method: 'get', path: '/v1/admin/sagas/{orderId}', summary: "One saga and its log (every transition, with message ids, trace ids and times)", access: 'admin', params: orderParams,
    responses: { 200: { description: 'The saga' }, 404: { description: 'No saga for that order', schema: 'Problem' } },
  },
  {
    method: 'post', path: '/v1/admin/sagas/{orderId}/{action}', summary: 'Retry the stuck step, force compensation, or cancel; recorded in the audit', access: 'admin',
    params: z.object({ orderId: api.OrderId, action: ops.SagaAction }),
    responses: { 202: { description: 'Accepted' }, 404: { description: 'No saga for that order', schema: 'Problem' }, 409: { description: 'The saga ended, or has nothing to retry', schema: 'Problem' } },
  },
  { method: 'get', path: '/v1/admin/dead-letters', summary: 'Dead letters by topic, with the failure reason and the message', access: 'admin', query: ops.DeadLetterQuery, responses: { 200: { description: '`topics` (pending and total per topic) and `items`' } } },
  {
    method: 'post', path: '/v1/admin/dead-letters/redrive', summary: 'Redrive dead letters by id or by filter, with a dry run, rate-limited; recorded in the audit', access: 'admin', body: 'RedriveRequest',
    responses: { 200: { description: 'What was (or, in a dry run, would be) redriven' } },
  },
  { method: 'get', path: '/v1/admin/audit', summary: 'Operator actions, newest first', access: 'admin', query: ops.AuditQuery, responses: { 200: { description: 'Actions', schema: 'Items' } } },
  { method: 'get', path: '/v1/admin/metrics', summary: "The services' own Prometheus samples the console charts (saga throughput and latency, consumer lag, edge)", access: 'admin', responses: { 200: { description: 'Per service: up, samples' } } },
  {
    method: 'get', path: '/v1/products', summary: 'The catalog, from the shared cache (availability lags stock by about 1 s, at most 10 s)', access: 'client',
    responses: {
      200: { description: 'Products. `X-Cache` hit, refreshing, miss or stale (the order service failing: the last catalog known)', schema: 'ProductList', headers: ['ETag', 'X-Cache'] },
      304: { description: 'Not modified: If-None-Match held the ETag', headers: ['ETag'] },
    },
  },
  {
    method: 'put', path: '/v1/admin/inventory/{sku}', summary: 'Set stock on hand', access: 'admin', params: z.object({ sku: api.Sku }), body: 'SetStock',
    responses: { 200: { description: 'The stock', schema: 'InventoryItem' } },
  },
  { method: 'get', path: '/v1/admin/inventory', summary: "Inventory's own records", access: 'admin', responses: { 200: { description: 'Stock per SKU', schema: 'InventoryList' } } },
  { method: 'get', path: '/v1/admin/payments', summary: "Payment's own records", access: 'admin', query: api.ByOrderQuery, responses: { 200: { description: 'Payments', schema: 'PaymentList' } } },
  { method: 'get', path: '/v1/admin/shipments', summary: "Shipping's own records", access: 'admin', query: api.ByOrderQuery, responses: { 200: { description: 'Shipments', schema: 'ShipmentList' } } },
  {
    method: 'get', path: '/v1/admin/resilience', summary: "Each upstream's circuit breaker and bulkhead at this gateway", access: 'admin',
    responses: { 200: { description: 'Breaker state and bulkhead use', schema: 'ResilienceList' } },
  },
  {
    method: 'put', path: '/v1/admin/faults/{service}', summary: 'Inject latency and errors (only where CHAOS_ENABLED=true)', access: 'admin',
    params: z.object({ service: api.FaultService }), body: 'FaultSettings',
    responses: { 200: { description: 'The fault now in force', schema: 'FaultSettings' }, 404: { description: 'No such service, or chaos is disabled', schema: 'Problem' } },
  },
];

const headerDocs: Record<string, { description: string; schema: object }> = {
  Location: { description: 'The new order', schema: { type: 'string' } },
  'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same key', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
  ETag: { description: 'The entity tag of the catalog: send it as If-None-Match to revalidate', schema: { type: 'string' } },
  'X-Cache': { description: 'hit, refreshing, miss or stale', schema: { type: 'string', enum: ['hit', 'refreshing', 'miss', 'stale'] } },
  'RateLimit-Limit': { description: 'Requests per window', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Left in this window', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

/** A parameter's schema, inline: no `$schema` inside an OpenAPI document. */
function inlineSchema(schema: z.ZodType): object {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

const contentTypeOf = (schema: SchemaName) => (schema === 'Problem' ? 'application/problem+json' : schema === 'OrderStreamEvent' ? 'text/event-stream' : 'application/json');
const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string, headers: string[] = []) => ({ description, headers, schema: 'Problem' as const });

function parameters(where: 'path' | 'query', shape: z.ZodObject | undefined) {
  return Object.entries(shape?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || !(schema as z.ZodType).safeParse(undefined).success,
    schema: inlineSchema(schema as z.ZodType),
  }));
}

function operationObject(operation: Operation) {
  const common: Operation['responses'] = {};
  if (operation.params || operation.query || operation.body || operation.idempotencyKey) common[400] = problem('Invalid fields, listed in `errors`');
  if (operation.access !== 'public') {
    common[401] = problem('Missing or unknown X-API-Key');
    if (operation.access === 'admin') common[403] = problem('A client key on an admin route');
    common[429] = problem('Over the rate limit', ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']);
    common[503] = problem("The upstream's circuit is open, its bulkhead full or it cannot be reached", ['Retry-After']);
    common[504] = problem('The upstream did not answer within the timeout');
  }
  const responses = Object.fromEntries(
    Object.entries({ ...common, ...operation.responses }).map(([status, { description, schema, headers = [] }]) => [
      status,
      {
        description,
        ...(headers.length > 0 ? { headers: Object.fromEntries(headers.map((name) => [name, headerDocs[name]])) } : {}),
        ...(schema ? { content: { [contentTypeOf(schema)]: { schema: ref(schema) } } } : {}),
      },
    ]),
  );
  const idempotency = operation.idempotencyKey
    ? [{ name: 'Idempotency-Key', in: 'header', required: operation.idempotencyKey === 'required', schema: inlineSchema(api.IdempotencyKey) }]
    : [];
  return {
    summary: operation.summary,
    ...(operation.access === 'public' ? {} : { security: [{ apiKey: [] }] }),
    parameters: [...parameters('path', operation.params), ...parameters('query', operation.query), ...idempotency],
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(operation.body) } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the public API, generated from the zod schemas the controllers validate with. */
export function openApiDocument(serverUrl?: string) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input', unrepresentable: 'any' });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = operationObject(operation);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shopfront API',
      version: '1.0.0',
      description: 'Orders, catalog and operations of the Shopfront platform. Errors are RFC 9457 problem+json; money is integer minor units.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema])),
    },
    paths,
  };
}
