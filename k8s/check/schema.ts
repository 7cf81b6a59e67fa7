/**
 * Schema checks on rendered objects: the Kubernetes OpenAPI through
 * kubernetes-models (types, enums, required fields, quantities), then a strict
 * pass that refuses unknown fields, which the OpenAPI schemas let through: every
 * object is written out as a typed literal of its model's interface and compiled
 * with `tsc --strict` (excess-property checks).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { chaosSchemas, isChaos } from './chaos.ts';
import { models } from './models.ts';
import { idOf, type K8sObject } from './render.ts';
import type { Finding } from './rules.ts';

const keyOf = (object: K8sObject) => `${object.apiVersion}/${object.kind}`;

export function openApiFindings(objects: K8sObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const object of objects) {
    if (isChaos(object.apiVersion)) {
      const schema = chaosSchemas[object.kind as keyof typeof chaosSchemas];
      if (!schema) findings.push({ rule: 'schema', object: idOf(object), message: `no schema for Chaos Mesh kind ${object.kind} (k8s/check/chaos.ts)` });
      else {
        const result = schema.safeParse(object);
        if (!result.success) for (const issue of result.error.issues) findings.push({ rule: 'strict', object: idOf(object), message: `${issue.path.join('.')}: ${issue.message}` });
      }
      continue;
    }
    const model = models[keyOf(object)];
    if (!model) {
      findings.push({ rule: 'schema', object: idOf(object), message: `no schema for ${keyOf(object)}: add its model to k8s/check/models.ts` });
      continue;
    }
    try {
      model.create(object).validate();
    } catch (error) {
      findings.push({ rule: 'schema', object: idOf(object), message: (error as Error).message });
    }
  }
  return findings;
}

/** Compiles every (non-chaos) object as a literal of its interface; returns one finding per compiler error. */
export function strictFindings(objects: K8sObject[], workDir: string, label: string): Finding[] {
  const typed = objects.filter((object) => !isChaos(object.apiVersion) && models[keyOf(object)]);
  const types = [...new Set(typed.map((object) => models[keyOf(object)]!))];
  const lines = types.map((model) => `import type { ${model.typeName} } from '${model.typeModule}';`);
  const owners: string[] = lines.map(() => '');
  typed.forEach((object, index) => {
    const literal = `export const o${index}: ${models[keyOf(object)]!.typeName} = ${JSON.stringify(object, null, 1)};`.split('\n');
    lines.push(...literal);
    owners.push(...literal.map(() => idOf(object)));
  });
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, `${label}.ts`);
  writeFileSync(file, lines.join('\n'));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    return { rule: 'strict', object: owners[line] || file, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\s+/g, ' ').slice(0, 400) };
  });
}
