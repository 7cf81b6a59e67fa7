export type ServiceName = 'gateway' | 'order' | 'inventory' | 'payment' | 'shipping' | 'orchestrator';

/** The platform under test, however it was started. */
export interface RunningPlatform {
  mode: 'testcontainers' | 'local-processes';
  gatewayUrl: string;
  /** A service's own URL, for checks against its records. */
  serviceUrl(service: ServiceName): string;
  /** Kills a service abruptly (SIGKILL or container kill); it stays down until `restart`. */
  kill(service: ServiceName): Promise<void>;
  /** Starts it again and waits until it is ready. */
  restart(service: ServiceName): Promise<void>;
  stop(): Promise<void>;
}
