import fs from 'node:fs';
import path from 'node:path';
import { ENVIRONMENTS } from '../defaults';
import { GitRepositories, isoSeconds } from '../git/GitRepositories';
import { stableBytes } from '../harbor/digests';
import { CANARY_STEPS, imageRepository, renderImage } from '../seed/manifests';
import { isArgoCdService, SEED_SERVICES } from '../seed/world';
import { SandboxTimings } from '../types';
import { ArgoApiError, GRPC } from './ArgoApiError';
import { KubernetesObject, objectImages, renderOverlay } from './renderOverlay';

export type HealthStatusCode =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Suspended'
  | 'Missing'
  | 'Unknown';
export type SyncStatusCode = 'Synced' | 'OutOfSync' | 'Unknown';

export interface ArgoAppDefinition {
  name: string;
  project: string;
  labels: Record<string, string>;
  repoURL: string;
  path: string;
  targetRevision: string;
  destinationServer: string;
  destinationNamespace: string;
  automated: boolean;
  createdAt: string;
}

interface Initiator {
  username?: string;
  automated?: boolean;
}

interface HistoryEntry {
  id: number;
  revision: string;
  deployedAt: string;
  deployStartedAt: string;
  initiatedBy: Initiator;
}

export interface OperationRecord {
  phase: 'Running' | 'Succeeded' | 'Failed' | 'Error';
  message: string;
  startedAt: string;
  finishedAt: string | undefined;
  revision: string;
  initiatedBy: Initiator;
}

interface RolloutRecord {
  stableImage: string | undefined;
  canaryImage: string;
  stepIndex: number;
  weight: number;
  /** The seeded canary waits for an admin promote instead of advancing on its own. */
  held: boolean;
  startedAt: string;
}

export interface AppState {
  definition: ArgoAppDefinition;
  desiredRevision: string | undefined;
  desiredObjects: KubernetesObject[];
  comparisonError: string | undefined;
  liveRevision: string | undefined;
  liveObjects: KubernetesObject[];
  /** An image set on the cluster behind Argo CD's back. */
  driftImage: string | undefined;
  health: {
    status: HealthStatusCode;
    message: string | undefined;
    since: string;
  };
  operation: OperationRecord | undefined;
  history: HistoryEntry[];
  rollout: RolloutRecord | undefined;
  degradedImages: Set<string>;
  reconciledAt: string;
  resourceVersion: number;
  timers: Set<NodeJS.Timeout>;
  autoSyncPending: boolean;
}

export interface ArgoCdControllerOptions {
  repos: GitRepositories;
  dataDir: string;
  owner: string;
  gitopsRepo: string;
  gitopsCloneUrl: string;
  registryHost: string;
  timings: SandboxTimings;
  log: (line: string) => void;
}

const ANOTHER_OPERATION = 'another operation is already in progress';
const DESTINATION_SERVER = 'https://kubernetes.default.svc';

/**
 * The secret objects Argo CD computes a health for (its built-in
 * resource_customizations), by kind: their API group, the condition read,
 * the operator's message when it succeeds, and Argo CD's message while
 * waiting for one.
 */
const SECRET_OBJECTS: Record<
  string,
  { group: string; condition: string; synced?: string; waiting: string }
> = {
  ExternalSecret: {
    group: 'external-secrets.io',
    condition: 'Ready',
    synced: 'Secret was synced',
    waiting: 'Waiting for ExternalSecret',
  },
  SecretStore: {
    group: 'external-secrets.io',
    condition: 'Ready',
    synced: 'store validated',
    waiting: 'Waiting for SecretStore',
  },
  ClusterSecretStore: {
    group: 'external-secrets.io',
    condition: 'Ready',
    synced: 'store validated',
    waiting: 'Waiting for ClusterSecretStore',
  },
  SealedSecret: {
    group: 'bitnami.com',
    condition: 'Synced',
    waiting: 'Waiting for Sealed Secret to be decrypted',
  },
};

/** A secret object's condition as an admin set it: `none` = the operator reported none yet. */
export interface SecretCondition {
  status: 'True' | 'False' | 'none';
  message?: string;
}

function isSecretObject(object: KubernetesObject): boolean {
  const known = Object.prototype.hasOwnProperty.call(
    SECRET_OBJECTS,
    object.kind,
  )
    ? SECRET_OBJECTS[object.kind]
    : undefined;
  return known !== undefined && object.apiVersion.split('/')[0] === known.group;
}

export function isWorkload(object: KubernetesObject): boolean {
  return ['Deployment', 'Rollout', 'StatefulSet', 'DaemonSet'].includes(
    object.kind,
  );
}

/**
 * The sandbox's Argo CD: Applications whose desired state follows the
 * GitOps repository, with simulated sync operations, health transitions and
 * canary steps.
 */
export class ArgoCdController {
  private readonly apps = new Map<string, AppState>();
  private readonly listeners: ((app: AppState) => void)[] = [];
  /** Conditions of secret objects set through the admin API, by `app/kind/name`. */
  private readonly secretConditions = new Map<string, SecretCondition>();
  private stopped = false;

  private constructor(private readonly options: ArgoCdControllerOptions) {}

  static async create(
    options: ArgoCdControllerOptions,
  ): Promise<ArgoCdController> {
    const controller = new ArgoCdController(options);
    await controller.load();
    return controller;
  }

  /** Calls `listener` after every change of an application's state. */
  onChange(listener: (app: AppState) => void): void {
    this.listeners.push(listener);
  }

  private changed(app: AppState): void {
    app.resourceVersion += 1;
    for (const listener of this.listeners) {
      listener(app);
    }
  }

  private get definitionsFile() {
    return path.join(this.options.dataDir, 'argocd', 'applications.json');
  }

  private seededDefinitions(): ArgoAppDefinition[] {
    const definitions: ArgoAppDefinition[] = [];
    for (const service of SEED_SERVICES.filter(isArgoCdService)) {
      for (const env of ENVIRONMENTS) {
        definitions.push({
          name: `${service.name}-${env}`,
          project: service.project,
          labels: {
            'slipway.dev/app': service.name,
            'slipway.dev/environment': env,
          },
          repoURL: this.options.gitopsCloneUrl,
          path: `apps/${service.name}/overlays/${env}`,
          targetRevision: 'main',
          destinationServer: DESTINATION_SERVER,
          destinationNamespace: `${service.name}-${env}`,
          automated: env === 'dev',
          createdAt: '2026-01-05T09:00:00Z',
        });
      }
    }
    return definitions;
  }

  private async load(): Promise<void> {
    let created: ArgoAppDefinition[] = [];
    if (fs.existsSync(this.definitionsFile)) {
      try {
        created = JSON.parse(fs.readFileSync(this.definitionsFile, 'utf8'));
      } catch {
        created = [];
      }
    }
    for (const definition of [...this.seededDefinitions(), ...created]) {
      if (this.apps.has(definition.name)) continue;
      // The GitOps clone URL depends on the port; keep it current.
      if (
        definition.repoURL.endsWith(
          `/git/${this.options.owner}/${this.options.gitopsRepo}.git`,
        )
      ) {
        definition.repoURL = this.options.gitopsCloneUrl;
      }
      await this.addFromHistory(definition);
    }
    await this.applySeedTwists();
  }

  private persistCreated(): void {
    const seeded = new Set(this.seededDefinitions().map(d => d.name));
    const created = [...this.apps.values()]
      .map(a => a.definition)
      .filter(d => !seeded.has(d.name));
    fs.mkdirSync(path.dirname(this.definitionsFile), { recursive: true });
    fs.writeFileSync(
      this.definitionsFile,
      `${JSON.stringify(created, undefined, 2)}\n`,
    );
  }

  /** Builds an app as if Argo CD had synced every commit that touched its overlay. */
  private async addFromHistory(
    definition: ArgoAppDefinition,
  ): Promise<AppState> {
    const { repos, owner, gitopsRepo } = this.options;
    const head = await repos.resolveCommit(
      owner,
      gitopsRepo,
      definition.targetRevision,
    );
    const touching = head
      ? (
          await repos.log(owner, gitopsRepo, head, {
            path: `${definition.path}/kustomization.yaml`,
            max: 10,
          })
        ).reverse()
      : [];
    const history: HistoryEntry[] = [];
    for (const [index, revision] of touching.entries()) {
      const commit = await repos.getCommit(owner, gitopsRepo, revision);
      const committed = Date.parse(
        commit?.committer.date ?? isoSeconds(Date.now()),
      );
      history.push({
        id: index,
        revision,
        deployStartedAt: isoSeconds(committed + 60_000),
        deployedAt: isoSeconds(committed + 120_000),
        initiatedBy: definition.automated
          ? { automated: true }
          : { username: 'admin' },
      });
    }
    const last = history[history.length - 1];
    const state: AppState = {
      definition,
      desiredRevision: head,
      desiredObjects: [],
      comparisonError: undefined,
      liveRevision: last?.revision,
      liveObjects: [],
      driftImage: undefined,
      health: {
        status: last ? 'Healthy' : 'Missing',
        message: undefined,
        since: last?.deployedAt ?? definition.createdAt,
      },
      operation: last
        ? {
            phase: 'Succeeded',
            message: 'successfully synced (all tasks run)',
            startedAt: last.deployStartedAt,
            finishedAt: last.deployedAt,
            revision: last.revision,
            initiatedBy: last.initiatedBy,
          }
        : undefined,
      history,
      rollout: undefined,
      degradedImages: new Set(),
      reconciledAt: isoSeconds(Date.now()),
      resourceVersion: 1,
      timers: new Set(),
      autoSyncPending: false,
    };
    if (last) {
      try {
        state.liveObjects = (
          await renderOverlay(
            repos,
            owner,
            gitopsRepo,
            last.revision,
            definition.path,
          )
        ).objects;
      } catch {
        state.liveObjects = [];
      }
    }
    this.apps.set(definition.name, state);
    await this.compare(state, head);
    return state;
  }

  private async applySeedTwists(): Promise<void> {
    const { repos, owner, gitopsRepo, registryHost } = this.options;
    for (const service of SEED_SERVICES.filter(isArgoCdService)) {
      for (const env of ENVIRONMENTS) {
        const twist = service.live?.[env];
        const app = this.apps.get(`${service.name}-${env}`);
        if (!twist || !app) continue;
        const image = this.workloadImages(app.liveObjects)[0];
        if (twist.kind === 'degraded' && image) {
          app.degradedImages.add(image);
          app.health = {
            status: 'Degraded',
            message: degradedMessage(app),
            since: app.health.since,
          };
        } else if (twist.kind === 'canary' && image) {
          const previous = app.history[app.history.length - 2];
          let stableImage: string | undefined;
          if (previous) {
            const rendered = await renderOverlay(
              repos,
              owner,
              gitopsRepo,
              previous.revision,
              app.definition.path,
            );
            stableImage = this.workloadImages(rendered.objects)[0];
          }
          const step = CANARY_STEPS.slice(0, twist.stepIndex + 1).reduce(
            (weight, s) => s.setWeight ?? weight,
            0,
          );
          app.rollout = {
            stableImage,
            canaryImage: image,
            stepIndex: twist.stepIndex,
            weight: step,
            held: true,
            startedAt:
              app.history[app.history.length - 1]?.deployedAt ??
              isoSeconds(Date.now()),
          };
          app.health = {
            status: 'Suspended',
            message: 'Rollout is paused',
            since: app.health.since,
          };
        } else if (twist.kind === 'drift') {
          const shas = (await repos.log(owner, service.name, 'main')).reverse();
          const sha = shas[twist.liveCommit];
          if (sha) {
            app.driftImage = renderImage({
              name: imageRepository(registryHost, owner, service.name),
              newTag: sha,
            });
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- queries

  list(): AppState[] {
    return [...this.apps.values()].sort((a, b) =>
      a.definition.name.localeCompare(b.definition.name),
    );
  }

  get(name: string): AppState {
    const app = this.apps.get(name);
    if (!app) {
      throw new ArgoApiError(
        404,
        GRPC.NotFound,
        `applications.argoproj.io "${name}" not found`,
      );
    }
    return app;
  }

  /** Live objects with drift, canary and status applied. */
  liveObjects(app: AppState): KubernetesObject[] {
    return app.liveObjects.map(object => {
      const copy: KubernetesObject = JSON.parse(JSON.stringify(object));
      if (isWorkload(copy) && app.driftImage) {
        const containers = copy.spec?.template?.spec?.containers ?? [];
        if (containers[0]) containers[0].image = app.driftImage;
      }
      return copy;
    });
  }

  workloadImages(objects: KubernetesObject[]): string[] {
    return objects.filter(isWorkload).flatMap(objectImages);
  }

  syncStatus(app: AppState): SyncStatusCode {
    if (app.comparisonError || app.desiredRevision === undefined)
      return 'Unknown';
    return this.resourceStatuses(app).every(r => r.status === 'Synced')
      ? 'Synced'
      : 'OutOfSync';
  }

  resourceStatuses(app: AppState): Array<{
    object: KubernetesObject;
    live: KubernetesObject | undefined;
    status: SyncStatusCode;
  }> {
    const live = this.liveObjects(app);
    const result: Array<{
      object: KubernetesObject;
      live: KubernetesObject | undefined;
      status: SyncStatusCode;
    }> = [];
    for (const object of app.desiredObjects) {
      const match = live.find(
        l => l.kind === object.kind && l.metadata.name === object.metadata.name,
      );
      const same =
        match !== undefined && JSON.stringify(match) === JSON.stringify(object);
      result.push({
        object,
        live: match,
        status: same ? 'Synced' : 'OutOfSync',
      });
    }
    for (const object of live) {
      if (
        !app.desiredObjects.some(
          d =>
            d.kind === object.kind && d.metadata.name === object.metadata.name,
        )
      ) {
        result.push({ object, live: object, status: 'OutOfSync' });
      }
    }
    return result;
  }

  /**
   * The health Argo CD computes for a secret object (undefined for other
   * kinds): Missing when not in the cluster; else from its `Ready`
   * (ExternalSecret, SecretStore) or `Synced` (SealedSecret) condition,
   * Progressing while there is none. The stand-in runs no operator: the
   * condition is True (the operator succeeded) unless an admin set it.
   */
  secretHealth(
    app: AppState,
    object: KubernetesObject,
    live: KubernetesObject | undefined,
  ): { status: HealthStatusCode; message?: string } | undefined {
    if (!isSecretObject(object)) return undefined;
    if (!live) return { status: 'Missing' };
    const known = SECRET_OBJECTS[object.kind];
    const condition = this.secretConditions.get(
      `${app.definition.name}/${object.kind}/${object.metadata.name}`,
    ) ?? { status: 'True', message: known.synced };
    if (condition.status === 'none') {
      return { status: 'Progressing', message: known.waiting };
    }
    const status = condition.status === 'True' ? 'Healthy' : 'Degraded';
    return condition.message
      ? { status, message: condition.message }
      : { status };
  }

  /** Admin: set the condition an operator would report on a secret object. */
  setSecretCondition(
    name: string,
    kind: string,
    objectName: string,
    condition: SecretCondition,
  ): AppState {
    const app = this.get(name);
    if (!Object.prototype.hasOwnProperty.call(SECRET_OBJECTS, kind)) {
      throw new ArgoApiError(
        400,
        GRPC.InvalidArgument,
        `kind must be one of ${Object.keys(SECRET_OBJECTS).join(', ')}`,
      );
    }
    this.secretConditions.set(`${name}/${kind}/${objectName}`, condition);
    this.changed(app);
    return app;
  }

  operationRunning(app: AppState): boolean {
    return app.operation?.phase === 'Running';
  }

  // ---------------------------------------------------------------- changes

  /** Recomputes desired state from the GitOps repository (after a new commit). */
  async refresh(): Promise<void> {
    const { repos, owner, gitopsRepo } = this.options;
    for (const app of this.apps.values()) {
      const head = await repos.resolveCommit(
        owner,
        gitopsRepo,
        app.definition.targetRevision,
      );
      await this.compare(app, head);
      this.maybeAutoSync(app);
    }
  }

  private async compare(
    app: AppState,
    revision: string | undefined,
  ): Promise<void> {
    const { repos, owner, gitopsRepo } = this.options;
    app.desiredRevision = revision;
    if (!revision) {
      app.comparisonError = `unable to resolve '${app.definition.targetRevision}' to a commit SHA`;
      app.desiredObjects = [];
    } else {
      try {
        app.desiredObjects = (
          await renderOverlay(
            repos,
            owner,
            gitopsRepo,
            revision,
            app.definition.path,
          )
        ).objects;
        app.comparisonError = undefined;
      } catch (error) {
        app.desiredObjects = [];
        app.comparisonError = `rpc error: code = Unknown desc = ${
          app.definition.path
        }: ${String((error as Error).message)}`;
      }
    }
    app.reconciledAt = isoSeconds(Date.now());
    this.changed(app);
  }

  private maybeAutoSync(app: AppState): void {
    if (!app.definition.automated || app.autoSyncPending || this.stopped)
      return;
    if (this.syncStatus(app) !== 'OutOfSync' || this.operationRunning(app))
      return;
    app.autoSyncPending = true;
    this.later(app, this.options.timings.autoSyncDelayMs, () => {
      app.autoSyncPending = false;
      if (this.syncStatus(app) === 'OutOfSync' && !this.operationRunning(app)) {
        this.startSync(app, {
          initiatedBy: { automated: true },
          revision: undefined,
        });
      }
    });
  }

  /** POST /sync. Throws "another operation is already in progress" like Argo CD. */
  sync(
    name: string,
    options: { revision?: string; username: string },
  ): AppState {
    const app = this.get(name);
    if (this.operationRunning(app)) {
      throw new ArgoApiError(400, GRPC.FailedPrecondition, ANOTHER_OPERATION);
    }
    this.startSync(app, {
      initiatedBy: { username: options.username },
      revision: options.revision,
    });
    return app;
  }

  private startSync(
    app: AppState,
    request: { initiatedBy: Initiator; revision: string | undefined },
  ): void {
    const revision =
      request.revision && /^[0-9a-f]{40}$/.test(request.revision)
        ? request.revision
        : app.desiredRevision;
    if (!revision) return;
    const operation: OperationRecord = {
      phase: 'Running',
      message: 'one or more tasks are running',
      startedAt: isoSeconds(Date.now()),
      finishedAt: undefined,
      revision,
      initiatedBy: request.initiatedBy,
    };
    app.operation = operation;
    this.changed(app);
    this.options.log(`argocd: sync of ${app.definition.name} started`);
    this.later(app, this.options.timings.syncOperationMs, () => {
      this.completeSync(app, operation).catch(error =>
        this.options.log(`argocd: sync failed: ${String(error)}`),
      );
    });
  }

  private async completeSync(
    app: AppState,
    operation: OperationRecord,
  ): Promise<void> {
    if (app.operation !== operation || operation.phase !== 'Running') return;
    const { repos, owner, gitopsRepo } = this.options;
    let objects: KubernetesObject[];
    try {
      objects = (
        await renderOverlay(
          repos,
          owner,
          gitopsRepo,
          operation.revision,
          app.definition.path,
        )
      ).objects;
    } catch (error) {
      operation.phase = 'Failed';
      operation.message = `ComparisonError: ${String(
        (error as Error).message,
      )}`;
      operation.finishedAt = isoSeconds(Date.now());
      this.changed(app);
      return;
    }
    const previousImage = this.workloadImages(this.liveObjects(app))[0];
    app.liveObjects = objects;
    app.liveRevision = operation.revision;
    app.driftImage = undefined;
    const now = isoSeconds(Date.now());
    operation.phase = 'Succeeded';
    operation.message = 'successfully synced (all tasks run)';
    operation.finishedAt = now;
    app.history.push({
      id: (app.history[app.history.length - 1]?.id ?? -1) + 1,
      revision: operation.revision,
      deployStartedAt: operation.startedAt,
      deployedAt: now,
      initiatedBy: operation.initiatedBy,
    });
    if (app.history.length > 10) app.history.shift();
    app.reconciledAt = now;
    this.changed(app);
    this.options.log(
      `argocd: ${app.definition.name} synced to ${operation.revision.slice(
        0,
        7,
      )}`,
    );
    const newImage = this.workloadImages(objects)[0];
    const isRollout = objects.some(o => o.kind === 'Rollout');
    if (newImage === previousImage && app.health.status !== 'Missing') {
      return;
    }
    if (isRollout && previousImage && newImage) {
      app.rollout = {
        stableImage:
          app.rollout && !app.rollout.held
            ? app.rollout.stableImage
            : previousImage,
        canaryImage: newImage,
        stepIndex: 0,
        weight: CANARY_STEPS[0].setWeight ?? 0,
        held: false,
        startedAt: now,
      };
      if (app.rollout.stableImage === newImage)
        app.rollout.stableImage = previousImage;
      this.setHealth(app, 'Progressing', 'more replicas need to be updated');
      this.scheduleCanaryStep(app);
      return;
    }
    app.rollout = undefined;
    this.setHealth(
      app,
      'Progressing',
      `Waiting for rollout to finish: 0 of 2 updated replicas are available...`,
    );
    this.later(app, this.options.timings.progressingMs, () => {
      if (newImage && app.degradedImages.has(newImage)) {
        this.setHealth(app, 'Degraded', degradedMessage(app));
      } else {
        this.setHealth(app, 'Healthy', undefined);
      }
    });
  }

  private scheduleCanaryStep(app: AppState): void {
    const rollout = app.rollout;
    this.later(app, this.options.timings.canaryStepMs, () => {
      if (!rollout || app.rollout !== rollout || rollout.held) return;
      this.advanceCanary(app);
    });
  }

  private advanceCanary(app: AppState): void {
    const rollout = app.rollout;
    if (!rollout) return;
    rollout.stepIndex += 1;
    if (rollout.stepIndex >= CANARY_STEPS.length) {
      rollout.stepIndex = CANARY_STEPS.length;
      rollout.weight = 100;
      rollout.stableImage = rollout.canaryImage;
      rollout.held = false;
      this.setHealth(app, 'Healthy', undefined);
      return;
    }
    const step = CANARY_STEPS[rollout.stepIndex];
    if (step.setWeight !== undefined) {
      rollout.weight = step.setWeight;
      this.setHealth(app, 'Progressing', 'more replicas need to be updated');
    } else {
      this.setHealth(app, 'Suspended', 'Rollout is paused');
    }
    this.scheduleCanaryStep(app);
  }

  /** Admin: let a held canary continue (like `kubectl argo rollouts promote`). */
  promoteRollout(name: string): AppState {
    const app = this.get(name);
    if (!app.rollout || app.rollout.stepIndex >= CANARY_STEPS.length) {
      throw new ArgoApiError(
        400,
        GRPC.FailedPrecondition,
        'no canary in progress',
      );
    }
    app.rollout.held = false;
    this.advanceCanary(app);
    return app;
  }

  /** DELETE /operation. */
  terminate(name: string): void {
    const app = this.get(name);
    if (!app.operation || app.operation.phase !== 'Running') {
      throw new ArgoApiError(
        400,
        GRPC.FailedPrecondition,
        'Unable to terminate operation. No operation is in progress',
      );
    }
    app.operation.phase = 'Failed';
    app.operation.message = 'Operation terminated';
    app.operation.finishedAt = isoSeconds(Date.now());
    this.changed(app);
  }

  /** Admin: change the live image behind Argo CD's back. */
  drift(name: string, image: string | undefined): AppState {
    const app = this.get(name);
    const current = this.workloadImages(app.liveObjects)[0];
    app.driftImage =
      image ??
      (current
        ? `${current.split('@')[0].replace(/:[^:/]*$/, '')}:hotfix-drift`
        : undefined);
    this.changed(app);
    this.maybeAutoSync(app);
    return app;
  }

  /** POST /applications (create); persisted so it survives a restart. */
  async createApplication(
    definition: ArgoAppDefinition,
    upsert: boolean,
  ): Promise<AppState> {
    const existing = this.apps.get(definition.name);
    if (existing && !upsert) {
      throw new ArgoApiError(
        400,
        GRPC.InvalidArgument,
        `existing application spec is different, use upsert flag to force update`,
      );
    }
    if (existing) {
      existing.definition = definition;
      await this.compare(existing, existing.desiredRevision);
      this.persistCreated();
      return existing;
    }
    const state = await this.addFromHistory({ ...definition });
    state.history = [];
    state.liveObjects = [];
    state.liveRevision = undefined;
    state.operation = undefined;
    state.health = {
      status: 'Missing',
      message: undefined,
      since: isoSeconds(Date.now()),
    };
    this.persistCreated();
    this.maybeAutoSync(state);
    return state;
  }

  private setHealth(
    app: AppState,
    status: HealthStatusCode,
    message: string | undefined,
  ): void {
    if (app.health.status !== status) {
      app.health = { status, message, since: isoSeconds(Date.now()) };
    } else {
      app.health.message = message;
    }
    this.changed(app);
  }

  private later(app: AppState, ms: number, action: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      app.timers.delete(timer);
      if (!this.stopped) action();
    }, ms);
    app.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const app of this.apps.values()) {
      for (const timer of app.timers) clearTimeout(timer);
      app.timers.clear();
    }
  }
}

function degradedMessage(app: AppState): string {
  const workload = app.liveObjects.find(isWorkload);
  return `Deployment "${
    workload?.metadata.name ?? app.definition.name
  }" exceeded its progress deadline`;
}

/** A stable UID for an object of an app. */
export function stableUid(...parts: string[]): string {
  const hex = stableBytes(parts.join('/')).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
    13,
    16,
  )}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
