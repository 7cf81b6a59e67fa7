/**
 * Every kind the manifests may contain, with its kubernetes-models class (the
 * OpenAPI schema: types, enums, required fields, quantities) and the TypeScript
 * interface the strict check types it as. A kind not listed is refused.
 */
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

interface Validating {
  validate(): void;
}

export interface KindModel {
  create: (data: object) => Validating;
  /** The module and interface `tsc --strict` checks the object as. */
  typeModule: string;
  typeName: string;
}

const model = (create: (data: object) => Validating, typeModule: string, typeName: string): KindModel => ({ create, typeModule, typeName });

export const models: Record<string, KindModel> = {
  'v1/Namespace': model((data) => new Namespace(data as never), 'kubernetes-models/v1/Namespace', 'INamespace'),
  'v1/ConfigMap': model((data) => new ConfigMap(data as never), 'kubernetes-models/v1/ConfigMap', 'IConfigMap'),
  'v1/Secret': model((data) => new Secret(data as never), 'kubernetes-models/v1/Secret', 'ISecret'),
  'v1/Service': model((data) => new Service(data as never), 'kubernetes-models/v1/Service', 'IService'),
  'apps/v1/Deployment': model((data) => new Deployment(data as never), 'kubernetes-models/apps/v1/Deployment', 'IDeployment'),
  'apps/v1/StatefulSet': model((data) => new StatefulSet(data as never), 'kubernetes-models/apps/v1/StatefulSet', 'IStatefulSet'),
  'autoscaling/v2/HorizontalPodAutoscaler': model((data) => new HorizontalPodAutoscaler(data as never), 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'),
  'networking.k8s.io/v1/NetworkPolicy': model((data) => new NetworkPolicy(data as never), 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'INetworkPolicy'),
  'policy/v1/PodDisruptionBudget': model((data) => new PodDisruptionBudget(data as never), 'kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'),
};
