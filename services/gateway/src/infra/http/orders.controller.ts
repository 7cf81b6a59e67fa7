import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Checkout, type Execution } from '../../app/checkout.js';
import type { Caller } from '../../domain/callers.js';
import { Upstreams } from '../upstream/upstreams.js';
import { IdempotencyKey, ListOrdersQuery, OrderId, PlaceOrderRequest } from './api.schemas.js';
import { CallerGuard, CallerOf } from './caller.guard.js';
import { EdgeAdmission } from './edge-admission.js';
import { answering, relay } from './problems.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { parseParts } from './request-parts.js';

/** `/v1/orders`: writes go through Checkout (idempotency), reads straight to the order service. */
@Controller('v1/orders')
@UseGuards(CallerGuard, RateLimitGuard)
export class OrdersController {
  constructor(
    @Inject(Checkout) private readonly checkout: Checkout,
    @Inject(Upstreams) private readonly upstreams: Upstreams,
    @Inject(EdgeAdmission) private readonly admission: EdgeAdmission,
  ) {}

  @Post()
  async place(@CallerOf() caller: Caller, @Headers('idempotency-key') key: unknown, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const parts = parseParts({ 'Idempotency-Key': [IdempotencyKey, key], body: [PlaceOrderRequest, body] });
    const execution = await answering(() => this.checkout.placeOrder(caller, parts['Idempotency-Key'], parts.body, () => this.admission.placed(request.raw)));
    return send(reply, execution, request.url);
  }

  @Get()
  async list(@CallerOf() caller: Caller, @Query() query: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { query: filter } = parseParts({ query: [ListOrdersQuery, query] });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) if (value !== undefined) search.set(name, String(value));
    const path = search.size > 0 ? `/orders?${search}` : '/orders';
    return this.read(reply, request.url, caller, path);
  }

  @Get(':orderId')
  async get(@CallerOf() caller: Caller, @Param('orderId') orderId: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { orderId: id } = parseParts({ orderId: [OrderId, orderId] });
    return this.read(reply, request.url, caller, `/orders/${id}`);
  }

  @Get(':orderId/timeline')
  async timeline(@CallerOf() caller: Caller, @Param('orderId') orderId: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { orderId: id } = parseParts({ orderId: [OrderId, orderId] });
    return this.read(reply, request.url, caller, `/orders/${id}/timeline`);
  }

  @Post(':orderId/cancel')
  async cancel(@CallerOf() caller: Caller, @Param('orderId') orderId: unknown, @Headers('idempotency-key') key: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const parts = parseParts({ orderId: [OrderId, orderId], 'Idempotency-Key': [IdempotencyKey.optional(), key] });
    const execution = await answering(() => this.checkout.cancelOrder(caller, parts.orderId, parts['Idempotency-Key']));
    return send(reply, execution, request.url);
  }

  private async read(reply: FastifyReply, publicPath: string, caller: Caller, path: string) {
    const answer = await answering(() => this.upstreams.call('order', { method: 'GET', path, clientId: caller.clientId }));
    return relay(reply, answer, publicPath);
  }
}

function send(reply: FastifyReply, execution: Execution, publicPath: string) {
  return relay(reply, execution.response, publicPath, execution.replayed ? { 'idempotent-replayed': 'true' } : {});
}
