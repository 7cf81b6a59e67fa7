/**
 * The development overlay as a cluster would receive it (`kubectl kustomize`),
 * reduced to what the emulation runs: each workload's pod template, with the
 * environment its ConfigMaps and Secrets resolve to.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { limits?: { memory?: string } };
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsUser?: number; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: Record<string, string>;
    template?: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Container[];
        securityContext?: { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean };
        terminationGracePeriodSeconds?: number;
        volumes?: { name: string; emptyDir?: { sizeLimit?: string } }[];
      };
    };
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
}

/** One workload's pod, as the emulation starts it. */
export interface PodTemplate {
  workload: string;
  kind: 'Deployment' | 'StatefulSet';
  replicas: number;
  image: string;
  /** Names of the Services selecting these pods: their DNS names on the emulated network. */
  serviceNames: string[];
  env: Record<string, string>;
  port: number | undefined;
  readinessProbe: Probe | undefined;
  preStopSeconds: number;
  graceSeconds: number;
  user: string | undefined;
  readOnlyRoot: boolean;
  dropAll: boolean;
  noNewPrivileges: boolean;
  memoryLimit: string | undefined;
  tmpfs: { path: string; size?: string }[];
  persistentPaths: string[];
}

const overlayDir = (overlay: string) => fileURLToPath(new URL(`../../../k8s/overlays/${overlay}`, import.meta.url));

export function renderOverlay(overlay: string): PodTemplate[] {
  const result = spawnSync(process.env.KUBECTL ?? 'kubectl', ['kustomize', overlayDir(overlay)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed: ${result.stderr || result.error?.message}`);
  const objects = parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest);
  const named = (kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name) ?? fail(`${kind} ${name} is not rendered`);
  const secretData = (name: string) => {
    const secret = named('Secret', name);
    return { ...Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])), ...secret.stringData };
  };
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
    .map((workload) => {
      const pod = workload.spec!.template!;
      const container = pod.spec.containers[0]!;
      const env: Record<string, string> = {};
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) Object.assign(env, named('ConfigMap', source.configMapRef.name).data);
        if (source.secretRef) Object.assign(env, secretData(source.secretRef.name));
      }
      for (const variable of container.env ?? []) {
        const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
        env[variable.name] = variable.value ?? (secretKeyRef ? secretData(secretKeyRef.name)[secretKeyRef.key] : named('ConfigMap', configMapKeyRef!.name).data?.[configMapKeyRef!.key]) ?? fail(`${variable.name} of ${workload.metadata.name} resolves to nothing`);
      }
      const uid = container.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
      const gid = pod.spec.securityContext?.runAsGroup;
      const emptyDirs = new Map((pod.spec.volumes ?? []).filter((volume) => volume.emptyDir).map((volume) => [volume.name, volume.emptyDir!.sizeLimit]));
      const claims = new Set((workload.spec!.volumeClaimTemplates ?? []).map((claim) => claim.metadata.name));
      const mounts = container.volumeMounts ?? [];
      return {
        workload: workload.metadata.name,
        kind: workload.kind as PodTemplate['kind'],
        replicas: workload.spec!.replicas ?? 1,
        image: container.image,
        serviceNames: objects
          .filter((object) => object.kind === 'Service' && Object.entries(object.spec!.selector ?? {}).every(([key, value]) => pod.metadata.labels[key] === value))
          .map((service) => service.metadata.name),
        env,
        port: container.ports?.[0]?.containerPort,
        readinessProbe: container.readinessProbe,
        preStopSeconds: container.lifecycle?.preStop?.sleep?.seconds ?? 0,
        graceSeconds: pod.spec.terminationGracePeriodSeconds ?? 30,
        user: uid === undefined ? undefined : `${uid}${gid === undefined ? '' : `:${gid}`}`,
        readOnlyRoot: container.securityContext?.readOnlyRootFilesystem === true,
        dropAll: container.securityContext?.capabilities?.drop?.includes('ALL') === true,
        noNewPrivileges: container.securityContext?.allowPrivilegeEscalation === false,
        memoryLimit: container.resources?.limits?.memory,
        tmpfs: mounts.filter((mount) => emptyDirs.has(mount.name)).map((mount) => ({ path: mount.mountPath, size: emptyDirs.get(mount.name) })),
        persistentPaths: mounts.filter((mount) => claims.has(mount.name)).map((mount) => mount.mountPath),
      };
    });
}

function fail(message: string): never {
  throw new Error(message);
}
