import 'reflect-metadata';
import { runService } from '@shopfront/runtime';
import { loadGatewayConfig } from './config.js';
import { GatewayModule } from './gateway.module.js';

const config = loadGatewayConfig();
// The public port: the gateway authenticates API keys itself, with admission control the first hook a request meets.
await runService({
  name: 'gateway',
  config,
  port: config.GATEWAY_PORT,
  module: GatewayModule,
  migrations: new URL('../migrations', import.meta.url),
  access: { kind: 'public' },
  configure: GatewayModule.installEdge,
});
