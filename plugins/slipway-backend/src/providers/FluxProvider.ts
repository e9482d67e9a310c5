import {
  ENVIRONMENT_LABEL,
  HealthStatus,
  LiveState,
  RolloutState,
  SyncStatus,
} from '@slipway/plugin-slipway-common';
import {
  DeliveryApplication,
  DeliveryProvider,
  fetchUpstreamJson,
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

const KUSTOMIZATIONS = '/apis/kustomize.toolkit.fluxcd.io/v1';
const HELM_RELEASES = '/apis/helm.toolkit.fluxcd.io/v2';
const SOURCES = '/apis/source.toolkit.fluxcd.io/v1';
/** The annotation `flux reconcile` sets; the controllers echo it in `lastHandledReconcileAt`. */
export const FLUX_RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';
/** Ids of Flux providers start with this (`flux:<cluster>`). */
export const FLUX_PROVIDER_PREFIX = 'flux:';
/** Deployments read per Flux object for the live images. */
const WORKLOADS_PER_OBJECT = 5;
/** Deployments read per list, whatever the number of objects. */
const DEFAULT_MAX_WORKLOAD_READS = 200;
const WORKLOAD_CONCURRENCY = 8;
const MESSAGE_LENGTH = 500;

type FluxKind = 'Kustomization' | 'HelmRelease';

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function obj(value: unknown): Record<string, any> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, any>)
    : {};
}

function labelsOf(metadata: Record<string, any>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj(metadata.labels))) {
    if (typeof value === 'string') labels[key] = value;
  }
  return labels;
}

/**
 * The Git commit of a Flux revision: the sha after `sha1:` in
 * `<branch>@sha1:<sha>` (Flux v2), the sha of the older `<branch>/<sha>`,
 * or a bare sha. Anything else (a chart version, an OCI digest) is no Git
 * revision: undefined.
 */
export function parseFluxRevision(
  revision: string | undefined,
): string | undefined {
  if (!revision) return undefined;
  const current = /(?:^|@)sha1:([0-9a-f]{40})$/.exec(revision);
  if (current) return current[1];
  const legacy = /^[^@\s]+\/([0-9a-f]{40})$/.exec(revision);
  if (legacy) return legacy[1];
  return /^[0-9a-f]{40}$/.test(revision) ? revision : undefined;
}

interface Condition {
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

function conditionOf(status: Record<string, any>, type: string): Condition {
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const found = obj(conditions.find((c: unknown) => obj(c).type === type));
  return {
    status: str(found.status),
    reason: str(found.reason),
    message: str(found.message),
    lastTransitionTime: str(found.lastTransitionTime),
  };
}

/** `<namespace>/<name>` of the Deployments in a Kustomization's inventory. */
export function inventoryDeployments(item: unknown): string[] {
  const entries = obj(obj(obj(item).status).inventory).entries;
  const found: string[] = [];
  for (const entry of Array.isArray(entries) ? entries : []) {
    const parts = str(obj(entry).id)?.split('_');
    if (
      parts?.length === 4 &&
      parts[0] &&
      parts[1] &&
      parts[2] === 'apps' &&
      parts[3] === 'Deployment'
    ) {
      found.push(`${parts[0]}/${parts[1]}`);
    }
  }
  return [...new Set(found)];
}

/** The images a Deployment's pod template runs (init containers too). */
function imagesOfDeployment(deployment: unknown): string[] {
  const pod = obj(obj(obj(obj(deployment).spec).template).spec);
  const images: string[] = [];
  for (const list of [pod.initContainers, pod.containers]) {
    for (const container of Array.isArray(list) ? list : []) {
      const image = str(obj(container).image);
      if (image) images.push(image);
    }
  }
  return images;
}

/**
 * The link of a Flux object from a URL template: `{cluster}`,
 * `{namespace}`, `{name}` and `{kind}` are replaced, URL-encoded.
 */
export function fluxUiUrl(
  template: string,
  values: { cluster: string; namespace: string; name: string; kind: string },
): string {
  return template.replace(/\{(cluster|namespace|name|kind)\}/g, (_, key) =>
    encodeURIComponent(values[key as keyof typeof values]),
  );
}

/** What a Flux object's source says, for the sync status. */
interface SourceFacts {
  /** The revision of the source's artifact; undefined: unknown. */
  revision?: string;
}

/**
 * Maps a Flux Kustomization or HelmRelease to the allow-listed DTO, so
 * that the one "deployed" rule answers: Synced when the applied revision is
 * the source's, Healthy only when Ready is True and nothing reconciles.
 */
export function toFluxApplication(
  item: unknown,
  options: {
    cluster: string;
    kind: FluxKind;
    source?: SourceFacts;
    images?: string[];
    uiUrl?: string;
  },
): DeliveryApplication {
  const metadata = obj(obj(item).metadata);
  const spec = obj(obj(item).spec);
  const status = obj(obj(item).status);
  const name = str(metadata.name);
  const namespace = str(metadata.namespace);
  if (!name || !namespace) {
    throw new UpstreamError(
      `Flux ${options.cluster} answered a ${options.kind} without a name or namespace`,
      { kind: 'malformed' },
    );
  }
  const ready = conditionOf(status, 'Ready');
  const reconciling = conditionOf(status, 'Reconciling');
  const stalled = conditionOf(status, 'Stalled');
  const applied = str(status.lastAppliedRevision);
  const attempted = str(status.lastAttemptedRevision);
  const suspended = spec.suspend === true;
  const failed = ready.status === 'False' || stalled.status === 'True';
  const inProgress =
    !failed &&
    (reconciling.status === 'True' ||
      (ready.status === 'Unknown' && ready.reason === 'Progressing'));

  let healthStatus: HealthStatus = 'Unknown';
  if (suspended) healthStatus = 'Suspended';
  else if (failed) healthStatus = 'Degraded';
  else if (inProgress || ready.status === 'Unknown') {
    healthStatus = 'Progressing';
  } else if (ready.status === 'True') healthStatus = 'Healthy';

  let syncStatus: SyncStatus = 'Unknown';
  const sourceRevision = options.source?.revision;
  if (options.kind === 'Kustomization' && sourceRevision) {
    const appliedSha = parseFluxRevision(applied);
    const sourceSha = parseFluxRevision(sourceRevision);
    const same =
      appliedSha && sourceSha
        ? appliedSha === sourceSha
        : applied === sourceRevision;
    syncStatus = same ? 'Synced' : 'OutOfSync';
  }

  const live: LiveState = {
    application: name,
    instance: options.cluster,
    controller: 'flux',
    namespace,
    syncStatus,
    healthStatus,
    revision: parseFluxRevision(applied),
    images: options.images ?? [],
    reconciledAt: ready.lastTransitionTime,
  };
  if (failed) {
    const failure = ready.status === 'False' ? ready : stalled;
    live.operation = {
      phase: 'Failed',
      finishedAt: failure.lastTransitionTime,
      message: (failure.message ?? failure.reason)?.slice(0, MESSAGE_LENGTH),
      revision: parseFluxRevision(attempted),
    };
  } else if (inProgress) {
    live.operation = {
      phase: 'Running',
      startedAt:
        reconciling.status === 'True'
          ? reconciling.lastTransitionTime
          : ready.lastTransitionTime,
      message: (reconciling.message ?? ready.message)?.slice(0, MESSAGE_LENGTH),
      revision: parseFluxRevision(attempted),
    };
  }
  if (options.uiUrl) {
    live.url = fluxUiUrl(options.uiUrl, {
      cluster: options.cluster,
      namespace,
      name,
      kind: options.kind,
    });
  }
  const history = historyOf(status, ready, applied);
  const lastSynced = history[0]?.deployedAt;
  if (lastSynced) live.lastSyncedAt = lastSynced;
  for (const key of Object.keys(live) as (keyof LiveState)[]) {
    if (live[key] === undefined) delete live[key];
  }
  const labels = labelsOf(metadata);
  return {
    live,
    environment: labels[ENVIRONMENT_LABEL],
    labels,
    hasRollout: false,
    history,
  };
}

/**
 * Revisions deployed, newest first: `status.history` where the controller
 * keeps it (kustomize-controller v1.5+: entries with `metadata.revision`
 * and `lastReconciled`), else the last applied revision alone.
 */
function historyOf(
  status: Record<string, any>,
  ready: Condition,
  applied: string | undefined,
): DeliveryApplication['history'] {
  if (Array.isArray(status.history) && status.history.length > 0) {
    return status.history
      .map(obj)
      .filter(entry => {
        const outcome = str(entry.lastReconciledStatus);
        return !outcome || outcome.endsWith('Succeeded');
      })
      .map(entry => ({
        revision:
          parseFluxRevision(
            str(obj(entry.metadata).revision) ?? str(entry.revision),
          ) ?? '',
        deployedAt: str(entry.lastReconciled),
        startedAt: str(entry.firstReconciled),
      }))
      .filter(entry => entry.revision !== '')
      .sort((a, b) => (b.deployedAt ?? '').localeCompare(a.deployedAt ?? ''));
  }
  const revision = parseFluxRevision(applied);
  if (!revision) return [];
  return [
    {
      revision,
      deployedAt:
        ready.status === 'True' ? ready.lastTransitionTime : undefined,
    },
  ];
}

/**
 * A fetch over node's https with the cluster's CA or without verification.
 * Only for clusters that configure `caData` or `skipTLSVerify`.
 */
function fetchWithTls(options: {
  caData?: string;
  skipTLSVerify?: boolean;
}): typeof fetch {
  const agent = new https.Agent({
    ca: options.caData
      ? Buffer.from(options.caData, 'base64').toString('utf8')
      : undefined,
    rejectUnauthorized: !options.skipTLSVerify,
    keepAlive: true,
  });
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method: init?.method ?? 'GET',
          headers: init?.headers as Record<string, string> | undefined,
          agent: url.protocol === 'https:' ? agent : undefined,
          signal: init?.signal ?? undefined,
        },
        response => {
          const headers = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            for (const one of Array.isArray(value) ? value : [value]) {
              if (one !== undefined) headers.append(key, one);
            }
          }
          const status = response.statusCode ?? 500;
          const empty = status === 204 || status === 304;
          if (empty) response.resume();
          resolve(
            new Response(
              empty
                ? null
                : (Readable.toWeb(response) as ReadableStream<Uint8Array>),
              { status, headers },
            ),
          );
        },
      );
      request.on('error', reject);
      if (typeof init?.body === 'string') request.write(init.body);
      request.end();
    });
  }) as typeof fetch;
}

/** Thrown by `sync` when the cluster has no reconcile credential. */
export class FluxReconcileNotConfiguredError extends UpstreamError {
  constructor(cluster: string) {
    super(
      `Flux ${cluster}: reconcile is not configured (slipway.flux.clusters[].reconcileToken)`,
      { status: 403 },
    );
    this.name = 'FluxReconcileNotConfiguredError';
  }
}

/**
 * True when Flux handled our reconcile request, or a later one (someone
 * else's `flux reconcile` after ours replaces the annotation; handling it
 * covers ours).
 */
function handledSince(handled: string | undefined, requested: string) {
  if (handled === requested) return true;
  const at = Date.parse(handled ?? '');
  return Number.isFinite(at) && at >= Date.parse(requested);
}

/** Thrown by `sync` when Flux tried the wanted commit and it failed (Ready=False): the controller's message. */
export class FluxApplyFailedError extends UpstreamError {
  constructor(message: string) {
    super(message);
    this.name = 'FluxApplyFailedError';
  }
}

/** Options of {@link FluxProvider.create}. */
export interface FluxProviderOptions {
  /** The cluster's name: the provider's instance (`slipway.dev/flux-cluster`). */
  name: string;
  /** Kubernetes API server URL. */
  url: string;
  /** Bearer token of the reader's service account. */
  serviceAccountToken: string;
  /** Bearer token allowed to patch Kustomizations and GitRepositories (reconcile requests). */
  reconcileToken?: string;
  /** Base64 PEM of the API server's CA. */
  caData?: string;
  /** Accept any certificate (development only). */
  skipTLSVerify?: boolean;
  /** Read only these namespaces (else all). */
  namespaces?: string[];
  /** Link template with `{cluster}`, `{namespace}`, `{name}`, `{kind}`. */
  uiUrl?: string;
  fetch?: typeof fetch;
  /** Wait between checks while a reconcile is awaited. Default 1 s. */
  reconcilePollMs?: number;
  /** Deployments read per list for the live images. Default 200. */
  maxWorkloadReads?: number;
}

/**
 * Flux (one cluster) over the Kubernetes API: Kustomizations (and
 * HelmReleases where installed) as delivery applications, a reconcile
 * request as `sync`.
 */
export class FluxProvider implements DeliveryProvider {
  readonly kind = 'delivery' as const;
  readonly id: string;
  readonly instance: string;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly upstream: string;

  static create(options: FluxProviderOptions): FluxProvider {
    return new FluxProvider(options);
  }

  private constructor(private readonly options: FluxProviderOptions) {
    this.instance = options.name;
    this.id = `${FLUX_PROVIDER_PREFIX}${options.name}`;
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.upstream = `Flux ${options.name}`;
    this.fetchImpl =
      options.fetch ??
      (options.caData || options.skipTLSVerify
        ? fetchWithTls(options)
        : undefined);
  }

  private request<T>(
    path: string,
    signal: AbortSignal,
    init: {
      allow404?: boolean;
      method?: string;
      body?: unknown;
      token?: string;
    } = {},
  ): Promise<T | undefined> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${init.token ?? this.options.serviceAccountToken}`,
    };
    if (init.body !== undefined) {
      headers['content-type'] = 'application/merge-patch+json';
    }
    return fetchUpstreamJson<T>(`${this.baseUrl}${path}`, {
      upstream: this.upstream,
      signal,
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      fetch: this.fetchImpl,
      allowStatuses: init.allow404 ? [404] : undefined,
    });
  }

  private itemsOf(body: unknown, what: string): unknown[] {
    const items = obj(body).items;
    if (items === null || items === undefined) return [];
    if (!Array.isArray(items)) {
      throw new UpstreamError(
        `${this.upstream} answered an unexpected ${what}`,
        {
          kind: 'malformed',
        },
      );
    }
    return items;
  }

  /** One list per configured namespace, or one over all namespaces. */
  private async list(
    group: string,
    plural: string,
    selector: string | undefined,
    signal: AbortSignal,
    allow404 = false,
  ): Promise<unknown[]> {
    const query = selector
      ? `?labelSelector=${encodeURIComponent(selector)}`
      : '';
    const namespaces = this.options.namespaces ?? [];
    const paths =
      namespaces.length > 0
        ? namespaces.map(
            ns => `${group}/namespaces/${encodeURIComponent(ns)}/${plural}`,
          )
        : [`${group}/${plural}`];
    const lists = await Promise.all(
      paths.map(async path =>
        this.itemsOf(
          await this.request<unknown>(`${path}${query}`, signal, { allow404 }),
          `${plural} list`,
        ),
      ),
    );
    return lists.flat();
  }

  /** The artifact revision of each GitRepository the Kustomizations use, read once each. */
  private async sources(
    kustomizations: unknown[],
    signal: AbortSignal,
  ): Promise<Map<string, SourceFacts>> {
    const keys = new Set<string>();
    for (const item of kustomizations) {
      const key = this.sourceKey(item);
      if (key) keys.add(key);
    }
    const facts = new Map<string, SourceFacts>();
    await Promise.all(
      [...keys].map(async key => {
        const [namespace, name] = key.split('/');
        const source = await this.request<unknown>(
          `${SOURCES}/namespaces/${encodeURIComponent(
            namespace,
          )}/gitrepositories/${encodeURIComponent(name)}`,
          signal,
          { allow404: true },
        );
        facts.set(key, {
          revision: str(obj(obj(obj(source).status).artifact).revision),
        });
      }),
    );
    return facts;
  }

  /** `<namespace>/<name>` of a Kustomization's GitRepository (other kinds: none). */
  private sourceKey(item: unknown): string | undefined {
    const sourceRef = obj(obj(obj(item).spec).sourceRef);
    const namespace =
      str(sourceRef.namespace) ?? str(obj(obj(item).metadata).namespace);
    const name = str(sourceRef.name);
    if (sourceRef.kind !== 'GitRepository' || !namespace || !name) {
      return undefined;
    }
    return `${namespace}/${name}`;
  }

  /** Live images by Deployment (`<namespace>/<name>`), a bounded number of reads. */
  private async workloads(
    items: unknown[],
    signal: AbortSignal,
  ): Promise<Map<string, string[]>> {
    const wanted = new Set<string>();
    const limit = this.options.maxWorkloadReads ?? DEFAULT_MAX_WORKLOAD_READS;
    for (const item of items) {
      for (const workload of inventoryDeployments(item).slice(
        0,
        WORKLOADS_PER_OBJECT,
      )) {
        if (wanted.size < limit) wanted.add(workload);
      }
    }
    const queue = [...wanted];
    const images = new Map<string, string[]>();
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [namespace, name] = next.split('/');
        const deployment = await this.request<unknown>(
          `/apis/apps/v1/namespaces/${encodeURIComponent(
            namespace,
          )}/deployments/${encodeURIComponent(name)}`,
          signal,
          { allow404: true },
        );
        if (deployment !== undefined) {
          images.set(next, imagesOfDeployment(deployment));
        }
      }
    };
    await Promise.all(
      Array.from({ length: WORKLOAD_CONCURRENCY }, () => worker()),
    );
    return images;
  }

  private async toApplications(
    kustomizations: unknown[],
    helmReleases: unknown[],
    signal: AbortSignal,
  ): Promise<DeliveryApplication[]> {
    const [sources, workloads] = await Promise.all([
      this.sources(kustomizations, signal),
      this.workloads(kustomizations, signal),
    ]);
    const common = { cluster: this.instance, uiUrl: this.options.uiUrl };
    return [
      ...kustomizations.map(item => {
        const key = this.sourceKey(item);
        return toFluxApplication(item, {
          ...common,
          kind: 'Kustomization',
          source: key ? sources.get(key) : undefined,
          images: inventoryDeployments(item).flatMap(
            workload => workloads.get(workload) ?? [],
          ),
        });
      }),
      ...helmReleases.map(item =>
        toFluxApplication(item, { ...common, kind: 'HelmRelease' }),
      ),
    ];
  }

  async listApplications(
    selector: string,
    context: ProviderCallContext,
  ): Promise<DeliveryApplication[]> {
    const [kustomizations, helmReleases] = await Promise.all([
      this.list(KUSTOMIZATIONS, 'kustomizations', selector, context.signal),
      // Clusters without the helm-controller answer 404: none.
      this.list(HELM_RELEASES, 'helmreleases', selector, context.signal, true),
    ]);
    return this.toApplications(kustomizations, helmReleases, context.signal);
  }

  /**
   * The raw Kustomization named `<namespace>/<name>` or `<name>` (found in
   * the configured namespaces, else over all; two of that name: an error).
   */
  private async findKustomization(
    name: string,
    signal: AbortSignal,
  ): Promise<unknown | undefined> {
    const slash = name.indexOf('/');
    const namespaces =
      slash > 0 ? [name.slice(0, slash)] : this.options.namespaces ?? [];
    const bare = slash > 0 ? name.slice(slash + 1) : name;
    if (namespaces.length > 0) {
      for (const namespace of namespaces) {
        const item = await this.request<unknown>(
          `${KUSTOMIZATIONS}/namespaces/${encodeURIComponent(
            namespace,
          )}/kustomizations/${encodeURIComponent(bare)}`,
          signal,
          { allow404: true },
        );
        if (item !== undefined) return item;
      }
      return undefined;
    }
    const all = (
      await this.list(KUSTOMIZATIONS, 'kustomizations', undefined, signal)
    ).filter(item => obj(obj(item).metadata).name === bare);
    if (all.length > 1) {
      throw new UpstreamError(
        `${this.upstream}: several Kustomizations are named ${bare}; name it <namespace>/<name>`,
        { kind: 'malformed' },
      );
    }
    return all[0];
  }

  async getApplication(
    name: string,
    context: ProviderCallContext,
  ): Promise<DeliveryApplication | undefined> {
    const item = await this.findKustomization(name, context.signal);
    if (item === undefined) return undefined;
    return (await this.toApplications([item], [], context.signal))[0];
  }

  /** Flux has no rollout steps to read: the health of the Kustomization says it. */
  async getRollout(): Promise<RolloutState | undefined> {
    return undefined;
  }

  /**
   * The reconcile request of `flux reconcile kustomization <name>
   * --with-source`: annotates the GitRepository, waits until its controller
   * handled that, annotates the Kustomization, then waits (bounded by the
   * signal) until the Kustomization handled it and applied `revision`.
   */
  async sync(
    application: string,
    options: { revision?: string; signal: AbortSignal },
  ): Promise<void> {
    const token = this.options.reconcileToken;
    if (!token) throw new FluxReconcileNotConfiguredError(this.instance);
    const { signal } = options;
    const item = await this.findKustomization(application, signal);
    if (item === undefined) {
      throw new UpstreamError(
        `${this.upstream}: no Kustomization ${application}`,
        { status: 404 },
      );
    }
    const metadata = obj(obj(item).metadata);
    const path = `${KUSTOMIZATIONS}/namespaces/${encodeURIComponent(
      metadata.namespace,
    )}/kustomizations/${encodeURIComponent(metadata.name)}`;
    const requestedAt = new Date().toISOString();
    const patch = {
      metadata: { annotations: { [FLUX_RECONCILE_ANNOTATION]: requestedAt } },
    };
    const sourceKey = this.sourceKey(item);
    if (sourceKey) {
      const [namespace, name] = sourceKey.split('/');
      const sourcePath = `${SOURCES}/namespaces/${encodeURIComponent(
        namespace,
      )}/gitrepositories/${encodeURIComponent(name)}`;
      await this.request(sourcePath, signal, {
        method: 'PATCH',
        body: patch,
        token,
      });
      await this.waitFor(
        signal,
        `the GitRepository ${sourceKey} to fetch`,
        async () => {
          const source = await this.request<unknown>(sourcePath, signal);
          return handledSince(
            str(obj(obj(source).status).lastHandledReconcileAt),
            requestedAt,
          );
        },
      );
    }
    await this.request(path, signal, { method: 'PATCH', body: patch, token });
    const wanted = options.revision;
    await this.waitFor(
      signal,
      `${metadata.namespace}/${metadata.name} to apply ${
        wanted?.slice(0, 7) ?? 'the source'
      }`,
      async () => {
        const current = await this.request<unknown>(path, signal);
        const status = obj(obj(current).status);
        if (!handledSince(str(status.lastHandledReconcileAt), requestedAt)) {
          return false;
        }
        if (!wanted) return true;
        if (parseFluxRevision(str(status.lastAppliedRevision)) === wanted) {
          return true;
        }
        const ready = conditionOf(status, 'Ready');
        if (
          ready.status === 'False' &&
          parseFluxRevision(str(status.lastAttemptedRevision)) === wanted
        ) {
          throw new FluxApplyFailedError(
            `${this.upstream}: ${metadata.namespace}/${
              metadata.name
            } failed to apply ${wanted.slice(0, 7)}: ${(
              ready.message ??
              ready.reason ??
              'no message'
            ).slice(0, MESSAGE_LENGTH)}`,
          );
        }
        return false;
      },
    );
  }

  /** Asks `done` until it says yes, between pauses; the signal bounds it. */
  private async waitFor(
    signal: AbortSignal,
    what: string,
    done: () => Promise<boolean>,
  ): Promise<void> {
    const timeout = () =>
      new UpstreamError(`${this.upstream}: waited in vain for ${what}`, {
        kind: 'timeout',
      });
    for (;;) {
      if (signal.aborted) throw timeout();
      try {
        if (await done()) return;
      } catch (error) {
        if (signal.aborted) throw timeout();
        throw error;
      }
      await new Promise<void>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined = undefined;
        const onAbort = () => {
          clearTimeout(timer);
          reject(timeout());
        };
        timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, this.options.reconcilePollMs ?? 1000);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}
