import { EventStoreError } from './errors.js';

/** Turns one stored version of an event type into the next; chained until current. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast: (data: unknown, metadata: Record<string, unknown>) => unknown;
}

/** Reads old shapes as the current one: events are never rewritten in place. */
export function upcast(type: string, schemaVersion: number, data: unknown, metadata: Record<string, unknown>, upcasters: readonly Upcaster[]): { schemaVersion: number; data: unknown } {
  let version = schemaVersion;
  let current = data;
  for (;;) {
    const next = upcasters.find((candidate) => candidate.type === type && candidate.fromVersion === version);
    if (!next) return { schemaVersion: version, data: current };
    try {
      current = next.upcast(current, metadata);
    } catch (cause) {
      throw new EventStoreError('UPCAST_FAILED', `${type} v${version} could not be upcast`, { cause });
    }
    version++;
  }
}
