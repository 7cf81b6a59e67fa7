import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { HttpProblem } from '@shopfront/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { register } from 'prom-client';
import { z } from 'zod';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config.js';
import type { UpstreamAnswer } from '../../app/ports.js';
import type { Caller } from '../../domain/callers.js';
import { matches, select } from '../../domain/dead-letters.js';
import { parseSamples } from '../../domain/metric-samples.js';
import { filterSagas, type SagaSummary } from '../../domain/saga-filters.js';
import { upstreamNames } from '../../domain/upstreams.js';
import { DeadLetterIndex } from '../operator/dead-letter-index.js';
import { OperatorActions } from '../operator/operator-actions.js';
import { Upstreams } from '../upstream/upstreams.js';
import { OrderId } from './api.schemas.js';
import { AdminOnly, CallerGuard, CallerOf } from './caller.guard.js';
import { AuditQuery, DeadLetterQuery, RedriveRequest, SagaAction, SagaListQuery } from './console.schemas.js';
import { answering, relay } from './problems.js';
import { parseParts } from './request-parts.js';

/** The metric families the console charts: throughput, place→terminal latency, consumer lag, the edge. */
const chartedFamilies = ['saga_completed_total', 'saga_duration_seconds', 'saga_in_flight', 'kafka_consumer_lag', 'gateway_rate_limit_decisions_total', 'gateway_upstream_calls_total', 'circuit_state'] as const;
const SagaList = z.object({ items: z.array(z.looseObject({ orderId: z.string(), status: z.string(), reason: z.string().nullable(), startedAt: z.string(), updatedAt: z.string() })) });
const SagaData = z.looseObject({ data: z.looseObject({ clientId: z.string() }) });

/**
 * The operations console's routes (admin key, not rate-limited: an operator
 * must reach them while the platform is flooded). Every action is recorded
 * in operator_actions, refused or not.
 */
@Controller('v1/admin')
@AdminOnly()
@UseGuards(CallerGuard)
export class ConsoleController {
  constructor(
    @Inject(Upstreams) private readonly upstreams: Upstreams,
    @Inject(DeadLetterIndex) private readonly deadLetters: DeadLetterIndex,
    @Inject(OperatorActions) private readonly actions: OperatorActions,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('sagas')
  async sagas(@Query() query: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { query: filter } = parseParts({ query: [SagaListQuery, query] });
    const path = `/admin/sagas?limit=500${filter.status ? `&status=${filter.status}` : ''}`;
    const answer = await answering(() => this.upstreams.call('orchestrator', { method: 'GET', path }));
    if (answer.status !== 200) return relay(reply, answer, request.url);
    const sagas = SagaList.parse(JSON.parse(answer.body)).items as SagaSummary[];
    return reply.send({ items: filterSagas(sagas, filter, Date.now()).slice(0, filter.limit) });
  }

  @Get('sagas/:orderId')
  async saga(@Param('orderId') orderId: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { orderId: id } = parseParts({ orderId: [OrderId, orderId] });
    return relay(reply, await this.orchestrator('GET', `/sagas/${id}`), request.url);
  }

  @Post('sagas/:orderId/:action')
  @HttpCode(202)
  async act(@CallerOf() caller: Caller, @Param('orderId') orderId: unknown, @Param('action') action: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const parts = parseParts({ orderId: [OrderId, orderId], action: [SagaAction, action] });
    const answer = await this.sagaAction(parts.orderId, parts.action);
    await this.actions.record({ actor: caller.clientId, action: `saga.${parts.action}`, target: parts.orderId, outcome: answer.status < 300 ? 'accepted' : `refused ${answer.status}`, detail: safeJson(answer.body) });
    return relay(reply, answer, request.url);
  }

  @Get('dead-letters')
  async listDeadLetters(@Query() query: unknown) {
    const { query: filter } = parseParts({ query: [DeadLetterQuery, query] });
    const all = await this.deadLetters.all();
    const topics = [...new Set(all.map((letter) => letter.sourceTopic))].sort().map((topic) => ({
      topic,
      pending: all.filter((letter) => letter.sourceTopic === topic && letter.redrivenAt === null).length,
      total: all.filter((letter) => letter.sourceTopic === topic).length,
    }));
    return { topics, items: all.filter((letter) => matches(letter, filter)).sort((a, b) => b.at.localeCompare(a.at)) };
  }

  @Post('dead-letters/redrive')
  @HttpCode(200)
  async redrive(@CallerOf() caller: Caller, @Body() body: unknown) {
    const { body: request } = parseParts({ body: [RedriveRequest, body ?? {}] });
    const chosen = select(await this.deadLetters.all(), request.ids ? { ids: request.ids } : { filter: request.filter! });
    const target = request.ids ? `${request.ids.length} selected` : `filter ${JSON.stringify(request.filter)}`;
    if (request.dryRun) {
      await this.actions.record({ actor: caller.clientId, action: 'dead-letters.redrive', target, dryRun: true, outcome: `would redrive ${chosen.length}` });
      return { dryRun: true, matched: chosen.length, ratePerS: this.config.REDRIVE_RATE_PER_S, items: chosen.map(({ id, sourceTopic, type, orderId }) => ({ id, sourceTopic, type, orderId })) };
    }
    const outcomes = await this.deadLetters.redrive(chosen, caller.clientId, this.config.REDRIVE_RATE_PER_S);
    const redriven = outcomes.filter((outcome) => outcome.outcome === 'redriven').length;
    await this.actions.record({ actor: caller.clientId, action: 'dead-letters.redrive', target, outcome: `redrove ${redriven} of ${chosen.length}`, detail: outcomes });
    return { dryRun: false, matched: chosen.length, redriven, ratePerS: this.config.REDRIVE_RATE_PER_S, items: outcomes };
  }

  @Get('audit')
  async audit(@Query() query: unknown) {
    const { query: filter } = parseParts({ query: [AuditQuery, query] });
    return { items: await this.actions.recent(filter.limit, filter.target) };
  }

  /** The services' own Prometheus samples of the charted families, scraped now (the console derives rates from successive reads). */
  @Get('metrics')
  async metrics() {
    const scraped = await Promise.all(
      upstreamNames.map(async (service) => {
        const answer = await this.upstreams.callDirectly(service, { method: 'GET', path: '/metrics' }, 2_000).catch(() => undefined);
        return { service, up: answer?.status === 200, samples: answer?.status === 200 ? parseSamples(answer.body, chartedFamilies) : [] };
      }),
    );
    const own = { service: 'gateway', up: true, samples: parseSamples(await register.metrics(), chartedFamilies) };
    return { at: new Date().toISOString(), items: [own, ...scraped] };
  }

  private async sagaAction(orderId: string, action: z.infer<typeof SagaAction>): Promise<UpstreamAnswer> {
    switch (action) {
      case 'retry':
      case 'compensate':
        return this.orchestrator('POST', `/admin/sagas/${orderId}/${action}`);
      case 'cancel': {
        // The customer's own cancellation, on the customer's behalf: the order service decides whether it still can.
        const saga = await this.orchestrator('GET', `/sagas/${orderId}`);
        if (saga.status !== 200) return saga;
        const clientId = SagaData.parse(JSON.parse(saga.body)).data.clientId;
        return answering(() => this.upstreams.call('order', { method: 'POST', path: `/orders/${orderId}/cancel`, clientId }));
      }
      default: {
        const unknown: never = action;
        throw new HttpProblem(400, 'Unknown action', String(unknown));
      }
    }
  }

  private orchestrator(method: 'GET' | 'POST', path: string): Promise<UpstreamAnswer> {
    return answering(() => this.upstreams.call('orchestrator', { method, path }));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { body: text.slice(0, 500) };
  }
}
