import { createHash } from 'node:crypto';
import { CANARY_STEPS } from '../seed/manifests';
import {
  AppState,
  ArgoCdController,
  isWorkload,
  stableUid,
} from './ArgoCdController';
import { KubernetesObject, objectImages } from './renderOverlay';

function podHash(image: string | undefined): string {
  return createHash('sha256')
    .update(image ?? 'none')
    .digest('hex')
    .slice(0, 10)
    .replace(/[^a-z0-9]/g, 'x');
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function versionOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
}

function source(app: AppState) {
  return {
    repoURL: app.definition.repoURL,
    path: app.definition.path,
    targetRevision: app.definition.targetRevision,
  };
}

function destination(app: AppState) {
  return {
    server: app.definition.destinationServer,
    namespace: app.definition.destinationNamespace,
  };
}

function initiatedBy(initiator: { username?: string; automated?: boolean }) {
  return initiator.automated
    ? { automated: true }
    : { username: initiator.username ?? 'admin' };
}

/** The Application resource as Argo CD's API returns it. */
export function applicationJson(controller: ArgoCdController, app: AppState) {
  const { definition } = app;
  const live = controller.liveObjects(app);
  const images = new Set<string>(controller.workloadImages(live));
  if (
    app.rollout &&
    app.rollout.stepIndex < CANARY_STEPS.length &&
    app.rollout.stableImage
  ) {
    images.add(app.rollout.stableImage);
  }
  const running = controller.operationRunning(app);
  const operationState = app.operation
    ? {
        operation: {
          sync: {
            revision: app.operation.revision,
            syncOptions: ['CreateNamespace=true'],
          },
          initiatedBy: initiatedBy(app.operation.initiatedBy),
          retry: {},
        },
        phase: app.operation.phase,
        message: app.operation.message,
        startedAt: app.operation.startedAt,
        ...(app.operation.finishedAt
          ? { finishedAt: app.operation.finishedAt }
          : {}),
        ...(app.operation.phase === 'Succeeded'
          ? {
              syncResult: {
                revision: app.operation.revision,
                source: source(app),
                resources: app.liveObjects.map(object => ({
                  group: groupOf(object.apiVersion),
                  version: versionOf(object.apiVersion),
                  kind: object.kind,
                  namespace: object.metadata.namespace ?? '',
                  name: object.metadata.name,
                  status: 'Synced',
                  message: `${object.kind.toLowerCase()}/${
                    object.metadata.name
                  } configured`,
                  hookPhase: 'Running',
                  syncPhase: 'Sync',
                })),
              },
            }
          : {}),
      }
    : undefined;
  const conditions = app.comparisonError
    ? [
        {
          type: 'ComparisonError',
          message: app.comparisonError,
          lastTransitionTime: app.reconciledAt,
        },
      ]
    : undefined;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: definition.name,
      namespace: 'argocd',
      uid: stableUid('application', definition.name),
      resourceVersion: String(app.resourceVersion),
      generation: 1,
      creationTimestamp: definition.createdAt,
      labels: definition.labels,
    },
    spec: {
      project: definition.project,
      source: source(app),
      destination: destination(app),
      syncPolicy: {
        ...(definition.automated
          ? { automated: { prune: true, selfHeal: true } }
          : {}),
        syncOptions: ['CreateNamespace=true'],
      },
    },
    ...(running && app.operation
      ? {
          operation: {
            sync: {
              revision: app.operation.revision,
              syncOptions: ['CreateNamespace=true'],
            },
            initiatedBy: initiatedBy(app.operation.initiatedBy),
            retry: {},
          },
        }
      : {}),
    status: {
      resources: controller
        .resourceStatuses(app)
        .map(({ object, live: liveObject, status }) => {
          const secretHealth = controller.secretHealth(app, object, liveObject);
          return {
            group: groupOf(object.apiVersion) || undefined,
            version: versionOf(object.apiVersion),
            kind: object.kind,
            namespace: object.metadata.namespace,
            name: object.metadata.name,
            status,
            ...(object.kind === 'Service' || isWorkload(object)
              ? { health: resourceHealth(app, object) }
              : {}),
            ...(secretHealth ? { health: secretHealth } : {}),
          };
        }),
      sync: {
        status: controller.syncStatus(app),
        comparedTo: { source: source(app), destination: destination(app) },
        ...(app.desiredRevision ? { revision: app.desiredRevision } : {}),
      },
      health: {
        status: app.health.status,
        lastTransitionTime: app.health.since,
      },
      history: app.history.map(entry => ({
        id: entry.id,
        revision: entry.revision,
        deployedAt: entry.deployedAt,
        deployStartedAt: entry.deployStartedAt,
        source: source(app),
        initiatedBy: initiatedBy(entry.initiatedBy),
      })),
      ...(conditions ? { conditions } : {}),
      reconciledAt: app.reconciledAt,
      ...(operationState ? { operationState } : {}),
      sourceType: 'Kustomize',
      summary: { images: [...images].sort() },
      controllerNamespace: 'argocd',
    },
  };
}

function resourceHealth(app: AppState, object: KubernetesObject) {
  if (!isWorkload(object)) return { status: 'Healthy' };
  return app.health.message
    ? { status: app.health.status, message: app.health.message }
    : { status: app.health.status };
}

function rolloutInfo(app: AppState) {
  const rollout = app.rollout;
  const step = rollout
    ? Math.min(rollout.stepIndex, CANARY_STEPS.length)
    : CANARY_STEPS.length;
  const weight = rollout ? rollout.weight : 100;
  const paused = app.health.status === 'Suspended';
  return [
    { name: 'Revision', value: `Rev:${Math.max(app.history.length, 1)}` },
    { name: 'Status', value: paused ? 'Paused' : app.health.status },
    { name: 'Strategy', value: 'Canary' },
    { name: 'Step', value: `${step}/${CANARY_STEPS.length}` },
    { name: 'Set Weight', value: String(weight) },
    { name: 'Actual Weight', value: String(weight) },
  ];
}

/** GET /resource-tree: the managed objects and their ReplicaSets and Pods. */
export function resourceTree(controller: ArgoCdController, app: AppState) {
  const nodes: Array<Record<string, unknown>> = [];
  const live = controller.liveObjects(app);
  const namespace = app.definition.destinationNamespace;
  for (const object of live) {
    const group = groupOf(object.apiVersion);
    const uid = stableUid(
      app.definition.name,
      object.kind,
      object.metadata.name,
    );
    const base = {
      group,
      version: versionOf(object.apiVersion),
      kind: object.kind,
      namespace: object.metadata.namespace ?? namespace,
      name: object.metadata.name,
      uid,
      resourceVersion: String(app.resourceVersion),
      createdAt: app.definition.createdAt,
    };
    if (object.kind === 'Service') {
      nodes.push({
        ...base,
        health: { status: 'Healthy' },
        networkingInfo: { targetLabels: object.spec?.selector ?? {} },
      });
      continue;
    }
    if (!isWorkload(object)) {
      const secretHealth = controller.secretHealth(app, object, object);
      nodes.push(secretHealth ? { ...base, health: secretHealth } : base);
      continue;
    }
    const health = resourceHealth(app, object);
    nodes.push({
      ...base,
      health,
      info:
        object.kind === 'Rollout'
          ? rolloutInfo(app)
          : [
              {
                name: 'Revision',
                value: `Rev:${Math.max(app.history.length, 1)}`,
              },
            ],
    });
    const parent = {
      group,
      kind: object.kind,
      namespace: base.namespace,
      name: base.name,
      uid,
    };
    const replicas = Number(object.spec?.replicas ?? 1);
    const image = objectImages(object)[0];
    const sets: Array<{
      image: string | undefined;
      pods: number;
      current: boolean;
    }> = [];
    const rollout = app.rollout;
    if (
      object.kind === 'Rollout' &&
      rollout &&
      rollout.stepIndex < CANARY_STEPS.length &&
      rollout.stableImage
    ) {
      const canaryPods = Math.max(
        1,
        Math.round((replicas * rollout.weight) / 100),
      );
      sets.push({
        image: rollout.stableImage,
        pods: Math.max(replicas - canaryPods, 0),
        current: false,
      });
      sets.push({
        image: rollout.canaryImage,
        pods: canaryPods,
        current: true,
      });
    } else {
      sets.push({ image, pods: replicas, current: true });
    }
    for (const [index, set] of sets.entries()) {
      const hash = podHash(set.image);
      const rsName = `${object.metadata.name}-${hash}`;
      const rsUid = stableUid(app.definition.name, 'ReplicaSet', rsName);
      const degraded = app.health.status === 'Degraded' && set.current;
      nodes.push({
        group: 'apps',
        version: 'v1',
        kind: 'ReplicaSet',
        namespace: base.namespace,
        name: rsName,
        uid: rsUid,
        parentRefs: [parent],
        info: [
          {
            name: 'Revision',
            value: `Rev:${Math.max(
              app.history.length - sets.length + 1 + index,
              1,
            )}`,
          },
        ],
        health: degraded
          ? { status: 'Progressing', message: 'Waiting for rollout to finish' }
          : { status: 'Healthy' },
        resourceVersion: String(app.resourceVersion),
        createdAt: app.definition.createdAt,
      });
      for (let n = 0; n < set.pods; n++) {
        const podName = `${rsName}-${stableUid(rsName, String(n)).slice(0, 5)}`;
        nodes.push({
          version: 'v1',
          kind: 'Pod',
          namespace: base.namespace,
          name: podName,
          uid: stableUid(app.definition.name, 'Pod', podName),
          parentRefs: [
            {
              group: 'apps',
              kind: 'ReplicaSet',
              namespace: base.namespace,
              name: rsName,
              uid: rsUid,
            },
          ],
          info: [
            {
              name: 'Status Reason',
              value: degraded ? 'CrashLoopBackOff' : 'Running',
            },
            { name: 'Node', value: 'sandbox-node-1' },
            { name: 'Containers', value: degraded ? '0/1' : '1/1' },
            ...(degraded ? [{ name: 'Restart Count', value: '7' }] : []),
          ],
          images: set.image ? [set.image] : [],
          health: degraded
            ? {
                status: 'Degraded',
                message: 'back-off 5m0s restarting failed container',
              }
            : { status: 'Healthy' },
          resourceVersion: String(app.resourceVersion),
          createdAt: app.definition.createdAt,
        });
      }
    }
  }
  return {
    nodes,
    hosts: [
      {
        name: 'sandbox-node-1',
        resourcesInfo: [],
        systemInfo: { architecture: 'amd64', operatingSystem: 'linux' },
      },
    ],
  };
}

/** The live object with a status, as the cluster would report it. */
function liveWithStatus(
  app: AppState,
  object: KubernetesObject,
): KubernetesObject {
  const copy: KubernetesObject = JSON.parse(JSON.stringify(object));
  copy.metadata = {
    ...copy.metadata,
    uid: stableUid(app.definition.name, object.kind, object.metadata.name),
    resourceVersion: String(app.resourceVersion),
    generation: Math.max(app.history.length, 1),
    creationTimestamp: app.definition.createdAt,
    annotations: {
      'argocd.argoproj.io/tracking-id': `${app.definition.name}:${groupOf(
        object.apiVersion,
      )}/${object.kind}:${object.metadata.namespace}/${object.metadata.name}`,
    },
  };
  const replicas = Number(object.spec?.replicas ?? 1);
  const healthy = app.health.status === 'Healthy';
  if (object.kind === 'Deployment') {
    const ready = app.health.status === 'Degraded' ? 0 : replicas;
    copy.status = {
      observedGeneration: Math.max(app.history.length, 1),
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [
        {
          type: 'Available',
          status: ready > 0 ? 'True' : 'False',
          reason:
            ready > 0
              ? 'MinimumReplicasAvailable'
              : 'MinimumReplicasUnavailable',
        },
        {
          type: 'Progressing',
          status: app.health.status === 'Degraded' ? 'False' : 'True',
          reason:
            app.health.status === 'Degraded'
              ? 'ProgressDeadlineExceeded'
              : 'NewReplicaSetAvailable',
        },
      ],
    };
  } else if (object.kind === 'Rollout') {
    const rollout = app.rollout;
    const inCanary =
      rollout !== undefined && rollout.stepIndex < CANARY_STEPS.length;
    const canaryHash = podHash(rollout?.canaryImage ?? objectImages(object)[0]);
    const stableHash = podHash(
      inCanary
        ? rollout?.stableImage
        : rollout?.canaryImage ?? objectImages(object)[0],
    );
    const paused = app.health.status === 'Suspended';
    const weight = inCanary ? rollout.weight : 100;
    let phase = 'Progressing';
    let message: string | undefined = 'more replicas need to be updated';
    let reason = 'ReplicaSetUpdated';
    if (paused) {
      phase = 'Paused';
      message = 'CanaryPauseStep';
      reason = 'RolloutPaused';
    } else if (healthy) {
      phase = 'Healthy';
      message = undefined;
      reason = 'NewReplicaSetAvailable';
    }
    copy.status = {
      phase,
      message,
      observedGeneration: String(Math.max(app.history.length, 1)),
      replicas,
      updatedReplicas: inCanary
        ? Math.max(1, Math.round((replicas * weight) / 100))
        : replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      currentStepIndex: inCanary ? rollout.stepIndex : CANARY_STEPS.length,
      currentStepHash: podHash(JSON.stringify(CANARY_STEPS)),
      currentPodHash: canaryHash,
      stableRS: stableHash,
      selector: `app.kubernetes.io/name=${object.metadata.name}`,
      ...(paused
        ? {
            pauseConditions: [
              { reason: 'CanaryPauseStep', startTime: app.health.since },
            ],
            controllerPause: true,
          }
        : {}),
      canary: {
        weights: {
          canary: {
            podTemplateHash: canaryHash,
            weight: inCanary ? weight : 100,
          },
          stable: {
            podTemplateHash: stableHash,
            weight: inCanary ? 100 - weight : 0,
          },
        },
      },
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason,
          message: paused ? 'Rollout is paused' : 'Rollout is progressing',
          lastTransitionTime: app.health.since,
          lastUpdateTime: app.health.since,
        },
        {
          type: 'Healthy',
          status: healthy ? 'True' : 'False',
          reason: 'RolloutHealthy',
          message: healthy ? 'Rollout is healthy' : 'Rollout is not healthy',
          lastTransitionTime: app.health.since,
          lastUpdateTime: app.health.since,
        },
      ],
    };
    if (
      copy.status &&
      (copy.status as { message?: string }).message === undefined
    ) {
      delete (copy.status as { message?: string }).message;
    }
  }
  return copy;
}

/** GET /managed-resources: target and live state of each object, as JSON strings. */
export function managedResources(controller: ArgoCdController, app: AppState) {
  return {
    items: controller.resourceStatuses(app).map(({ object, live, status }) => {
      const target = app.desiredObjects.find(
        d => d.kind === object.kind && d.metadata.name === object.metadata.name,
      );
      const liveState = live
        ? JSON.stringify(liveWithStatus(app, live))
        : 'null';
      return {
        group: groupOf(object.apiVersion),
        kind: object.kind,
        namespace:
          object.metadata.namespace ?? app.definition.destinationNamespace,
        name: object.metadata.name,
        targetState: target ? JSON.stringify(target) : 'null',
        liveState,
        normalizedLiveState: liveState,
        predictedLiveState: target ? JSON.stringify(target) : 'null',
        hook: false,
        modified: status !== 'Synced',
        resourceVersion: String(app.resourceVersion),
      };
    }),
  };
}
