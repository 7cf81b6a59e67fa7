import { Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { matchesEtag } from '../../domain/catalog-freshness.js';
import { CatalogCache } from '../catalog/catalog-cache.js';
import { CallerGuard } from './caller.guard.js';
import { answering } from './problems.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * `/v1/products`: the order service's catalog view (prices and availability
 * fed by inventory events), served from the shared cache (ADR 0020). Caches
 * may keep it but must revalidate (`no-cache` + ETag → 304); `x-cache` says
 * where the answer came from, and `stale` means the order service is failing
 * and this is the last catalog known.
 */
@Controller('v1/products')
@UseGuards(CallerGuard, RateLimitGuard)
export class CatalogController {
  constructor(@Inject(CatalogCache) private readonly catalog: CatalogCache) {}

  @Get()
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { entry, source } = await answering(() => this.catalog.read());
    reply.headers({
      etag: entry.etag,
      'cache-control': 'no-cache',
      'x-cache': source,
      age: String(Math.max(0, Math.floor((Date.now() - entry.builtAt) / 1000))),
      ...(source === 'stale' ? { warning: '110 - "Response is Stale"' } : {}),
    });
    if (matchesEtag(request.headers['if-none-match'], entry.etag)) return reply.status(304).send();
    return reply.status(200).type('application/json').send(entry.body);
  }
}
