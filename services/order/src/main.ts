import 'reflect-metadata';
import { eventStoreMigrations } from '@shopfront/event-store';
import { runService } from '@shopfront/runtime';
import { loadOrderConfig } from './config.js';
import { OrderModule } from './order.module.js';

const config = loadOrderConfig();
await runService({ name: 'order', config, port: config.ORDER_PORT, module: OrderModule, migrations: new URL('../migrations', import.meta.url), libraryMigrations: eventStoreMigrations });
