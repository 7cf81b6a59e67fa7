/**
 * The compatibility check behind `npm run contracts:check` (ADR 0015). For each message type and
 * each pair of versions its rule names, three signals:
 *  1. set-based: is every value the writer's output schema (closed objects) allows also allowed by
 *     the reader's input schema (open objects)? json-schema-diff answers, ignoring enum/const/pattern;
 *  2. samples: seeded values generated from the writer's schema (one per enum value, plus random
 *     ones) read by the real zod reader, through the same `readAs` the codec uses;
 *  3. golden messages: the frozen example of the writer's version, read the same way.
 * Steps bridged by an explicit upcaster skip signal 1 (an upcaster is code, not a schema).
 */
import { forwardBreak, readAs, ruleOf, type MessageSpec } from '@shopfront/contracts';
import jsonSchemaDiff from 'json-schema-diff';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import { z } from 'zod';

export type Signal = 'schema' | 'samples' | 'golden';
export interface Pair {
  writer: number;
  reader: number;
  direction: 'backward' | 'forward';
}
export interface Finding extends Pair {
  type: string;
  signal: Signal;
  field: string;
  detail: string;
}
export interface GoldenSource {
  type: string;
  version: number;
  envelope: { data: unknown };
}

const randomSamples = 24;
const seed = 20_260_115;

/** The pairs a type's rule requires: every older version for events, the previous one both ways otherwise. */
export function requiredPairs(spec: MessageSpec): Pair[] {
  const current = spec.history.versions.length;
  if (current < 2) return [];
  if (ruleOf(spec.kind) === 'BACKWARD_TRANSITIVE') {
    return Array.from({ length: current - 1 }, (_, index) => ({ writer: index + 1, reader: current, direction: 'backward' as const }));
  }
  const backward: Pair = { writer: current - 1, reader: current, direction: 'backward' };
  // A forward break declared in the catalog (ADR 0015) is the one pair left out, and only for that type.
  return forwardBreak(spec, current - 1) === undefined ? [backward, { writer: current, reader: current - 1, direction: 'forward' }] : [backward];
}

export const describePair = (type: string, pair: Pair): string =>
  `${type} v${pair.writer} → v${pair.reader} reader (${pair.direction}: a v${pair.reader} consumer reads v${pair.writer})`;

export async function checkType(type: string, spec: MessageSpec, golden: readonly GoldenSource[] = []): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const pair of requiredPairs(spec)) {
    const add = (signal: Signal, field: string, detail: string) => findings.push({ type, ...pair, signal, field, detail });
    for (const step of schemaSteps(spec, pair)) {
      const refused = await locate(jsonSchema(spec, step.writer, 'output'), jsonSchema(spec, step.reader, 'input'), '');
      for (const field of refused) findings.push({ type, ...step, signal: 'schema', field, detail: 'values the writer may send that the reader refuses' });
    }
    const generated = samples(jsonSchema(spec, pair.writer, 'output'), spec.history.versions[pair.writer - 1]!);
    if (generated.length < randomSamples / 2) add('samples', '(data)', `only ${generated.length} generated samples pass the writer's own schema: the signal would pass silently`);
    for (const sample of generated) {
      const refused = refusal(type, spec, pair, sample);
      if (refused) add('samples', refused.field, `${refused.detail}; sample ${JSON.stringify(sample)}`);
    }
    for (const example of golden.filter((entry) => entry.type === type && entry.version === pair.writer)) {
      const refused = refusal(type, spec, pair, example.envelope.data);
      if (refused) add('golden', refused.field, refused.detail);
    }
  }
  findings.push(...(await staleForwardBreaks(type, spec, golden)));
  return dedupe(findings);
}

/**
 * A declared forward break must be one: on a command or reply, on the latest step, and the previous
 * reader's own schema must refuse the current version's golden message and samples. Otherwise the
 * declaration would only hide a pair the rule requires.
 */
async function staleForwardBreaks(type: string, spec: MessageSpec, golden: readonly GoldenSource[]): Promise<Finding[]> {
  const current = spec.history.versions.length;
  const pair: Pair = { writer: current, reader: current - 1, direction: 'forward' };
  const findings: Finding[] = [];
  spec.history.forwardBreaks.forEach((reason, index) => {
    if (reason === undefined) return;
    const at: Pair = { writer: index + 2, reader: index + 1, direction: 'forward' };
    if (ruleOf(spec.kind) !== 'FULL') findings.push({ type, ...at, signal: 'schema', field: '(data)', detail: `a forward break is declared on an ${spec.kind}, whose rule promises no forward read` });
    else if (index + 2 !== current) findings.push({ type, ...at, signal: 'schema', field: '(data)', detail: 'a forward break may only be declared on the latest version' });
  });
  if (forwardBreak(spec, current - 1) === undefined || findings.length > 0) return findings;
  const previous = spec.history.versions[current - 2]!;
  const written = [...samples(jsonSchema(spec, current, 'output'), spec.history.versions[current - 1]!), ...golden.filter((entry) => entry.type === type && entry.version === current).map((entry) => entry.envelope.data)];
  const read = written.filter((data) => previous.safeParse(data).success);
  if (written.length === 0 || read.length > 0) {
    findings.push({ type, ...pair, signal: read.length > 0 ? 'samples' : 'golden', field: '(data)', detail: `declared as a forward break, but the v${current - 1} reader reads ${read.length} of ${written.length} v${current} messages: remove the declaration or make the break real` });
  }
  return findings;
}

export const formatFinding = (finding: Finding): string =>
  `${describePair(finding.type, finding)}: field '${finding.field}' [${finding.signal}] ${finding.detail}`;

/**
 * Where the set-based comparison applies. A reader reads an older version step by step (each
 * version's schema, then its upcaster), so a backward pair is the chain of its steps; a step with
 * an upcaster is code, not a schema, and is left to the samples and golden messages.
 */
function schemaSteps(spec: MessageSpec, pair: Pair): Pair[] {
  if (pair.direction === 'forward') return [pair];
  const steps: Pair[] = [];
  for (let version = pair.writer; version < pair.reader; version++) {
    if (!spec.history.upcasters[version - 1]) steps.push({ writer: version, reader: version + 1, direction: 'backward' });
  }
  return steps;
}

function jsonSchema(spec: MessageSpec, version: number, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(spec.history.versions[version - 1]!, { io, target: 'draft-7', unrepresentable: 'any' });
  return schema as JsonSchema;
}

function refusal(type: string, spec: MessageSpec, pair: Pair, data: unknown): { field: string; detail: string } | undefined {
  try {
    readAs(type, spec, pair.reader, pair.writer, data);
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const issues = cause instanceof z.ZodError ? cause.issues : [];
    const field = issues.map((issue) => issue.path.join('.') || '(data)').join(', ') || '(upcaster)';
    return { field, detail: issues.map((issue) => issue.message).join('; ') || String((error as Error).message) };
  }
}

/** The fields behind a set-based incompatibility, found by descending into both schemas where they differ. */
async function locate(writer: JsonSchema, reader: JsonSchema, path: string): Promise<string[]> {
  const { removalsFound } = await jsonSchemaDiff.diffSchemas({ sourceSchema: writer as object, destinationSchema: reader as object });
  if (!removalsFound) return [];
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (isObjectSchema(writer) && isObjectSchema(reader)) {
    const written = new Set(writer.required ?? []);
    const fields = (reader.required ?? []).filter((key) => !written.has(key)).map(at);
    for (const [key, schema] of Object.entries(writer.properties ?? {})) {
      const read = reader.properties?.[key];
      if (read !== undefined) fields.push(...(await locate(schema, read, at(key))));
      else if (reader.additionalProperties === false) fields.push(at(key));
    }
    return fields.length > 0 ? fields : [path || '(data)'];
  }
  if (isArraySchema(writer) && isArraySchema(reader)) {
    const fields = await locate(writer.items, reader.items, `${path}[]`);
    return fields.length > 0 ? fields : [path || '(data)'];
  }
  return [path || '(data)'];
}

type ObjectSchema = { type: 'object'; properties?: Record<string, JsonSchema>; required?: string[]; additionalProperties?: unknown };
const isObjectSchema = (schema: JsonSchema): schema is JsonSchema & ObjectSchema =>
  typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'object';
const isArraySchema = (schema: JsonSchema): schema is JsonSchema & { items: JsonSchema } =>
  typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'array' && typeof (schema as { items?: unknown }).items === 'object';

/**
 * Seeded values from the writer's schema: one per value of every enum (pinned, with every optional
 * field present, so a widened or narrowed enum cannot hide behind chance), then random ones.
 */
export function samples(writerSchema: JsonSchema, writer: z.ZodType): unknown[] {
  const schema = everydayIntegers(writerSchema);
  const pinned = enumPaths(schema).flatMap(({ path, values }) => values.map((value) => pin(schema, path, value)));
  const fixed = pinned.map((variant, index) => generateSync(variant, { seed: seed + index, alwaysFakeOptionals: true, fillProperties: false }));
  const random = Array.from({ length: randomSamples }, (_, index) => generateSync(schema, { seed: seed + 1_000 + index, optionalsProbability: 0.5, fillProperties: false }));
  // A refinement JSON Schema cannot express (say, a total that must stay a safe integer) is still the
  // writer's: what its own schema refuses, it never sends.
  return [...fixed, ...random].filter((sample) => writer.safeParse(sample).success);
}

/**
 * zod bounds every integer by ±2^53; values that large make sums overflow, so the writer's own
 * schema would refuse nearly every sample. Within a million they stay realistic and still valid.
 */
function everydayIntegers<T>(node: T): T {
  if (Array.isArray(node)) return node.map(everydayIntegers) as T;
  if (typeof node !== 'object' || node === null) return node;
  const copy = Object.fromEntries(Object.entries(node).map(([key, child]) => [key, everydayIntegers(child)])) as Record<string, unknown>;
  if (copy.type === 'integer') {
    if (copy.maximum === Number.MAX_SAFE_INTEGER) copy.maximum = 1_000_000;
    if (copy.minimum === Number.MIN_SAFE_INTEGER) copy.minimum = -1_000_000;
  }
  return copy as T;
}

type Path = (string | number)[];
function enumPaths(node: unknown, path: Path = []): { path: Path; values: unknown[] }[] {
  if (typeof node !== 'object' || node === null) return [];
  const here = Array.isArray((node as { enum?: unknown }).enum) ? [{ path, values: (node as { enum: unknown[] }).enum }] : [];
  return [...here, ...Object.entries(node).flatMap(([key, child]) => enumPaths(child, [...path, Array.isArray(node) ? Number(key) : key]))];
}

function pin(schema: JsonSchema, path: Path, value: unknown): JsonSchema {
  const copy = structuredClone(schema) as Record<string | number, unknown>;
  const node = path.reduce<Record<string | number, unknown>>((parent, key) => parent[key] as Record<string | number, unknown>, copy);
  node.enum = [value];
  return copy as JsonSchema;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.writer}/${finding.reader}/${finding.signal}/${finding.field}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
