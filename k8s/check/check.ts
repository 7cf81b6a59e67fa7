/**
 * The whole manifest check for one kustomization directory: render, schema,
 * strict fields, cross-references, pod rules; chaos experiments are also
 * checked against the pods of the overlay they target.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isChaos } from './chaos.ts';
import { isWorkload, podsSelected } from './objects.ts';
import { podFindings } from './pod-rules.ts';
import { idOf, render, type K8sObject } from './render.ts';
import { crossReferenceFindings, type Finding, type OverlayExpectations } from './rules.ts';
import { openApiFindings, strictFindings } from './schema.ts';

export const k8sRoot = fileURLToPath(new URL('..', import.meta.url));
const workDir = join(k8sRoot, '../.local/k8s-check');

export const overlays: Record<'development' | 'production', OverlayExpectations> = {
  development: { production: false, externalSecrets: [], namespace: 'shopfront' },
  production: { production: true, externalSecrets: ['shopfront-api-keys', 'shopfront-database', 'shopfront-internal'], namespace: 'shopfront' },
};

export interface CheckResult {
  objects: K8sObject[];
  findings: Finding[];
}

export function checkObjects(objects: K8sObject[], expectations: OverlayExpectations, label: string): Finding[] {
  const manifests = objects.filter((object) => !isChaos(object.apiVersion));
  return [
    ...openApiFindings(objects),
    ...strictFindings(objects, workDir, label),
    ...crossReferenceFindings(manifests, expectations),
    ...podFindings(objects, expectations),
  ];
}

/** Experiments must be well-formed and each selector must pick pods of the overlay they run against. */
export function checkChaos(experiments: K8sObject[], target: K8sObject[], namespace: string): Finding[] {
  const workloads = target.filter(isWorkload);
  const findings = openApiFindings(experiments);
  for (const experiment of experiments) {
    if (!isChaos(experiment.apiVersion)) findings.push({ rule: 'chaos', object: idOf(experiment), message: 'k8s/chaos holds Chaos Mesh experiments only' });
    const spec = experiment.spec as { selector?: { namespaces?: string[]; labelSelectors?: Record<string, string> }; target?: { selector?: { labelSelectors?: Record<string, string> } } };
    for (const selector of [spec.selector, spec.target?.selector]) {
      if (!selector) continue;
      if (podsSelected(workloads, { matchLabels: selector.labelSelectors }).length === 0) findings.push({ rule: 'chaos-selects', object: idOf(experiment), message: `labelSelectors ${JSON.stringify(selector.labelSelectors)} match no pod of the development overlay` });
    }
    if (spec.selector && JSON.stringify(spec.selector.namespaces) !== JSON.stringify([namespace])) findings.push({ rule: 'chaos-selects', object: idOf(experiment), message: `selector.namespaces must be [${namespace}]` });
  }
  return findings;
}

export function checkDirectory(directory: string, expectations: OverlayExpectations, label: string): CheckResult {
  const objects = render(directory);
  return { objects, findings: checkObjects(objects, expectations, label) };
}
