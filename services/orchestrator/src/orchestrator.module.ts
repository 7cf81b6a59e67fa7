import { serviceModule } from '@shopfront/runtime';
import { SAGA_STORE } from './app/ports.js';
import { AdvanceSaga, OrderEventsConsumer, SagaRepliesConsumer } from './app/saga-inputs.consumer.js';
import { SAGA_SETTINGS, type SagaSettings } from './app/settings.js';
import type { OrchestratorConfig } from './config.js';
import { DeadlinePoller } from './infra/deadline.poller.js';
import { InFlightGauge } from './infra/metrics.js';
import { SagaLogRetention } from './infra/saga-log.retention.js';
import { SagasController } from './infra/sagas.controller.js';
import { postgresSagaStore } from './infra/sagas.repository.js';

export const OrchestratorModule = serviceModule('orchestrator', (config: OrchestratorConfig) => {
  const settings: SagaSettings = {
    policy: { stepTimeoutMs: config.STEP_TIMEOUT_MS, maxAttempts: config.STEP_MAX_ATTEMPTS, backoffCapMs: config.STEP_BACKOFF_CAP_MS },
    pollIntervalMs: config.DEADLINE_POLL_MS,
    pollBatchSize: 100,
    logRetentionDays: config.SAGA_LOG_RETENTION_DAYS,
  };
  return {
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
});
