import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { HttpProblem, ZodValidationPipe } from '@shopfront/http';
import { withTransaction } from '@shopfront/postgres';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { z } from 'zod';
import { AdvanceSaga } from '../app/saga-inputs.consumer.js';
import type { StoredSaga } from '../app/ports.js';
import { isTerminal, sagaSteps } from '../domain/saga.js';
import { findSaga, listSagas, postponeDeadline, readLog } from './sagas.repository.js';

const SagaParams = z.object({ orderId: z.string().uuid('must be a UUID') });
const ListQuery = z.object({
  status: z.enum(['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Sagas as operators see them: where each stands, and every transition that brought it there. */
@Controller()
export class SagasController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(AdvanceSaga) private readonly sagas: AdvanceSaga,
  ) {}

  @Get('sagas/:orderId')
  async one(@Param(new ZodValidationPipe(SagaParams)) { orderId }: z.infer<typeof SagaParams>) {
    const stored = await findSaga(this.pool, orderId);
    if (!stored) throw new HttpProblem(404, 'Not found', `No saga for order ${orderId}.`);
    return { ...view(stored), log: await readLog(this.pool, orderId) };
  }

  @Get('admin/sagas')
  async list(@Query(new ZodValidationPipe(ListQuery)) query: z.infer<typeof ListQuery>) {
    return { items: (await listSagas(this.pool, query)).map(view) };
  }

  /** Operator: the step waiting for a reply is retried now, as its deadline would (the poller resends its command). */
  @Post('admin/sagas/:orderId/retry')
  @HttpCode(202)
  async retry(@Param(new ZodValidationPipe(SagaParams)) { orderId }: z.infer<typeof SagaParams>) {
    const stored = await this.running(orderId);
    if (stored.saga.deadlineAt === null) throw new HttpProblem(409, 'Nothing to retry', `Saga ${orderId} waits for no reply.`);
    await postponeDeadline(this.pool, orderId, new Date());
    return { orderId, action: 'retry', step: view(stored).step };
  }

  /** Operator: unwind what the saga did, as a cancellation would, whether or not the order service would still accept one. */
  @Post('admin/sagas/:orderId/compensate')
  @HttpCode(202)
  async compensate(@Param(new ZodValidationPipe(SagaParams)) { orderId }: z.infer<typeof SagaParams>) {
    await this.running(orderId);
    const decision = await withTransaction(this.pool, (tx) => this.sagas.advance(tx, orderId, { type: 'OrderCancellationRequested', data: { orderId } }, null));
    if (decision.ignored !== undefined) throw new HttpProblem(409, 'Cannot compensate', `Saga ${orderId}: ${decision.ignored}.`);
    return { orderId, action: 'compensate', status: decision.state?.status };
  }

  private async running(orderId: string): Promise<StoredSaga> {
    const stored = await findSaga(this.pool, orderId);
    if (!stored) throw new HttpProblem(404, 'Not found', `No saga for order ${orderId}.`);
    if (isTerminal(stored.saga)) throw new HttpProblem(409, 'Saga ended', `Saga ${orderId} is ${stored.saga.status}.`);
    return stored;
  }
}

function view({ saga, version, updatedAt }: StoredSaga) {
  const { card, ...data } = saga.data;
  return {
    orderId: saga.orderId,
    status: saga.status,
    phase: saga.phase,
    step: saga.phase === 'NONE' ? null : sagaSteps[saga.stepIndex]!.name,
    stepIndex: saga.stepIndex,
    stepsDone: saga.stepsDone,
    reason: saga.reason,
    attempt: saga.attempt,
    deadlineAt: saga.deadlineAt?.toISOString() ?? null,
    version,
    startedAt: saga.startedAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    // Brand and last four for operators; the token stays inside the platform's messages.
    data: { ...data, card: card === null ? null : `${card.brand} •••• ${card.last4}` },
  };
}
