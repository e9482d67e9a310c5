import { createHash } from 'node:crypto';
import { stableUid } from '../argocd/ArgoCdController';
import {
  FluxController,
  GitRepositoryState,
  KustomizationState,
} from './FluxController';
import { KUSTOMIZE_API, SOURCE_API } from './fluxLayout';

const SOURCE_HOST = 'source-controller.flux-system.svc.cluster.local.';

/** Group of a Kubernetes apiVersion (`apps/v1` → `apps`, `v1` → ``). */
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function versionOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
}

function metadata(
  controller: FluxController,
  object: KustomizationState | GitRepositoryState,
) {
  const annotations = controller.annotations(object);
  return {
    name: object.name,
    namespace: object.namespace,
    uid: object.uid,
    resourceVersion: String(object.resourceVersion),
    generation: object.generation,
    creationTimestamp: object.createdAt,
    labels: { ...object.labels },
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    finalizers: ['finalizers.fluxcd.io'],
  };
}

/** A Kustomization as the Kubernetes API serves it. */
export function kustomizationJson(
  controller: FluxController,
  k: KustomizationState,
) {
  const spec: Record<string, unknown> = { ...k.spec };
  if (k.suspendOverride !== undefined) spec.suspend = k.suspendOverride;
  return {
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    metadata: metadata(controller, k),
    spec,
    status: {
      observedGeneration: k.observedGeneration ?? -1,
      conditions: k.conditions.map(c => ({ ...c })),
      ...(k.lastAppliedRevision
        ? { lastAppliedRevision: k.lastAppliedRevision }
        : {}),
      ...(k.lastAttemptedRevision
        ? { lastAttemptedRevision: k.lastAttemptedRevision }
        : {}),
      ...(k.lastHandledReconcileAt
        ? { lastHandledReconcileAt: k.lastHandledReconcileAt }
        : {}),
      ...(k.lastAppliedRevision
        ? {
            inventory: {
              entries: k.liveObjects.map(object => ({
                id: [
                  object.metadata.namespace ?? '',
                  object.metadata.name,
                  groupOf(object.apiVersion),
                  object.kind,
                ].join('_'),
                v: versionOf(object.apiVersion),
              })),
            },
          }
        : {}),
    },
  };
}

/** A GitRepository as the Kubernetes API serves it; `url` is the running sandbox's clone URL. */
export function gitRepositoryJson(
  controller: FluxController,
  repository: GitRepositoryState,
  gitopsCloneUrl: string,
  suffix: string,
) {
  const spec: Record<string, unknown> = { ...repository.spec };
  if (typeof spec.url === 'string' && spec.url.endsWith(suffix)) {
    spec.url = gitopsCloneUrl;
  }
  const artifact = repository.artifact;
  return {
    apiVersion: SOURCE_API,
    kind: 'GitRepository',
    metadata: metadata(controller, repository),
    spec,
    status: {
      observedGeneration: repository.observedGeneration ?? -1,
      conditions: repository.conditions.map(c => ({ ...c })),
      ...(repository.lastHandledReconcileAt
        ? { lastHandledReconcileAt: repository.lastHandledReconcileAt }
        : {}),
      ...(artifact
        ? {
            artifact: {
              path: `gitrepository/${repository.namespace}/${repository.name}/${artifact.sha}.tar.gz`,
              url: `http://${SOURCE_HOST}/gitrepository/${repository.namespace}/${repository.name}/${artifact.sha}.tar.gz`,
              revision: artifact.revision,
              digest: `sha256:${createHash('sha256')
                .update(`gitrepository/${artifact.sha}`)
                .digest('hex')}`,
              lastUpdateTime: artifact.at,
              size: 4096,
            },
          }
        : {}),
    },
  };
}

/** `apps/v1` Deployment applied by a Kustomization, with a status that follows its health checks. */
export function deploymentJson(
  controller: FluxController,
  namespace: string,
  name: string,
) {
  const found = controller.findDeployment(namespace, name);
  if (!found) return undefined;
  const { object, owner, generation } = found;
  const replicas =
    typeof object.spec?.replicas === 'number' ? object.spec.replicas : 1;
  const rolling = owner.checkingHealth;
  const since = owner.conditions.find(
    c => c.type === 'Ready',
  )?.lastTransitionTime;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...object.metadata,
      namespace,
      uid: stableUid('flux', 'Deployment', namespace, name),
      resourceVersion: String(owner.resourceVersion),
      generation,
      creationTimestamp: owner.createdAt,
      annotations: {
        ...(object.metadata.annotations as Record<string, string> | undefined),
        'deployment.kubernetes.io/revision': String(generation),
      },
    },
    spec: object.spec,
    status: {
      observedGeneration: generation,
      replicas,
      updatedReplicas: rolling ? Math.max(replicas - 1, 0) : replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      ...(rolling ? { unavailableReplicas: 1 } : {}),
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
          lastUpdateTime: since,
          lastTransitionTime: owner.createdAt,
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: rolling ? 'ReplicaSetUpdated' : 'NewReplicaSetAvailable',
          message: rolling
            ? `ReplicaSet "${name}" is progressing.`
            : `ReplicaSet "${name}" has successfully progressed.`,
          lastUpdateTime: since,
          lastTransitionTime: owner.createdAt,
        },
      ],
    },
  };
}

/** `{apiVersion, kind: <Kind>List, metadata: {resourceVersion}, items}`. */
export function listJson(
  apiVersion: string,
  kind: string,
  resourceVersion: number,
  items: unknown[],
) {
  return {
    apiVersion,
    kind: `${kind}List`,
    metadata: { resourceVersion: String(resourceVersion) },
    items,
  };
}
