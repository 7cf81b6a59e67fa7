import 'reflect-metadata';
import { runService } from '@shopfront/runtime';
import { loadInventoryConfig } from './config.js';
import { InventoryModule } from './inventory.module.js';

const config = loadInventoryConfig();
await runService({ name: 'inventory', config, port: config.INVENTORY_PORT, module: InventoryModule, migrations: new URL('../migrations', import.meta.url) });
