import { Body, Controller, createParamDecorator, Get, HttpCode, Inject, Param, Post, Query, Res, type ExecutionContext } from '@nestjs/common';
import { OrderStatus, PlaceOrderCommand, storableText } from '@shopfront/contracts';
import { HttpProblem, ZodValidationPipe } from '@shopfront/http';
import { PG_POOL } from '@shopfront/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { OrderCommands } from '../app/order-commands.consumer.js';
import { OrderError } from '../domain/order.js';
import { listClientOrders } from './client-orders.projection.js';
import { findOrderView, findTimeline, listProducts } from './read-models.js';

const OrderId = z.string().uuid();
/** Set by the gateway: who is calling, and (for a POST) the order id its idempotency record chose. */
const CallerHeaders = z
  .object({ 'x-client-id': z.string().min(1).max(200), 'x-order-id': OrderId.optional() })
  .transform((headers) => ({ clientId: headers['x-client-id'], orderId: headers['x-order-id'] }));
type CallerHeaders = z.infer<typeof CallerHeaders>;
const callerPipe = new ZodValidationPipe(CallerHeaders);
const Caller = createParamDecorator((_: unknown, context: ExecutionContext) => callerPipe.transform(context.switchToHttp().getRequest<FastifyRequest>().headers));
const ListQuery = z.object({
  customerId: storableText(1, 100).optional(),
  status: OrderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .transform((value, context) => {
      try {
        return z.object({ createdAt: z.string().datetime(), orderId: z.string().uuid() }).parse(JSON.parse(Buffer.from(value, 'base64url').toString()));
      } catch {
        context.addIssue({ code: 'custom', message: 'not a cursor this service issued' });
        return z.NEVER;
      }
    })
    .optional(),
});

/**
 * The order service's internal API, called by the gateway, which has already
 * authenticated the caller and passes its client id in `x-client-id`.
 */
@Controller()
export class OrdersController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(OrderCommands) private readonly orders: OrderCommands,
  ) {}

  @Post('orders')
  @HttpCode(202)
  async place(
    @Caller() caller: CallerHeaders,
    @Body(new ZodValidationPipe(PlaceOrderCommand)) body: PlaceOrderCommand,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const view = await this.orders.place(caller.clientId, body, caller.orderId).catch(toProblem);
    reply.header('location', `/v1/orders/${view.orderId}`);
    return { orderId: view.orderId, status: view.status };
  }

  @Get('orders')
  list(@Caller() { clientId }: CallerHeaders, @Query(new ZodValidationPipe(ListQuery)) query: z.infer<typeof ListQuery>) {
    return listClientOrders(this.pool, { clientId, ...query });
  }

  @Get('orders/:orderId')
  async get(@Caller() { clientId }: CallerHeaders, @Param('orderId', new ZodValidationPipe(OrderId)) orderId: string) {
    const view = await findOrderView(this.pool, clientId, orderId);
    if (!view) throw notFound(orderId);
    return view;
  }

  @Get('orders/:orderId/timeline')
  async timeline(@Caller() { clientId }: CallerHeaders, @Param('orderId', new ZodValidationPipe(OrderId)) orderId: string) {
    if (!(await findOrderView(this.pool, clientId, orderId))) throw notFound(orderId);
    return { items: await findTimeline(this.pool, orderId) };
  }

  @Post('orders/:orderId/cancel')
  @HttpCode(202)
  async cancel(@Caller() { clientId }: CallerHeaders, @Param('orderId', new ZodValidationPipe(OrderId)) orderId: string) {
    await this.orders.cancelByCustomer(clientId, orderId).catch(toProblem);
    return { orderId, status: 'CANCELLATION_REQUESTED' };
  }

  @Get('products')
  async products() {
    return { items: await listProducts(this.pool) };
  }
}

const notFound = (orderId: string) => new HttpProblem(404, 'Not found', `No order ${orderId}.`);

/** The HTTP edge is the only place domain errors become status codes. */
function toProblem(error: unknown): never {
  if (!(error instanceof OrderError)) throw error;
  switch (error.code) {
    case 'UNKNOWN_SKU':
      throw new HttpProblem(422, 'Unknown SKU', error.message);
    case 'TOTAL_TOO_LARGE':
      throw new HttpProblem(422, 'Order too large', error.message, { errors: [{ field: 'items', message: error.message }] });
    case 'NOT_FOUND':
      throw new HttpProblem(404, 'Not found', error.message);
    case 'CANNOT_CANCEL':
      throw new HttpProblem(409, 'Cannot cancel', error.message);
    case 'ALREADY_PLACED':
      throw new HttpProblem(409, 'Conflict', error.message);
    default: {
      const unknown: never = error.code;
      throw unknown;
    }
  }
}
