import { z } from 'zod';
import { ContractError } from './errors.js';
import type { Topic } from './topics.js';

/**
 * How a message type may evolve (ADR 0015):
 * - `event`: backward-transitive. Today's reader reads every version ever published, after upcasting;
 *   readers are upgraded before writers, so nothing promises an old reader a newer event.
 * - `command` and `reply`: full, with the previous version. Both sides of a saga step are upgraded in
 *   any order: today's reader reads the previous version, and the previous reader reads today's.
 */
export type MessageKind = 'event' | 'command' | 'reply';
export type CompatibilityRule = 'BACKWARD_TRANSITIVE' | 'FULL';
export const ruleOf = (kind: MessageKind): CompatibilityRule => (kind === 'event' ? 'BACKWARD_TRANSITIVE' : 'FULL');

export type Service = 'gateway' | 'order' | 'inventory' | 'payment' | 'shipping' | 'orchestrator';

/** Turns one version's data into the next version's. Absent: the next version reads the data as it is. */
export type Upcaster = (data: unknown) => unknown;

/** Every published version of one message's data, oldest first, and the steps between them. */
export interface History<S extends z.ZodType = z.ZodType> {
  /** `versions[i]` is the schema of version i + 1. */
  readonly versions: readonly z.ZodType[];
  /** `upcasters[i]` turns version i + 1 into version i + 2. */
  readonly upcasters: readonly (Upcaster | undefined)[];
  /**
   * `forwardBreaks[i]`, when set, says why a version i + 1 reader cannot read version i + 2: a
   * deliberate exception to FULL, named in the catalog, shown in docs/asyncapi.yaml and proved
   * by `npm run contracts:check` to be a real break (a stale declaration fails the check).
   */
  readonly forwardBreaks: readonly (string | undefined)[];
  readonly current: S;
  /**
   * The next published version. Without an upcaster the change must be compatible as it stands
   * (an optional field, a field with a default); `npm run contracts:check` proves it.
   * `breaksForward` (commands and replies only) declares that the previous reader cannot read
   * this version, and why; the deployment order it forces belongs in an ADR.
   */
  next<N extends z.ZodType>(schema: N, upcast?: (data: z.output<S>) => z.input<N>, options?: { breaksForward: string }): History<N>;
}

export function versioned<S extends z.ZodType>(first: S): History<S> {
  return history([first], [], []);
}

function history<S extends z.ZodType>(versions: readonly z.ZodType[], upcasters: readonly (Upcaster | undefined)[], forwardBreaks: readonly (string | undefined)[]): History<S> {
  return {
    versions,
    upcasters,
    forwardBreaks,
    current: versions[versions.length - 1] as S,
    next: <N extends z.ZodType>(schema: N, upcast?: (data: z.output<S>) => z.input<N>, options?: { breaksForward: string }) =>
      history<N>([...versions, schema], [...upcasters, upcast as Upcaster | undefined], [...forwardBreaks, options?.breaksForward]),
  };
}

/** Why a reader at `readerVersion` cannot read the version after it, when that step was declared a forward break. */
export const forwardBreak = (spec: MessageSpec, readerVersion: number): string | undefined => spec.history.forwardBreaks[readerVersion - 1];

/** One message type: how it evolves, where it travels and who writes and reads it. */
export interface MessageSpec<S extends z.ZodType = z.ZodType> {
  readonly kind: MessageKind;
  readonly topic: Topic;
  /** The Kafka key, so one order's (or one SKU's) messages stay in order. */
  readonly key: 'orderId' | 'sku';
  readonly producer: Service;
  /** Services that act on it (others on the topic skip it). */
  readonly consumers: readonly Service[];
  readonly summary: string;
  readonly history: History<S>;
}

export const message = <S extends z.ZodType>(spec: Omit<MessageSpec<S>, 'history'>, history: History<S>): MessageSpec<S> => ({ ...spec, history });

export const currentVersion = (spec: MessageSpec): number => spec.history.versions.length;

/**
 * The versions a reader at `readerVersion` accepts: every older one (upcast), its own, and,
 * where the rule is FULL, the next one (read with its own schema, unknown fields dropped).
 */
export function readableBy(spec: MessageSpec, readerVersion: number, writerVersion: number): boolean {
  if (!Number.isInteger(writerVersion) || writerVersion < 1) return false;
  if (writerVersion <= readerVersion) return true;
  return ruleOf(spec.kind) === 'FULL' && writerVersion === readerVersion + 1 && forwardBreak(spec, readerVersion) === undefined;
}

/**
 * Reads `data` written at `writerVersion` as a reader built at `readerVersion` would: validate it
 * against the version it claims, upcast step by step, and validate the result against the reader's
 * own schema. The compatibility check runs past readers through this same function.
 */
export function readAs(type: string, spec: MessageSpec, readerVersion: number, writerVersion: number, data: unknown): unknown {
  if (!readableBy(spec, readerVersion, writerVersion)) {
    throw new ContractError('UNSUPPORTED_VERSION', `${type} v${writerVersion}; this consumer reads v1 to v${readerVersion}`);
  }
  const { versions, upcasters } = spec.history;
  // A newer FULL-compatible version is read with the reader's own (open) schema: unknown fields drop.
  if (writerVersion > readerVersion) return validate(type, readerVersion, versions[readerVersion - 1]!, data);
  let current = validate(type, writerVersion, versions[writerVersion - 1]!, data);
  for (let version = writerVersion; version < readerVersion; version++) {
    const upcast = upcasters[version - 1];
    let next: unknown;
    try {
      next = upcast ? upcast(current) : current;
    } catch (cause) {
      throw new ContractError('INVALID_SHAPE', `${type} v${version} could not be upcast to v${version + 1}`, { cause });
    }
    current = validate(type, version + 1, versions[version]!, next);
  }
  return current;
}

function validate(type: string, version: number, schema: z.ZodType, data: unknown): unknown {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(data)').join(', ');
    throw new ContractError('INVALID_SHAPE', `${type} v${version}: ${fields}: ${parsed.error.message}`, { cause: parsed.error });
  }
  return parsed.data;
}
