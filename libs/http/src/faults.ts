import { Injectable } from '@nestjs/common';

export interface FaultSettings {
  latencyMs: number;
  errorRate: number;
}

/** Injected latency and failure for chaos drills; inert unless someone sets it. */
@Injectable()
export class FaultInjector {
  private readonly targets = new Map<string, FaultSettings>();

  set(target: string, settings: FaultSettings): void {
    this.targets.set(target, settings);
  }

  get(target: string): FaultSettings {
    return this.targets.get(target) ?? { latencyMs: 0, errorRate: 0 };
  }

  all(): Record<string, FaultSettings> {
    return Object.fromEntries(this.targets);
  }

  /** Waits the injected latency, then throws with the injected probability. */
  async apply(target: string): Promise<void> {
    const { latencyMs, errorRate } = this.get(target);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (errorRate > 0 && Math.random() < errorRate) throw new InjectedFault(target);
  }
}

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
  constructor(readonly target: string) {
    super(`fault injected into ${target}`);
  }
}
