import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { serviceImports } from '@shopfront/runtime';
import { AdvanceSaga } from './app/advance-saga.js';
import { SAGA_STORE } from './app/ports.js';
import { OrderEventsConsumer, SagaRepliesConsumer } from './app/saga-inputs.consumer.js';
import { SAGA_SETTINGS, type SagaSettings } from './app/settings.js';
import type { OrchestratorConfig } from './config.js';
import { DeadlinePoller } from './infra/deadline.poller.js';
import { InFlightGauge } from './infra/metrics.js';
import { SagaLogRetention } from './infra/saga-log.retention.js';
import { SagasController } from './infra/sagas.controller.js';
import { postgresSagaStore } from './infra/sagas.repository.js';

@Module({})
export class OrchestratorModule {
  static register(config: OrchestratorConfig, logger: Logger): DynamicModule {
    const settings: SagaSettings = {
      policy: { stepTimeoutMs: config.STEP_TIMEOUT_MS, maxAttempts: config.STEP_MAX_ATTEMPTS, backoffCapMs: config.STEP_BACKOFF_CAP_MS },
      pollIntervalMs: config.DEADLINE_POLL_MS,
      pollBatchSize: 100,
      logRetentionDays: config.SAGA_LOG_RETENTION_DAYS,
    };
    return {
      module: OrchestratorModule,
      imports: serviceImports('orchestrator', config, logger),
      controllers: [SagasController],
      providers: [
        { provide: SAGA_SETTINGS, useValue: settings },
        { provide: SAGA_STORE, useValue: postgresSagaStore },
        AdvanceSaga,
        OrderEventsConsumer,
        SagaRepliesConsumer,
        DeadlinePoller,
        InFlightGauge,
        SagaLogRetention,
      ],
    };
  }
}
