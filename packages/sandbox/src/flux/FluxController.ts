import path from 'node:path';
import YAML from 'yaml';
import { KubernetesObject, renderOverlay } from '../argocd/renderOverlay';
import { stableUid } from '../argocd/ArgoCdController';
import { GitRepositories, isoSeconds } from '../git/GitRepositories';
import { SandboxTimings } from '../types';
import { KUSTOMIZE_API, SOURCE_API } from './fluxLayout';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A `metav1.Condition` as Flux sets them. */
export interface FluxCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

interface FluxObjectState {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Annotations of the manifest in Git. */
  gitAnnotations: Record<string, string>;
  /** Annotations set through PATCH (kept across reloads from Git, as server-side apply keeps other managers' fields). */
  patchedAnnotations: Record<string, string>;
  /** The spec as written in Git. */
  spec: Record<string, any>;
  /** The file in the GitOps repository the object comes from. */
  file: string;
  uid: string;
  createdAt: string;
  generation: number;
  observedGeneration: number | undefined;
  resourceVersion: number;
  conditions: FluxCondition[];
  lastHandledReconcileAt: string | undefined;
}

export interface GitRepositoryState extends FluxObjectState {
  artifact: { sha: string; revision: string; at: string } | undefined;
}

export interface KustomizationState extends FluxObjectState {
  /** `spec.suspend` set through the admin API (like `flux suspend`). */
  suspendOverride: boolean | undefined;
  lastAppliedRevision: string | undefined;
  lastAttemptedRevision: string | undefined;
  /** Objects applied at the last applied revision (namespaces set, Flux labels added). */
  liveObjects: KubernetesObject[];
  /** True while the health checks of a new revision run. */
  checkingHealth: boolean;
  running: boolean;
  again: boolean;
  pendingHandledAt: string | undefined;
  timers: Set<NodeJS.Timeout>;
}

interface Manifest {
  file: string;
  kind: 'Kustomization' | 'GitRepository';
  value: Record<string, any>;
}

export interface FluxControllerOptions {
  repos: GitRepositories;
  owner: string;
  gitopsRepo: string;
  /** The GitOps clone URL served in `GitRepository.spec.url`. */
  gitopsCloneUrl: string;
  timings: SandboxTimings;
  log: (line: string) => void;
}

const MAX_FILE_BYTES = 256 * 1024;
const FLUX_FILE = /^flux\/.+\.ya?ml$/;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;


/** The Flux kinds the stand-in serves, by apiVersion and kind. */
function fluxKind(
  value: Record<string, any> | null,
): Manifest['kind'] | undefined {
  if (value?.apiVersion === KUSTOMIZE_API && value?.kind === 'Kustomization') {
    return 'Kustomization';
  }
  if (value?.apiVersion === SOURCE_API && value?.kind === 'GitRepository') {
    return 'GitRepository';
  }
  return undefined;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function strings(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string') result[k] = v;
    }
  }
  return result;
}

function message(error: unknown): string {
  return String((error as Error)?.message ?? error);
}

/**
 * The sandbox's Flux (source-controller and kustomize-controller):
 * GitRepository and Kustomization objects read from `flux/` of the GitOps
 * repository (what the bootstrap Kustomization would apply), whose status
 * follows that repository. A new commit moves each GitRepository's artifact;
 * every Kustomization of that source then reconciles (Reconciling → applied
 * → health checks → Ready), whatever its interval, as kustomize-controller
 * does on a new source revision: staging and prod change only when a
 * promotion writes their overlays. `reconcile.fluxcd.io/requestedAt` set to
 * a new value (the engine's reconcile request) fetches the source and
 * reconciles at once. A broken overlay is Ready=False, BuildFailed.
 */
export class FluxController {
  private readonly gitRepositories = new Map<string, GitRepositoryState>();
  private readonly kustomizations = new Map<string, KustomizationState>();
  private readonly workloadGenerations = new Map<string, number>();
  private readonly wakers = new Set<() => void>();
  private version = 1;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(private readonly options: FluxControllerOptions) {}

  static async create(options: FluxControllerOptions): Promise<FluxController> {
    const controller = new FluxController(options);
    await controller.load();
    return controller;
  }

  // ---------------------------------------------------------------- queries

  listKustomizations(): KustomizationState[] {
    return [...this.kustomizations.values()].sort(byKey);
  }

  listGitRepositories(): GitRepositoryState[] {
    return [...this.gitRepositories.values()].sort(byKey);
  }

  getKustomization(namespace: string, name: string) {
    return this.kustomizations.get(key(namespace, name));
  }

  getGitRepository(namespace: string, name: string) {
    return this.gitRepositories.get(key(namespace, name));
  }

  /** The current resourceVersion of the whole store (lists carry it). */
  get resourceVersion(): number {
    return this.version;
  }

  suspended(k: KustomizationState): boolean {
    return k.suspendOverride ?? k.spec.suspend === true;
  }

  annotations(object: FluxObjectState): Record<string, string> {
    return { ...object.gitAnnotations, ...object.patchedAnnotations };
  }

  /** The applied workload `<namespace>/<name>` of kind Deployment, with the Kustomization that applied it. */
  findDeployment(
    namespace: string,
    name: string,
  ):
    | {
        object: KubernetesObject;
        owner: KustomizationState;
        generation: number;
      }
    | undefined {
    for (const owner of this.kustomizations.values()) {
      const object = owner.liveObjects.find(
        o =>
          o.kind === 'Deployment' &&
          o.metadata.name === name &&
          o.metadata.namespace === namespace,
      );
      if (object) {
        return {
          object,
          owner,
          generation:
            this.workloadGenerations.get(
              key(namespace, `Deployment/${name}`),
            ) ?? 1,
        };
      }
    }
    return undefined;
  }

  /** The images of the applied workloads of a Kustomization. */
  workloadImages(k: KustomizationState): string[] {
    return k.liveObjects
      .filter(o => ['Deployment', 'Rollout', 'StatefulSet'].includes(o.kind))
      .flatMap(o =>
        (o.spec?.template?.spec?.containers ?? [])
          .map((c: { image?: unknown }) => c.image)
          .filter((i: unknown): i is string => typeof i === 'string'),
      );
  }

  condition(object: FluxObjectState, type: string): FluxCondition | undefined {
    return object.conditions.find(c => c.type === type);
  }

  // ---------------------------------------------------------------- loading

  private async load(): Promise<void> {
    const manifests = await this.readManifests();
    if (!manifests) return;
    const { added } = this.syncManifests(manifests.items, false);
    for (const repository of this.gitRepositories.values()) {
      await this.fetchSource(repository);
    }
    for (const k of added) {
      await this.initialise(k);
    }
  }

  /** Flux objects in `flux/` of the GitOps repository's `main`. */
  private async readManifests(): Promise<
    { items: Manifest[]; complete: boolean } | undefined
  > {
    const { repos, owner, gitopsRepo, log } = this.options;
    const head = await repos.resolveCommit(owner, gitopsRepo, 'main');
    if (!head) return undefined;
    const files = (await repos.listFiles(owner, gitopsRepo, head)).filter(
      entry =>
        entry.type === 'blob' &&
        FLUX_FILE.test(entry.path) &&
        (entry.size ?? 0) <= MAX_FILE_BYTES,
    );
    const items: Manifest[] = [];
    let complete = true;
    for (const file of files) {
      const text = (await repos.readBlob(owner, gitopsRepo, file.sha)).toString(
        'utf8',
      );
      const documents = YAML.parseAllDocuments(text);
      if (documents.some(d => d.errors.length > 0)) {
        complete = false;
        log(`flux: skipped ${file.path}: not valid YAML`);
        continue;
      }
      for (const document of documents) {
        const value = document.toJS() as Record<string, any> | null;
        const kind = fluxKind(value);
        if (!kind || !value) continue;
        const { name, namespace } = value.metadata ?? {};
        if (
          typeof name !== 'string' ||
          typeof namespace !== 'string' ||
          !NAME.test(name) ||
          !NAME.test(namespace) ||
          typeof value.spec !== 'object' ||
          value.spec === null
        ) {
          complete = false;
          log(
            `flux: skipped a ${kind} in ${file.path}: metadata.name, metadata.namespace and spec are required`,
          );
          continue;
        }
        items.push({ file: file.path, kind, value });
      }
    }
    return { items, complete };
  }

  /** Creates, updates and (when the read was complete) deletes objects. */
  private syncManifests(
    manifests: Manifest[],
    complete: boolean,
  ): { added: KustomizationState[]; changedSpec: KustomizationState[] } {
    const added: KustomizationState[] = [];
    const changedSpec: KustomizationState[] = [];
    const seen = new Set<string>();
    for (const manifest of manifests) {
      const { name, namespace } = manifest.value.metadata;
      const id = `${manifest.kind}/${key(namespace, name)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const store: Map<string, FluxObjectState> =
        manifest.kind === 'Kustomization'
          ? this.kustomizations
          : this.gitRepositories;
      const existing = store.get(key(namespace, name));
      const labels = strings(manifest.value.metadata.labels);
      const gitAnnotations = strings(manifest.value.metadata.annotations);
      const spec = JSON.parse(JSON.stringify(manifest.value.spec));
      if (existing) {
        const specChanged =
          JSON.stringify(existing.spec) !== JSON.stringify(spec);
        const metaChanged =
          JSON.stringify([existing.labels, existing.gitAnnotations]) !==
          JSON.stringify([labels, gitAnnotations]);
        existing.file = manifest.file;
        existing.labels = labels;
        existing.gitAnnotations = gitAnnotations;
        if (specChanged) {
          existing.spec = spec;
          existing.generation += 1;
          if (manifest.kind === 'Kustomization') {
            changedSpec.push(existing as KustomizationState);
          }
        }
        if (specChanged || metaChanged) this.changed(existing);
        continue;
      }
      const base: FluxObjectState = {
        namespace,
        name,
        labels,
        gitAnnotations,
        patchedAnnotations: {},
        spec,
        file: manifest.file,
        uid: stableUid('flux', manifest.kind, namespace, name),
        createdAt: isoSeconds(Date.now()),
        generation: 1,
        observedGeneration: undefined,
        resourceVersion: this.version,
        conditions: [],
        lastHandledReconcileAt: undefined,
      };
      if (manifest.kind === 'GitRepository') {
        this.gitRepositories.set(key(namespace, name), {
          ...base,
          artifact: undefined,
        });
      } else {
        const k: KustomizationState = {
          ...base,
          suspendOverride: undefined,
          lastAppliedRevision: undefined,
          lastAttemptedRevision: undefined,
          liveObjects: [],
          checkingHealth: false,
          running: false,
          again: false,
          pendingHandledAt: undefined,
          timers: new Set(),
        };
        this.kustomizations.set(key(namespace, name), k);
        added.push(k);
      }
    }
    if (complete) {
      for (const id of [...this.gitRepositories.keys()]) {
        if (!seen.has(`GitRepository/${id}`)) {
          this.gitRepositories.delete(id);
          this.options.log(`flux: GitRepository ${id} deleted (gone from Git)`);
        }
      }
      for (const [id, k] of [...this.kustomizations]) {
        if (!seen.has(`Kustomization/${id}`)) {
          for (const timer of k.timers) clearTimeout(timer);
          this.kustomizations.delete(id);
          this.options.log(`flux: Kustomization ${id} deleted (gone from Git)`);
        }
      }
    }
    return { added, changedSpec };
  }

  /** A Kustomization known at start: as if Flux had applied its source's artifact. */
  private async initialise(k: KustomizationState): Promise<void> {
    const source = this.sourceOf(k);
    if ('error' in source) {
      this.setCondition(k, 'Ready', 'False', source.reason, source.error);
      this.changed(k);
      return;
    }
    const sha = source.repository.artifact.sha;
    const revision = this.revisionOf(source.repository, sha);
    try {
      k.liveObjects = await this.render(k, sha);
      k.lastAppliedRevision = revision;
      k.lastAttemptedRevision = revision;
      this.bumpWorkloads(k, []);
      this.succeeded(k, revision);
    } catch (error) {
      k.lastAttemptedRevision = revision;
      this.buildFailed(k, error);
    }
    k.observedGeneration = k.generation;
    this.changed(k);
  }

  // ---------------------------------------------------------------- changes

  /** Re-reads `flux/` and every source from the GitOps repository (after a new commit). */
  refresh(): Promise<void> {
    this.queue = this.queue
      .then(() => this.doRefresh())
      .catch(error =>
        this.options.log(`flux: refresh failed: ${message(error)}`),
      );
    return this.queue;
  }

  private async doRefresh(): Promise<void> {
    if (this.stopped) return;
    const manifests = await this.readManifests();
    if (!manifests) return;
    const { added, changedSpec } = this.syncManifests(
      manifests.items,
      manifests.complete,
    );
    if (added.length > 0) {
      this.options.log(
        `flux: created ${added
          .map(k => `${k.namespace}/${k.name}`)
          .join(', ')}`,
      );
    }
    for (const repository of this.gitRepositories.values()) {
      await this.fetchSource(repository);
    }
    const fresh = new Set([...added, ...changedSpec]);
    for (const k of fresh) {
      this.requestReconcile(k);
    }
    for (const k of this.kustomizations.values()) {
      if (fresh.has(k)) continue;
      const source = this.sourceOf(k);
      if (
        'repository' in source &&
        this.revisionOf(source.repository, source.repository.artifact.sha) !==
          k.lastAttemptedRevision
      ) {
        this.requestReconcile(k);
      }
    }
  }

  /** PATCH of a GitRepository's annotations; a new requestedAt fetches at once. */
  async patchGitRepository(
    repository: GitRepositoryState,
    annotations: Record<string, string | null>,
  ): Promise<void> {
    const requested = this.applyAnnotations(repository, annotations);
    this.changed(repository);
    if (requested !== undefined) {
      await this.fetchSource(repository);
      repository.lastHandledReconcileAt = requested;
      this.changed(repository);
      for (const k of this.kustomizations.values()) {
        const source = this.sourceOf(k);
        if (
          'repository' in source &&
          source.repository === repository &&
          this.revisionOf(repository, repository.artifact?.sha ?? '') !==
            k.lastAttemptedRevision
        ) {
          this.requestReconcile(k);
        }
      }
    }
  }

  /** PATCH of a Kustomization's annotations; a new requestedAt reconciles it. */
  patchKustomization(
    k: KustomizationState,
    annotations: Record<string, string | null>,
  ): void {
    const requested = this.applyAnnotations(k, annotations);
    this.changed(k);
    if (requested !== undefined) {
      this.requestReconcile(k, requested);
    }
  }

  /** Admin: `flux suspend` / `flux resume`. Resuming reconciles. */
  setSuspended(k: KustomizationState, suspend: boolean): void {
    k.suspendOverride = suspend;
    k.generation += 1;
    this.changed(k);
    if (!suspend) this.requestReconcile(k);
  }

  /** Applies a merge patch of annotations; returns a new requestedAt value, if any. */
  private applyAnnotations(
    object: FluxObjectState,
    annotations: Record<string, string | null>,
  ): string | undefined {
    const before = this.annotations(object)['reconcile.fluxcd.io/requestedAt'];
    for (const [name, value] of Object.entries(annotations)) {
      if (value === null) {
        delete object.patchedAnnotations[name];
      } else {
        object.patchedAnnotations[name] = value;
      }
    }
    const after = this.annotations(object)['reconcile.fluxcd.io/requestedAt'];
    return after !== undefined &&
      after !== before &&
      after !== object.lastHandledReconcileAt
      ? after
      : undefined;
  }

  /** source-controller: resolves the ref and stores a new artifact when it moved. */
  private async fetchSource(repository: GitRepositoryState): Promise<boolean> {
    const { repos, owner, gitopsRepo } = this.options;
    const url = repository.spec.url;
    const suffix = `/git/${owner}/${gitopsRepo}.git`;
    repository.observedGeneration = repository.generation;
    if (typeof url !== 'string' || !url.endsWith(suffix)) {
      const changed = repository.artifact !== undefined;
      repository.artifact = undefined;
      this.setCondition(
        repository,
        'Ready',
        'False',
        'GitOperationFailed',
        `failed to checkout and determine revision: unable to clone '${String(
          url,
        )}': the sandbox serves only ${owner}/${gitopsRepo}`,
      );
      this.changed(repository);
      return changed;
    }
    const ref = this.refOf(repository);
    const sha = await repos.resolveCommit(owner, gitopsRepo, ref.name);
    if (!sha) {
      this.setCondition(
        repository,
        'Ready',
        'False',
        'GitOperationFailed',
        `failed to checkout and determine revision: unable to clone '${url}': couldn't find remote ref "${ref.full}"`,
      );
      this.changed(repository);
      return false;
    }
    if (repository.artifact?.sha === sha) return false;
    const revision = this.revisionOf(repository, sha);
    repository.artifact = { sha, revision, at: isoSeconds(Date.now()) };
    const text = `stored artifact for revision '${revision}'`;
    this.setCondition(repository, 'Ready', 'True', 'Succeeded', text);
    this.setCondition(
      repository,
      'ArtifactInStorage',
      'True',
      'Succeeded',
      text,
    );
    this.changed(repository);
    return true;
  }

  private refOf(repository: GitRepositoryState): {
    name: string;
    full: string;
    label: string | undefined;
  } {
    const ref = repository.spec.ref ?? {};
    if (typeof ref.commit === 'string') {
      return { name: ref.commit, full: ref.commit, label: undefined };
    }
    if (typeof ref.tag === 'string') {
      return { name: ref.tag, full: `refs/tags/${ref.tag}`, label: ref.tag };
    }
    // Flux's default branch when no ref is given.
    const branch = typeof ref.branch === 'string' ? ref.branch : 'master';
    return { name: branch, full: `refs/heads/${branch}`, label: branch };
  }

  /** Flux v2's revision format: `<branch>@sha1:<sha>` (`sha1:<sha>` for a commit ref). */
  revisionOf(repository: GitRepositoryState, sha: string): string {
    const { label } = this.refOf(repository);
    return label ? `${label}@sha1:${sha}` : `sha1:${sha}`;
  }

  private sourceOf(k: KustomizationState):
    | {
        repository: GitRepositoryState & {
          artifact: NonNullable<GitRepositoryState['artifact']>;
        };
      }
    | { error: string; reason: string } {
    const ref = k.spec.sourceRef ?? {};
    const namespace =
      typeof ref.namespace === 'string' ? ref.namespace : k.namespace;
    const id = `${String(ref.kind)}/${namespace}/${String(ref.name)}`;
    if (namespace !== k.namespace) {
      // kustomize-controller runs with --no-cross-namespace-refs=true.
      return {
        reason: 'AccessDenied',
        error: `cannot access ${id}, cross-namespace references have been disabled`,
      };
    }
    const repository =
      ref.kind === 'GitRepository' && typeof ref.name === 'string'
        ? this.gitRepositories.get(key(namespace, ref.name))
        : undefined;
    if (!repository) {
      return { reason: 'ArtifactFailed', error: `Source '${id}' not found` };
    }
    if (!repository.artifact) {
      return {
        reason: 'ArtifactFailed',
        error: `Source artifact not found, retrying in 30s`,
      };
    }
    return {
      repository: repository as GitRepositoryState & {
        artifact: NonNullable<GitRepositoryState['artifact']>;
      },
    };
  }

  private folder(k: KustomizationState): string {
    const raw = typeof k.spec.path === 'string' ? k.spec.path : './';
    const normalised = path.posix.normalize(raw).replace(/^\/+|\/+$/g, '');
    return normalised === '' ? '.' : normalised;
  }

  /** kustomize build of the Kustomization's path at a commit, as kustomize-controller applies it. */
  private async render(
    k: KustomizationState,
    sha: string,
  ): Promise<KubernetesObject[]> {
    const { repos, owner, gitopsRepo } = this.options;
    const folder = this.folder(k);
    if (folder.startsWith('..')) {
      throw new Error(`path ${k.spec.path} leaves the source`);
    }
    const { objects } = await renderOverlay(
      repos,
      owner,
      gitopsRepo,
      sha,
      folder,
    );
    const targetNamespace =
      typeof k.spec.targetNamespace === 'string'
        ? k.spec.targetNamespace
        : undefined;
    return objects.map(object => ({
      ...object,
      metadata: {
        ...object.metadata,
        ...(targetNamespace && object.kind !== 'Namespace'
          ? { namespace: targetNamespace }
          : {}),
        labels: {
          ...object.metadata.labels,
          'kustomize.toolkit.fluxcd.io/name': k.name,
          'kustomize.toolkit.fluxcd.io/namespace': k.namespace,
        },
      },
    }));
  }

  /** Asks for a reconciliation; one runs at a time per Kustomization, a request meanwhile runs after it. */
  requestReconcile(k: KustomizationState, handledAt?: string): void {
    if (this.stopped) return;
    if (handledAt !== undefined) k.pendingHandledAt = handledAt;
    if (k.running) {
      k.again = true;
      return;
    }
    if (this.suspended(k)) {
      // A suspended object ignores requests (the Flux CLI refuses them).
      k.pendingHandledAt = undefined;
      return;
    }
    k.running = true;
    k.again = false;
    this.reconcile(k)
      .catch(error =>
        this.options.log(
          `flux: reconcile of ${k.namespace}/${k.name} failed: ${message(
            error,
          )}`,
        ),
      )
      .finally(() => {
        k.running = false;
        if (k.again && this.kustomizations.get(key(k.namespace, k.name)) === k)
          this.requestReconcile(k);
      });
  }

  private async reconcile(k: KustomizationState): Promise<void> {
    const handledAt = k.pendingHandledAt;
    k.pendingHandledAt = undefined;
    const finish = () => {
      k.observedGeneration = k.generation;
      if (handledAt !== undefined) k.lastHandledReconcileAt = handledAt;
      this.changed(k);
    };
    const source = this.sourceOf(k);
    if ('error' in source) {
      this.setCondition(k, 'Ready', 'False', source.reason, source.error);
      this.removeCondition(k, 'Reconciling');
      finish();
      return;
    }
    const { sha } = source.repository.artifact;
    const revision = this.revisionOf(source.repository, sha);
    let rendered: KubernetesObject[] | undefined;
    let buildError: unknown;
    try {
      rendered = await this.render(k, sha);
    } catch (error) {
      buildError = error;
    }
    if (
      rendered &&
      this.condition(k, 'Ready')?.status === 'True' &&
      k.observedGeneration === k.generation &&
      JSON.stringify(rendered) === JSON.stringify(k.liveObjects)
    ) {
      // Nothing to apply: Flux moves the revision in milliseconds.
      k.lastAttemptedRevision = revision;
      k.lastAppliedRevision = revision;
      this.succeeded(k, revision);
      finish();
      return;
    }
    this.setCondition(
      k,
      'Reconciling',
      'True',
      'Progressing',
      `Fetching manifests for revision ${revision} with a timeout of ${
        k.spec.timeout ?? k.spec.interval
      }`,
    );
    this.setCondition(
      k,
      'Ready',
      'Unknown',
      'Progressing',
      'Reconciliation in progress',
    );
    this.changed(k);
    if (!(await this.wait(k, this.options.timings.syncOperationMs))) return;
    k.lastAttemptedRevision = revision;
    if (!rendered) {
      this.buildFailed(k, buildError);
      finish();
      this.options.log(`flux: ${k.namespace}/${k.name} build failed`);
      return;
    }
    const previous = k.liveObjects;
    k.liveObjects = rendered;
    k.lastAppliedRevision = revision;
    this.bumpWorkloads(k, previous);
    const checks = Array.isArray(k.spec.healthChecks)
      ? k.spec.healthChecks.length
      : 0;
    if (checks > 0 || k.spec.wait === true) {
      k.checkingHealth = true;
      const text = `Running health checks for revision ${revision} with a timeout of ${
        k.spec.timeout ?? k.spec.interval
      }`;
      this.setCondition(k, 'Reconciling', 'True', 'Progressing', text);
      this.setCondition(k, 'Ready', 'Unknown', 'Progressing', text);
      this.setCondition(k, 'Healthy', 'Unknown', 'Progressing', text);
      this.changed(k);
      const healthy = await this.wait(k, this.options.timings.progressingMs);
      k.checkingHealth = false;
      if (!healthy) return;
    }
    this.succeeded(k, revision);
    finish();
    this.options.log(
      `flux: ${k.namespace}/${k.name} applied ${revision.replace(
        /sha1:([0-9a-f]{7})[0-9a-f]+/,
        'sha1:$1',
      )}`,
    );
  }

  private succeeded(k: KustomizationState, revision: string): void {
    const text = `Applied revision: ${revision}`;
    this.removeCondition(k, 'Reconciling');
    this.removeCondition(k, 'Stalled');
    this.setCondition(k, 'Ready', 'True', 'ReconciliationSucceeded', text);
    if (Array.isArray(k.spec.healthChecks) && k.spec.healthChecks.length > 0) {
      this.setCondition(
        k,
        'Healthy',
        'True',
        'Succeeded',
        'Health check passed',
      );
    }
  }

  private buildFailed(k: KustomizationState, error: unknown): void {
    this.removeCondition(k, 'Reconciling');
    this.setCondition(
      k,
      'Ready',
      'False',
      'BuildFailed',
      `kustomize build failed: ${message(error)}`,
    );
  }

  /** Counts a new generation for every workload whose spec changed. */
  private bumpWorkloads(
    k: KustomizationState,
    previous: KubernetesObject[],
  ): void {
    for (const object of k.liveObjects) {
      const id = key(
        object.metadata.namespace ?? '',
        `${object.kind}/${object.metadata.name}`,
      );
      const before = previous.find(
        p =>
          p.kind === object.kind &&
          p.metadata.name === object.metadata.name &&
          p.metadata.namespace === object.metadata.namespace,
      );
      const current = this.workloadGenerations.get(id);
      if (current === undefined) {
        this.workloadGenerations.set(id, 1);
      } else if (
        !before ||
        JSON.stringify(before.spec) !== JSON.stringify(object.spec)
      ) {
        this.workloadGenerations.set(id, current + 1);
      }
    }
  }

  private setCondition(
    object: FluxObjectState,
    type: string,
    status: ConditionStatus,
    reason: string,
    text: string,
  ): void {
    const existing = this.condition(object, type);
    const now = isoSeconds(Date.now());
    const next: FluxCondition = {
      type,
      status,
      reason,
      message: text,
      lastTransitionTime:
        existing && existing.status === status
          ? existing.lastTransitionTime
          : now,
      observedGeneration: object.generation,
    };
    object.conditions = [
      ...object.conditions.filter(c => c.type !== type),
      next,
    ].sort((a, b) => conditionOrder(a.type) - conditionOrder(b.type));
  }

  private removeCondition(object: FluxObjectState, type: string): void {
    object.conditions = object.conditions.filter(c => c.type !== type);
  }

  private changed(object: FluxObjectState): void {
    this.version += 1;
    object.resourceVersion = this.version;
  }

  /** Resolves true after `ms`, false if the controller stops first. */
  private wait(k: KustomizationState, ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise(resolve => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const wake = () => {
        if (timer) {
          clearTimeout(timer);
          k.timers.delete(timer);
        }
        resolve(false);
      };
      timer = setTimeout(() => {
        if (timer) k.timers.delete(timer);
        this.wakers.delete(wake);
        resolve(!this.stopped);
      }, ms);
      k.timers.add(timer);
      this.wakers.add(wake);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
    this.wakers.clear();
    for (const k of this.kustomizations.values()) {
      for (const timer of k.timers) clearTimeout(timer);
      k.timers.clear();
    }
  }
}

const CONDITION_ORDER = [
  'Ready',
  'Healthy',
  'Reconciling',
  'Stalled',
  'ArtifactInStorage',
];

function conditionOrder(type: string): number {
  const index = CONDITION_ORDER.indexOf(type);
  return index < 0 ? CONDITION_ORDER.length : index;
}

function byKey(a: FluxObjectState, b: FluxObjectState): number {
  return key(a.namespace, a.name).localeCompare(key(b.namespace, b.name));
}
