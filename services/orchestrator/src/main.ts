import 'reflect-metadata';
import { startHttpService } from '@shopfront/http';
import { createLogger } from '@shopfront/observability';
import { prepareDatabase } from '@shopfront/runtime';
import { fileURLToPath } from 'node:url';
import { loadOrchestratorConfig } from './config.js';
import { OrchestratorModule } from './orchestrator.module.js';

const config = loadOrchestratorConfig();
const logger = createLogger('orchestrator', config.LOG_LEVEL);

await prepareDatabase(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)));
await startHttpService(OrchestratorModule.register(config, logger), {
  name: 'orchestrator',
  port: config.ORCHESTRATOR_PORT,
  host: config.HOST,
  logger,
  chaosEnabled: config.CHAOS_ENABLED,
  access: { kind: 'internal', secret: config.INTERNAL_AUTH_SECRET },
});
