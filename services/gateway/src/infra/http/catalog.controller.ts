import { Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../../domain/callers.js';
import { Upstreams } from '../upstream/upstreams.js';
import { CallerGuard, CallerOf } from './caller.guard.js';
import { answering, relay } from './problems.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/** `/v1/products`: the order service's catalog view (prices and availability fed by inventory events). */
@Controller('v1/products')
@UseGuards(CallerGuard, RateLimitGuard)
export class CatalogController {
  constructor(@Inject(Upstreams) private readonly upstreams: Upstreams) {}

  @Get()
  async list(@CallerOf() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const answer = await answering(() => this.upstreams.call('order', { method: 'GET', path: '/products', clientId: caller.clientId }));
    return relay(reply, answer, request.url);
  }
}
