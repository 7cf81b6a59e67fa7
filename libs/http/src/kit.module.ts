import { Global, Module, type DynamicModule } from '@nestjs/common';
import { FaultInjector } from './faults.js';
import { ReadinessRegistry } from './health.js';
import { FaultsController, HealthController, MetricsController } from './kit.controllers.js';

export interface ServiceKitOptions {
  chaosEnabled: boolean;
  /** Off on the gateway: its only fault route is the admin one, behind the admin key. */
  faultRoutes?: boolean;
  /** Off on the gateway: its public port serves metrics only with the admin key. */
  openMetrics?: boolean;
}

/** What every service has: health probes, metrics, and (in development) fault injection. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      controllers: [
        HealthController,
        ...(options.openMetrics === false ? [] : [MetricsController]),
        ...(options.chaosEnabled && options.faultRoutes !== false ? [FaultsController] : []),
      ],
      providers: [ReadinessRegistry, FaultInjector],
      exports: [ReadinessRegistry, FaultInjector],
    };
  }
}
