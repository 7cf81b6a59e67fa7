import { Body, Controller, HttpCode, Inject, Param, Put, Req, Res, UseGuards } from '@nestjs/common';
import { assertNever } from '@shopfront/contracts';
import { FaultInjector, HttpProblem } from '@shopfront/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeFault } from '../../domain/upstreams.js';
import { Upstreams } from '../upstream/upstreams.js';
import { FaultService, FaultSettings } from './api.schemas.js';
import { AdminOnly, CallerGuard } from './caller.guard.js';
import { answering, relay } from './problems.js';
import { parseParts } from './request-parts.js';

/**
 * `PUT /v1/admin/faults/{service}`: mounted only where CHAOS_ENABLED=true.
 * Not rate-limited and never through a circuit breaker: healing a fault
 * must work precisely when the service is failing.
 */
@Controller('v1/admin/faults')
@AdminOnly()
@UseGuards(CallerGuard)
export class FaultsController {
  constructor(
    @Inject(Upstreams) private readonly upstreams: Upstreams,
    @Inject(FaultInjector) private readonly faults: FaultInjector,
  ) {}

  @Put(':service')
  @HttpCode(200)
  async set(@Param('service') service: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!FaultService.safeParse(service).success) {
      throw new HttpProblem(404, 'Not found', `No service "${service}"; one of ${FaultService.options.join(', ')}.`);
    }
    const parts = parseParts({ service: [FaultService, service], body: [FaultSettings, body ?? {}] });
    const route = routeFault(parts.service);
    switch (route.kind) {
      case 'local':
        this.faults.set('self', parts.body);
        return reply.status(200).send({ service: parts.service, ...parts.body });
      case 'upstream': {
        const answer = await answering(() =>
          this.upstreams.callDirectly(route.upstream, { method: 'PUT', path: `/admin/faults/${route.target}`, body: parts.body }, 3_000),
        );
        if (answer.status >= 300) return relay(reply, answer, request.url);
        return reply.status(200).send({ service: parts.service, ...parts.body });
      }
      default:
        return assertNever(route);
    }
  }
}
