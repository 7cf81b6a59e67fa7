import { Body, Controller, Get, Header, HttpCode, Inject, Param, Put, Res } from '@nestjs/common';
import { metricsContentType, metricsText } from '@shopfront/observability';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { FaultInjector } from './faults.js';
import { ReadinessRegistry } from './health.js';
import { problemContentType } from './problem.js';
import { ZodValidationPipe } from './validation.js';

@Controller()
export class HealthController {
  constructor(@Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry) {}

  @Get('health/live')
  live() {
    return { status: 'up' };
  }

  @Get('health/ready')
  async ready(@Res() reply: FastifyReply) {
    const { ready, checks } = await this.readiness.run();
    if (ready) return reply.status(200).send({ status: 'up', checks });
    return reply
      .status(503)
      .type(problemContentType)
      .send({ type: 'about:blank', title: 'Not ready', status: 503, detail: 'A dependency is down.', checks });
  }
}

/** Prometheus text; open on service ports, mounted behind the admin key on the gateway's public one. */
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('Content-Type', metricsContentType)
  metrics() {
    return metricsText();
  }
}

const FaultBody = z.object({
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  errorRate: z.number().min(0).max(1).default(0),
});

/** Mounted only where CHAOS_ENABLED=true. `target` is `self` or a dependency such as `payment-provider`. */
@Controller('admin/faults')
export class FaultsController {
  constructor(@Inject(FaultInjector) private readonly faults: FaultInjector) {}

  @Get()
  list() {
    return { items: Object.entries(this.faults.all()).map(([target, settings]) => ({ target, ...settings })) };
  }

  @Put(':target')
  @HttpCode(200)
  set(@Param('target') target: string, @Body(new ZodValidationPipe(FaultBody)) body: z.infer<typeof FaultBody>) {
    this.faults.set(target, body);
    return { target, ...body };
  }
}
