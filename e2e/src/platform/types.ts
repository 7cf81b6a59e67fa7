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
  /** The last lines a service wrote (containers only), to explain a failure. */
  logTail?(service: ServiceName): string;
  /** The platform's own Postgres, Redis and Kafka, where it has its own (containers only). */
  infrastructure?: InfrastructureControl;
}

export type InfrastructureName = 'postgres' | 'redis' | 'kafka';

export interface InfrastructureControl {
  /** Its Postgres from the host, as the superuser. */
  postgresUrl: string;
  /** SIGKILL: down until `start`. */
  kill(name: InfrastructureName): Promise<void>;
  /** The same container again, its data kept; resolves once it answers. */
  start(name: InfrastructureName): Promise<void>;
  /** SIGTERM, then start; resolves once it answers. */
  restart(name: InfrastructureName): Promise<void>;
  /** A new, empty container under the same network name: a wiped broker, a cache back empty. */
  replace(name: InfrastructureName): Promise<void>;
}
