/**
 * Cross-reference rules on one rendered overlay: what the API server accepts
 * but a cluster then silently gets wrong (a Service with no endpoints, an HPA
 * scaling nothing, a policy isolating no pod, a pod waiting for a missing Secret).
 */
import { hasPort, isWorkload, podsSelected, selects, type Selector, type Workload } from './objects.ts';
import { idOf, type K8sObject } from './render.ts';

export interface Finding {
  rule: string;
  object: string;
  message: string;
}

export interface OverlayExpectations {
  production: boolean;
  /** Secrets the operator creates (never rendered, never committed). */
  externalSecrets: string[];
  namespace: string;
}

type Rule = (objects: K8sObject[], workloads: Workload[], expectations: OverlayExpectations) => Finding[];
const finding = (rule: string, object: K8sObject, message: string): Finding => ({ rule, object: idOf(object), message });
const spec = <T>(object: K8sObject) => object.spec as T;

const workloadSelectors: Rule = (_, workloads) =>
  workloads.flatMap((workload) =>
    selects(workload.spec.selector, workload.spec.template.metadata.labels) ? [] : [finding('workload-selector', workload, 'spec.selector does not match the pod template labels')],
  );

const services: Rule = (objects, workloads) =>
  objects
    .filter((object) => object.kind === 'Service')
    .flatMap((service) => {
      const { selector, ports } = spec<{ selector?: Record<string, string>; ports: { port: number; targetPort?: string | number }[] }>(service);
      const pods = podsSelected(workloads, { matchLabels: selector });
      if (!selector || pods.length === 0) return [finding('service-selects', service, `selector ${JSON.stringify(selector)} matches no pod template`)];
      return ports.flatMap((port) => {
        const target = port.targetPort ?? port.port;
        return pods.every((pod) => hasPort(pod.spec.template.spec, target)) ? [] : [finding('service-ports', service, `targetPort ${target} is not a container port of ${pods.map(idOf).join(', ')}`)];
      });
    });

const budgets: Rule = (objects, workloads) =>
  objects
    .filter((object) => object.kind === 'PodDisruptionBudget')
    .flatMap((budget) => (podsSelected(workloads, spec<{ selector: Selector }>(budget).selector).length > 0 ? [] : [finding('pdb-selects', budget, 'selector matches no pod template')]));

const autoscalers: Rule = (objects, workloads) =>
  objects
    .filter((object) => object.kind === 'HorizontalPodAutoscaler')
    .flatMap((autoscaler) => {
      const { scaleTargetRef, minReplicas = 1, maxReplicas, metrics = [] } = spec<{ scaleTargetRef: { kind: string; name: string }; minReplicas?: number; maxReplicas: number; metrics?: { type: string; resource?: { name: string } }[] }>(autoscaler);
      const target = workloads.find((workload) => workload.kind === scaleTargetRef.kind && workload.metadata.name === scaleTargetRef.name);
      if (!target) return [finding('hpa-target', autoscaler, `scaleTargetRef ${scaleTargetRef.kind}/${scaleTargetRef.name} is not rendered`)];
      const findings: Finding[] = [];
      const replicas = target.spec.replicas ?? 1;
      if (replicas < minReplicas || replicas > maxReplicas) findings.push(finding('hpa-target', autoscaler, `${idOf(target)} starts with ${replicas} replicas, outside ${minReplicas}..${maxReplicas}`));
      for (const metric of metrics.filter((entry) => entry.type === 'Resource')) {
        const name = metric.resource!.name;
        if (!target.spec.template.spec.containers.every((container) => container.resources?.requests?.[name])) findings.push(finding('hpa-target', autoscaler, `scales on ${name} utilisation but ${idOf(target)} requests no ${name}`));
      }
      return findings;
    });

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}
const networkPolicies: Rule = (objects, workloads) =>
  objects
    .filter((object) => object.kind === 'NetworkPolicy')
    .flatMap((policy) => {
      const { podSelector, ingress = [], egress = [] } = spec<{ podSelector: Selector; ingress?: { from?: Peer[]; ports?: { port?: string | number }[] }[]; egress?: { to?: Peer[] }[] }>(policy);
      const pods = podsSelected(workloads, podSelector);
      const findings: Finding[] = [];
      if (pods.length === 0) findings.push(finding('netpol-selects', policy, `podSelector ${JSON.stringify(podSelector)} matches no pod template`));
      // A peer in this namespace (no namespaceSelector) must be a pod that is rendered here.
      for (const peer of [...ingress.flatMap((rule) => rule.from ?? []), ...egress.flatMap((rule) => rule.to ?? [])]) {
        if (peer.podSelector && !peer.namespaceSelector && podsSelected(workloads, peer.podSelector).length === 0) findings.push(finding('netpol-selects', policy, `peer ${JSON.stringify(peer.podSelector)} matches no pod template`));
      }
      for (const port of ingress.flatMap((rule) => rule.ports ?? [])) {
        if (typeof port.port === 'string' && !pods.every((pod) => hasPort(pod.spec.template.spec, port.port!))) findings.push(finding('netpol-ports', policy, `port ${port.port} is not a container port of every selected pod`));
      }
      return findings;
    });

const references: Rule = (objects, workloads, expectations) => {
  const data = (kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name) as (K8sObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
  const findings: Finding[] = [];
  const need = (workload: Workload, kind: 'ConfigMap' | 'Secret', name: string, key?: string) => {
    if (kind === 'Secret' && expectations.externalSecrets.includes(name)) return;
    const found = data(kind, name);
    if (!found) findings.push(finding('config-refs', workload, `${kind} ${name} is referenced but not rendered${kind === 'Secret' ? ' (nor listed as created by the operator)' : ''}`));
    else if (key && !(key in { ...found.data, ...found.stringData })) findings.push(finding('config-refs', workload, `${kind} ${name} has no key ${key}`));
  };
  for (const workload of workloads) {
    for (const container of workload.spec.template.spec.containers) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) need(workload, 'ConfigMap', source.configMapRef.name);
        if (source.secretRef) need(workload, 'Secret', source.secretRef.name);
      }
      for (const variable of container.env ?? []) {
        const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
        if (secretKeyRef) need(workload, 'Secret', secretKeyRef.name, secretKeyRef.key);
        if (configMapKeyRef) need(workload, 'ConfigMap', configMapKeyRef.name, configMapKeyRef.key);
      }
      for (const [kind, probe] of Object.entries({ readiness: container.readinessProbe, liveness: container.livenessProbe, startup: container.startupProbe })) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (port !== undefined && !hasPort(workload.spec.template.spec, port)) findings.push(finding('probe-ports', workload, `${kind} probe port ${port} is not a container port`));
      }
    }
  }
  return findings;
};

const namespaces: Rule = (objects, _, expectations) => {
  const findings: Finding[] = [];
  if (!objects.some((object) => object.kind === 'Namespace' && object.metadata.name === expectations.namespace)) findings.push({ rule: 'namespace', object: `Namespace/${expectations.namespace}`, message: 'is not rendered' });
  for (const object of objects.filter((entry) => entry.kind !== 'Namespace' && entry.metadata.namespace !== expectations.namespace)) findings.push(finding('namespace', object, `is in namespace ${object.metadata.namespace ?? '(none)'}, not ${expectations.namespace}`));
  return findings;
};

export const crossReferenceRules: Rule[] = [workloadSelectors, services, budgets, autoscalers, networkPolicies, references, namespaces];

export const crossReferenceFindings = (objects: K8sObject[], expectations: OverlayExpectations): Finding[] => {
  const workloads = objects.filter(isWorkload);
  return crossReferenceRules.flatMap((rule) => rule(objects, workloads, expectations));
};
