import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { CatalogController } from './catalog.controller.js';
import { ConsoleController } from './console.controller.js';
import { FaultsController } from './faults.controller.js';
import { openApiDocument, operations } from './openapi.js';
import { OrderEventsController } from './order-events.controller.js';
import { OrdersController } from './orders.controller.js';

/** Every `/v1` route the controllers declare, as `METHOD /openapi/{path}`. */
function declaredRoutes(controllers: Type[]): string[] {
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller));
    return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
      const handler = controller.prototype[name] as object;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined || name === 'constructor') return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const full = `/${[base, path].filter((part) => part && part !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      return [`${method} ${full}`];
    });
  });
}

describe('the OpenAPI document', () => {
  const document = openApiDocument();

  it('given the controllers, then every public route is documented and every documented route exists', () => {
    const declared = declaredRoutes([OrdersController, OrderEventsController, CatalogController, AdminController, ConsoleController, FaultsController]).sort();
    const documented = operations.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`).sort();
    assert.deepEqual(documented, declared);
  });

  it('then it is OpenAPI 3.1 and every $ref points at a schema it defines', () => {
    assert.equal(document.openapi, '3.1.0');
    const text = JSON.stringify(document);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(refs.length > 10);
    for (const ref of refs) assert.ok(ref in document.components.schemas, `missing schema ${ref}`);
    assert.doesNotMatch(text, /"\$schema"/);
  });

  it('then the order body carries the contract rules from the shared zod schema', () => {
    const schema = document.components.schemas.PlaceOrderRequest as unknown as { properties: { items: { maxItems: number; minItems: number; items: { properties: { quantity: { minimum: number } } } } } };
    assert.equal(schema.properties.items.maxItems, 100);
    assert.equal(schema.properties.items.minItems, 1);
    assert.equal(schema.properties.items.items.properties.quantity.minimum, 1);
  });

  it('then POST /v1/orders requires Idempotency-Key and documents 202, 400, 409, 422, 429 and 503', () => {
    const post = document.paths['/v1/orders']!.post as { parameters: { name: string; required: boolean }[]; responses: Record<string, unknown> };
    assert.deepEqual(post.parameters.find((parameter) => parameter.name === 'Idempotency-Key')?.required, true);
    for (const status of ['202', '400', '401', '409', '422', '429', '503']) assert.ok(status in post.responses, status);
  });

  it('then admin routes document 403 and public client routes do not', () => {
    const admin = document.paths['/v1/admin/inventory']!.get as { responses: Record<string, unknown> };
    const client = document.paths['/v1/products']!.get as { responses: Record<string, unknown> };
    assert.ok('403' in admin.responses);
    assert.ok(!('403' in client.responses));
  });
});
