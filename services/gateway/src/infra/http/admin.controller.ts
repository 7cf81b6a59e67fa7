import { Body, Controller, Get, Inject, Param, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UpstreamRequest } from '../../app/ports.js';
import type { Upstream } from '../../domain/upstreams.js';
import { admissionRefusals, rateLimitDecisions } from '../metrics.js';
import { Upstreams } from '../upstream/upstreams.js';
import { ByOrderQuery, SetStock, Sku } from './api.schemas.js';
import { AdminOnly, CallerGuard } from './caller.guard.js';
import { EdgeAdmission } from './edge-admission.js';
import { answering, relay } from './problems.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { parseParts } from './request-parts.js';

/** `/v1/admin/...` (admin key): each service's own records, and the gateway's resilience state. */
@Controller('v1/admin')
@AdminOnly()
@UseGuards(CallerGuard, RateLimitGuard)
export class AdminController {
  constructor(
    @Inject(Upstreams) private readonly upstreams: Upstreams,
    @Inject(EdgeAdmission) private readonly admission: EdgeAdmission,
  ) {}

  @Put('inventory/:sku')
  async setStock(@Param('sku') sku: unknown, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const parts = parseParts({ sku: [Sku, sku], body: [SetStock, body] });
    return this.forward(reply, request.url, 'inventory', { method: 'PUT', path: `/admin/inventory/${encodeURIComponent(parts.sku)}`, body: parts.body });
  }

  @Get('inventory')
  async inventory(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forward(reply, request.url, 'inventory', { method: 'GET', path: '/admin/inventory' });
  }

  @Get('payments')
  async payments(@Query() query: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { query: filter } = parseParts({ query: [ByOrderQuery, query] });
    return this.forward(reply, request.url, 'payment', { method: 'GET', path: withOrderId('/admin/payments', filter.orderId) });
  }

  @Get('shipments')
  async shipments(@Query() query: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { query: filter } = parseParts({ query: [ByOrderQuery, query] });
    return this.forward(reply, request.url, 'shipping', { method: 'GET', path: withOrderId('/admin/shipments', filter.orderId) });
  }

  @Get('resilience')
  async resilience() {
    const decisions = (await rateLimitDecisions.get()).values;
    const count = (decision: string) => decisions.find((value) => value.labels.decision === decision)?.value ?? 0;
    const refusals = (await admissionRefusals.get()).values;
    const refused = (kind: string) => refusals.filter((value) => value.labels.class === kind).reduce((sum, value) => sum + value.value, 0);
    const load = this.admission.load();
    // Refusals counted by this replica since it started (Prometheus sums the replicas).
    return {
      items: this.upstreams.resilience(),
      rateLimit: { allowed: count('allowed'), limited: count('limited') },
      admission: {
        concurrent: load.concurrent,
        ordersInFlight: load.ordersInFlight ?? null,
        ordersInFlightBound: load.backlogBound,
        refused: { checkout: refused('checkout'), browse: refused('browse'), status: refused('status') },
      },
    };
  }

  private async forward(reply: FastifyReply, publicPath: string, upstream: Upstream, request: UpstreamRequest) {
    return relay(reply, await answering(() => this.upstreams.call(upstream, request)), publicPath);
  }
}

const withOrderId = (path: string, orderId: string | undefined) => (orderId ? `${path}?orderId=${orderId}` : path);
