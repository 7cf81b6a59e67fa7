import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { HttpProblem, ZodValidationPipe } from '@shopfront/http';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { z } from 'zod';
import { sagaSteps } from '../domain/steps.js';
import { findSaga, listSagas, readLog, type StoredSaga } from './sagas.repository.js';

const SagaParams = z.object({ orderId: z.string().uuid('must be a UUID') });
const ListQuery = z.object({
  status: z.enum(['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Sagas as operators see them: where each stands, and every transition that brought it there. */
@Controller()
export class SagasController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

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
