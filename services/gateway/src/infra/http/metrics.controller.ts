import { Controller, UseGuards } from '@nestjs/common';
import { MetricsController } from '@shopfront/http';
import { AdminOnly, CallerGuard } from './caller.guard.js';

/**
 * `GET /metrics` on the public port, only with the admin key (X-API-Key, or
 * `Authorization: Bearer`, which is what Prometheus' scrape `authorization` sends).
 */
@Controller()
@AdminOnly()
@UseGuards(CallerGuard)
export class AdminMetricsController extends MetricsController {}
