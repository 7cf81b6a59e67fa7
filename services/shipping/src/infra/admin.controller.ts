import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ZodValidationPipe } from '@shopfront/http';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { z } from 'zod';
import { listShipments } from './shipments.repository.js';

const ListQuery = z.object({
  orderId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The service's own records, for operators and for the invariant checks. */
@Controller('admin/shipments')
export class ShipmentsAdminController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Get()
  async list(@Query(new ZodValidationPipe(ListQuery)) query: z.infer<typeof ListQuery>) {
    const shipments = await listShipments(this.pool, query);
    return { items: shipments.map(({ orderId, shipmentId, status, createdAt, updatedAt }) => ({ orderId, shipmentId, status, createdAt, updatedAt })) };
  }
}
