/**
 * The kinds infra/k8s may use, each with its two checkers (issue 16 item 2):
 * - MODELS: kubernetes-models classes, whose validate() checks a document against the Kubernetes
 *   OpenAPI schema: wrong types, missing required fields, bad enums (not unknown fields);
 * - Kinds: kubernetes-types interfaces, which tsc holds an object literal to, unknown fields
 *   included (typecheck.ts).
 * A kind missing here fails the manifest test: add it to both.
 */
import type { Deployment as DeploymentType } from 'kubernetes-types/apps/v1.js';
import type { HorizontalPodAutoscaler as HpaType } from 'kubernetes-types/autoscaling/v2.js';
import type { Job as JobType } from 'kubernetes-types/batch/v1.js';
import type {
  ConfigMap as ConfigMapType,
  Namespace as NamespaceType,
  PersistentVolumeClaim as PvcType,
  Secret as SecretType,
  Service as ServiceType,
  ServiceAccount as ServiceAccountType,
} from 'kubernetes-types/core/v1.js';
import type { Ingress as IngressType, NetworkPolicy as NetworkPolicyType } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget as PdbType } from 'kubernetes-types/policy/v1.js';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

/** Keyed `apiVersion/kind`, e.g. `apps/v1/Deployment`, `v1/Service`. */
export interface Kinds {
  'v1/ConfigMap': ConfigMapType;
  'v1/Namespace': NamespaceType;
  'v1/PersistentVolumeClaim': PvcType;
  'v1/Secret': SecretType;
  'v1/Service': ServiceType;
  'v1/ServiceAccount': ServiceAccountType;
  'apps/v1/Deployment': DeploymentType;
  'autoscaling/v2/HorizontalPodAutoscaler': HpaType;
  'batch/v1/Job': JobType;
  'networking.k8s.io/v1/Ingress': IngressType;
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicyType;
  'policy/v1/PodDisruptionBudget': PdbType;
}

export type KindKey = keyof Kinds;

interface Validatable {
  validate(): void;
}

export const MODELS: { [K in KindKey]: new (data: any) => Validatable } = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

export function kindKeyOf(doc: { apiVersion?: unknown; kind?: unknown }): string {
  return `${String(doc.apiVersion)}/${String(doc.kind)}`;
}

export function isKnownKind(key: string): key is KindKey {
  return Object.hasOwn(MODELS, key);
}
