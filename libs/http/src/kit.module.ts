import { Global, Module, type DynamicModule } from '@nestjs/common';
import { FaultInjector } from './faults.js';
import { ReadinessRegistry } from './health.js';
import { FaultsController, HealthController } from './kit.controllers.js';

export interface ServiceKitOptions {
  chaosEnabled: boolean;
}

/** What every service has: health probes, metrics, and (in development) fault injection. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      controllers: options.chaosEnabled ? [HealthController, FaultsController] : [HealthController],
      providers: [ReadinessRegistry, FaultInjector],
      exports: [ReadinessRegistry, FaultInjector],
    };
  }
}
