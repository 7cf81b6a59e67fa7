/** Typed views of rendered objects, and label selection as the API server does it. */
import type { K8sObject } from './render.ts';

export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: unknown;
}
export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsUser?: number; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: { labelSelector?: Selector; matchLabelKeys?: string[]; topologyKey: string }[];
  volumes?: { name: string }[];
}
export interface Workload extends K8sObject {
  spec: { replicas?: number; selector: Selector; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

export const isWorkload = (object: K8sObject): object is Workload => object.kind === 'Deployment' || object.kind === 'StatefulSet';

export function selects(selector: Selector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && (expression.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(expression.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return expression.operator satisfies never;
    }
  });
  return byLabel && byExpression;
}

/** The workloads whose pods a selector picks; an empty selector picks every pod. */
export const podsSelected = (workloads: Workload[], selector: Selector | undefined) => workloads.filter((workload) => selects(selector, workload.spec.template.metadata.labels));

/** A probe's or Service's port, by name or number, among a pod's container ports. */
export const hasPort = (pod: PodSpec, port: string | number) =>
  pod.containers.some((container) => (container.ports ?? []).some((entry) => (typeof port === 'number' ? entry.containerPort === port : entry.name === port)));
