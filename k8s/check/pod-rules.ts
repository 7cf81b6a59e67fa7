/**
 * What every service pod must be (the shape the emulation and the runbook rely
 * on), what the images actually read, and what production must never carry.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drainMs, serviceNames } from '../../tools/runner/services.ts';
import { isWorkload, podsSelected, selects, type Container, type Selector, type Workload } from './objects.ts';
import { idOf, type K8sObject } from './render.ts';
import type { Finding, OverlayExpectations } from './rules.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const finding = (rule: string, object: K8sObject, message: string): Finding => ({ rule, object: idOf(object), message });

/** The uid the service image runs as (its numeric USER), which the pods must match. */
export const imageUid = (): number => Number(/^USER (\d+)/m.exec(read('infra/docker/service.Dockerfile'))?.[1] ?? Number.NaN);

/** The service an image is built from: shopfront/<service>:<tag>, under any registry. */
export const serviceOfImage = (image: string) => serviceNames.find((name) => new RegExp(`(^|/)shopfront/${name}(:|@|$)`).test(image));

const tsFiles = (dir: string): string[] =>
  readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath, entry.name));

/** Source a container of this image reads its environment with; undefined for images not built here. */
function readerSource(image: string): string | undefined {
  const service = serviceOfImage(image);
  if (service) return [read(`services/${service}/src/config.ts`), read('libs/config/src/index.ts'), ...tsFiles('libs/observability/src').map((file) => readFileSync(file, 'utf8'))].join('\n');
  if (/(^|\/)local\/kafka:/.test(image)) return read('infra/images/kafka/entrypoint.sh') + read('infra/images/kafka/Dockerfile');
  return undefined;
}
// Read by Node or the OS, not by our code.
const platformVariables = new Set(['NODE_ENV', 'NODE_OPTIONS', 'TZ']);

/** Every variable a container gets (env and envFrom), with the value when it is literal. */
export function environmentOf(container: Container, objects: K8sObject[]): Map<string, string | undefined> {
  const variables = new Map<string, string | undefined>();
  for (const source of container.envFrom ?? []) {
    const map = source.configMapRef && (objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === source.configMapRef!.name) as { data?: Record<string, string> } | undefined);
    for (const [name, value] of Object.entries(map?.data ?? {})) variables.set(name, value);
  }
  for (const variable of container.env ?? []) variables.set(variable.name, variable.value);
  return variables;
}

function servicePod(workload: Workload, objects: K8sObject[]): Finding[] {
  const findings: Finding[] = [];
  const fail = (rule: string, message: string) => findings.push(finding(rule, workload, message));
  const pod = workload.spec.template.spec;
  const container = pod.containers[0]!;
  const name = serviceOfImage(container.image)!;
  const { requests = {}, limits = {} } = container.resources ?? {};
  if (!requests.cpu || !requests.memory || !limits.memory) fail('resources', 'needs cpu and memory requests and a memory limit');
  if (container.readinessProbe?.httpGet?.path !== '/health/ready') fail('probes', 'readiness probe must be GET /health/ready');
  if (container.livenessProbe?.httpGet?.path !== '/health/live' || container.startupProbe?.httpGet?.path !== '/health/live') fail('probes', 'liveness and startup probes must be GET /health/live');
  const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
  if (preStop < 1) fail('grace', 'needs a preStop sleep so endpoints drop the pod before SIGTERM');
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (grace < preStop + drainMs / 1000) fail('grace', `terminationGracePeriodSeconds ${grace} < preStop ${preStop} s + the runner's drain ${drainMs / 1000} s`);
  const uid = imageUid();
  const security = container.securityContext ?? {};
  if (pod.securityContext?.runAsNonRoot !== true || pod.securityContext?.runAsUser !== uid) fail('pod-security', `must run as non-root uid ${uid}, the service image's USER`);
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') fail('pod-security', 'needs seccompProfile RuntimeDefault');
  if (security.allowPrivilegeEscalation !== false || security.readOnlyRootFilesystem !== true || !security.capabilities?.drop?.includes('ALL')) fail('pod-security', 'needs allowPrivilegeEscalation false, readOnlyRootFilesystem true, capabilities drop ALL');
  if (!container.volumeMounts?.some((mount) => mount.mountPath === '/tmp')) fail('pod-security', 'a read-only root needs a writable /tmp volume');
  const labels = workload.spec.template.metadata.labels;
  const spreads = pod.topologySpreadConstraints ?? [];
  // matchLabelKeys adds the pod's own values for those keys to the selector.
  const ownSelector = (constraint: (typeof spreads)[number]) => ({
    matchLabels: { ...constraint.labelSelector?.matchLabels, ...Object.fromEntries((constraint.matchLabelKeys ?? []).filter((key) => key in labels).map((key) => [key, labels[key]!])) },
    matchExpressions: constraint.labelSelector?.matchExpressions,
  });
  if (spreads.length === 0 || !spreads.every((constraint) => selects(ownSelector(constraint), labels))) fail('topology-spread', 'needs topologySpreadConstraints that select the pod itself');
  const port = environmentOf(container, objects).get(`${name.toUpperCase()}_PORT`);
  if (!container.ports?.some((entry) => String(entry.containerPort) === port)) fail('service-ports', `${name.toUpperCase()}_PORT=${port} is not its container port`);
  const selectorOf = (object: K8sObject) => {
    const selector = (object.spec as { selector?: Record<string, string> & Selector }).selector;
    return object.kind === 'Service' ? { matchLabels: selector } : selector;
  };
  const selecting = (kind: string) => objects.filter((object) => object.kind === kind && podsSelected([workload], selectorOf(object)).length > 0);
  for (const kind of ['Service', 'PodDisruptionBudget']) if (selecting(kind).length === 0) fail('coverage', `no ${kind} selects it`);
  if (!objects.some((object) => object.kind === 'HorizontalPodAutoscaler' && (object.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === workload.metadata.name)) fail('coverage', 'no HorizontalPodAutoscaler scales it');
  return findings;
}

function unreadVariables(workload: Workload, objects: K8sObject[]): Finding[] {
  return workload.spec.template.spec.containers.flatMap((container) => {
    const source = readerSource(container.image);
    if (!source) return [];
    return [...environmentOf(container, objects).keys()]
      .filter((variable) => !platformVariables.has(variable) && !new RegExp(`\\b${variable}\\b`).test(source))
      .map((variable) => finding('env-read', workload, `${container.image} never reads ${variable}`));
  });
}

/** Consumer-lag metrics must name consumer groups the scaled service really has (`name: '<group>'` in its modules). */
function lagGroups(objects: K8sObject[], workloads: Workload[]): Finding[] {
  type Metric = { type: string; external?: { metric: { name: string; selector?: { matchExpressions?: { key: string; values?: string[] }[] } } } };
  return objects
    .filter((object) => object.kind === 'HorizontalPodAutoscaler')
    .flatMap((autoscaler) => {
      const { scaleTargetRef, metrics = [] } = autoscaler.spec as { scaleTargetRef: { name: string }; metrics?: Metric[] };
      const target = workloads.find((workload) => workload.metadata.name === scaleTargetRef.name);
      const service = target && serviceOfImage(target.spec.template.spec.containers[0]!.image);
      const groups = metrics.filter((metric) => metric.external?.metric.name === 'kafka_consumer_lag').flatMap((metric) => metric.external!.metric.selector?.matchExpressions?.filter((expression) => expression.key === 'group').flatMap((expression) => expression.values ?? []) ?? []);
      if (groups.length === 0) return [];
      const source = service ? tsFiles(`services/${service}/src`).map((file) => readFileSync(file, 'utf8')).join('\n') : '';
      return groups.filter((group) => !source.includes(`name: '${group}'`)).map((group) => finding('hpa-lag-groups', autoscaler, `${service ?? scaleTargetRef.name} has no consumer group ${group}`));
    });
}

function production(objects: K8sObject[], workloads: Workload[], services: Workload[]): Finding[] {
  const findings: Finding[] = [];
  for (const workload of services) {
    if ((workload.spec.replicas ?? 1) < 2) findings.push(finding('production-replicas', workload, `${workload.spec.replicas ?? 1} replica(s): production needs at least 2`));
    const container = workload.spec.template.spec.containers[0]!;
    if (environmentOf(container, objects).get('CHAOS_ENABLED') !== 'false') findings.push(finding('production-chaos', workload, 'CHAOS_ENABLED must be "false" (the services default to true)'));
    if (/:(dev|latest)$/.test(container.image) || !container.image.includes(':')) findings.push(finding('production-images', workload, `image ${container.image} is a development tag`));
  }
  for (const autoscaler of objects.filter((object) => object.kind === 'HorizontalPodAutoscaler')) {
    if (((autoscaler.spec as { minReplicas?: number }).minReplicas ?? 1) < 2) findings.push(finding('production-replicas', autoscaler, 'minReplicas < 2'));
  }
  for (const object of objects) {
    if (object.apiVersion.startsWith('chaos-mesh.org/')) findings.push(finding('production-chaos', object, 'chaos experiments are for development clusters'));
    if (object.kind === 'Secret') findings.push(finding('production-secrets', object, 'production renders no Secret: the operator creates them (overlays/production)'));
    if (/dev-key-|admin-key/.test(JSON.stringify(object))) findings.push(finding('production-secrets', object, 'carries the development API keys'));
  }
  for (const workload of workloads.filter((entry) => entry.kind === 'StatefulSet')) findings.push(finding('production-data', workload, 'production uses the operator-run Kafka and Postgres, not an in-cluster StatefulSet'));
  return findings;
}

export function podFindings(objects: K8sObject[], expectations: OverlayExpectations): Finding[] {
  const workloads = objects.filter(isWorkload);
  const services = workloads.filter((workload) => serviceOfImage(workload.spec.template.spec.containers[0]?.image ?? ''));
  const missing = serviceNames.filter((name) => !services.some((workload) => workload.metadata.name === name));
  return [
    ...missing.map((name) => ({ rule: 'coverage', object: `Deployment/${name}`, message: 'no Deployment runs this service' })),
    ...services.flatMap((workload) => servicePod(workload, objects)),
    ...workloads.flatMap((workload) => unreadVariables(workload, objects)),
    ...lagGroups(objects, workloads),
    ...(expectations.production ? production(objects, workloads, services) : []),
  ];
}
