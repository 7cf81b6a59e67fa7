import 'reflect-metadata';
import { runService } from '@shopfront/runtime';
import { loadOrchestratorConfig } from './config.js';
import { OrchestratorModule } from './orchestrator.module.js';

const config = loadOrchestratorConfig();
await runService({ name: 'orchestrator', config, port: config.ORCHESTRATOR_PORT, module: OrchestratorModule, migrations: new URL('../migrations', import.meta.url) });
