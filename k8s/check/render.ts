/**
 * What a cluster would receive: `kubectl kustomize <dir>`, parsed document by
 * document. The machine's kubectl renders (its kustomize is the one operators run);
 * without one the check fails instead of passing on the sources.
 */
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export type ManifestCheckErrorCode = 'NO_KUBECTL' | 'RENDER_FAILED' | 'BAD_YAML';

export class ManifestCheckError extends Error {
  override readonly name = 'ManifestCheckError';
  readonly code: ManifestCheckErrorCode;
  constructor(code: ManifestCheckErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const kubectl = () => process.env.KUBECTL ?? 'kubectl';

export function render(directory: string): K8sObject[] {
  const result = spawnSync(kubectl(), ['kustomize', directory], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new ManifestCheckError('NO_KUBECTL', `k8s:check renders with \`kubectl kustomize\` and found no ${kubectl()} on PATH: install kubectl (or set KUBECTL to one)`, { cause: result.error });
  }
  if (result.status !== 0) throw new ManifestCheckError('RENDER_FAILED', `kubectl kustomize ${directory} failed:\n${result.stderr || result.error?.message}`);
  const documents = parseAllDocuments(result.stdout);
  const objects: K8sObject[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new ManifestCheckError('BAD_YAML', `${directory}: ${document.errors[0]!.message}`);
    const value = document.toJS() as K8sObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

export const idOf = (object: K8sObject) => `${object.kind}/${object.metadata?.name}`;
