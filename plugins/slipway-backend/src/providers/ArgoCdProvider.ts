import {
  BlueGreenState,
  ENVIRONMENT_LABEL,
  HealthStatus,
  LiveState,
  RolloutState,
  SecretHealth,
  SecretKind,
  SyncStatus,
} from '@slipway/plugin-slipway-common';
import {
  DeliveryApplication,
  DeliveryProvider,
  fetchUpstreamJson,
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';

const SYNC: SyncStatus[] = ['Synced', 'OutOfSync', 'Unknown'];
const HEALTH: HealthStatus[] = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
];
const OPERATION_PHASES = [
  'Running',
  'Terminating',
  'Succeeded',
  'Failed',
  'Error',
] as const;
const ANALYSIS = [
  'Pending',
  'Running',
  'Successful',
  'Failed',
  'Error',
  'Inconclusive',
] as const;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function obj(value: unknown): Record<string, any> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, any>)
    : {};
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T;
function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
): T | undefined;
function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  fallback?: T,
): T | undefined {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

function labelsOf(metadata: Record<string, any>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj(metadata.labels))) {
    if (typeof value === 'string') labels[key] = value;
  }
  return labels;
}

/** Maps an Argo CD Application object to the allow-listed DTO. */
function toDeliveryApplication(
  item: unknown,
  instance: string,
  baseUrl: string,
): DeliveryApplication {
  const metadata = obj(obj(item).metadata);
  const status = obj(obj(item).status);
  const name = str(metadata.name);
  if (!name) {
    throw new UpstreamError('Argo CD answered an Application without a name', {
      kind: 'malformed',
    });
  }
  const operationState = obj(status.operationState);
  const live: LiveState = {
    application: name,
    instance,
    syncStatus: oneOf(obj(status.sync).status, SYNC, 'Unknown'),
    healthStatus: oneOf(obj(status.health).status, HEALTH, 'Unknown'),
    revision: str(obj(status.sync).revision),
    images: Array.isArray(obj(status.summary).images)
      ? (obj(status.summary).images as unknown[]).filter(
          (i): i is string => typeof i === 'string',
        )
      : [],
    reconciledAt: str(status.reconciledAt),
    url: `${baseUrl.replace(/\/+$/, '')}/applications/${encodeURIComponent(
      name,
    )}`,
  };
  const phase = oneOf(operationState.phase, OPERATION_PHASES);
  if (phase) {
    live.operation = {
      phase,
      startedAt: str(operationState.startedAt),
      finishedAt: str(operationState.finishedAt),
      message: str(operationState.message)?.slice(0, 500),
      revision:
        str(obj(operationState.syncResult).revision) ??
        str(obj(obj(operationState.operation).sync).revision),
    };
  }
  const history = (Array.isArray(status.history) ? status.history : [])
    .map((entry: unknown) => ({
      revision: str(obj(entry).revision) ?? '',
      deployedAt: str(obj(entry).deployedAt),
      startedAt: str(obj(entry).deployStartedAt),
    }))
    .filter((entry: { revision: string }) => entry.revision !== '')
    .reverse();
  if (history[0]?.deployedAt) live.lastSyncedAt = history[0].deployedAt;
  const resources = Array.isArray(status.resources) ? status.resources : [];
  const labels = labelsOf(metadata);
  const hasRollout = resources.some(
    (r: unknown) => obj(r).kind === 'Rollout' && obj(r).group === 'argoproj.io',
  );
  const deployment = hasRollout ? undefined : toDeploymentRollout(resources);
  if (deployment) live.rollout = deployment;
  const secrets = toSecretHealth(resources);
  if (secrets.length > 0) live.secrets = secrets;
  return {
    live,
    environment: labels[ENVIRONMENT_LABEL],
    labels,
    hasRollout,
    history,
  };
}

function infoValue(
  node: Record<string, any>,
  name: string,
): string | undefined {
  const info = Array.isArray(node.info) ? node.info : [];
  return str(obj(info.find((i: unknown) => obj(i).name === name)).value);
}

/** Reads rollout progress from the resource tree and the managed Rollout. */
export function toRolloutState(
  tree: unknown,
  managed: unknown,
): RolloutState | undefined {
  const nodes: Record<string, any>[] = (
    Array.isArray(obj(tree).nodes) ? obj(tree).nodes : []
  ).map(obj);
  const node = nodes.find(
    n => n.kind === 'Rollout' && n.group === 'argoproj.io',
  );
  const items: Record<string, any>[] = (
    Array.isArray(obj(managed).items) ? obj(managed).items : []
  ).map(obj);
  const item = items.find(
    i => i.kind === 'Rollout' && i.group === 'argoproj.io',
  );
  let rollout: Record<string, any> = {};
  if (
    item &&
    typeof item.liveState === 'string' &&
    item.liveState.length < 1_000_000
  ) {
    try {
      rollout = obj(JSON.parse(item.liveState));
    } catch {
      rollout = {};
    }
  }
  if (!node && !item) return undefined;
  const spec = obj(obj(rollout.spec).strategy);
  const rolloutStatus = obj(rollout.status);
  const strategyInfo = node ? infoValue(node, 'Strategy') : undefined;
  const strategy: RolloutState['strategy'] =
    spec.blueGreen || strategyInfo === 'BlueGreen' ? 'blueGreen' : 'canary';
  const state: RolloutState = { strategy };
  state.phase =
    str(rolloutStatus.phase) ?? (node ? infoValue(node, 'Status') : undefined);
  const steps = Array.isArray(obj(spec.canary).steps)
    ? obj(spec.canary).steps
    : undefined;
  if (typeof rolloutStatus.currentStepIndex === 'number' && steps) {
    state.currentStep = Math.min(
      rolloutStatus.currentStepIndex + 1,
      steps.length,
    );
    state.totalSteps = steps.length;
  } else if (node) {
    const match = /^(\d+)\/(\d+)$/.exec(infoValue(node, 'Step') ?? '');
    if (match) {
      // Argo shows the index of the current step (steps done); the DTO is 1-based.
      state.currentStep = Math.min(Number(match[1]) + 1, Number(match[2]));
      state.totalSteps = Number(match[2]);
    }
  }
  const weight = obj(obj(obj(rolloutStatus.canary).weights).canary).weight;
  if (typeof weight === 'number') {
    state.weight = weight;
  } else if (node) {
    const w = Number(
      infoValue(node, 'Actual Weight') ?? infoValue(node, 'Set Weight'),
    );
    if (Number.isFinite(w)) state.weight = w;
  }
  state.paused =
    state.phase === 'Paused' ||
    (Array.isArray(rolloutStatus.pauseConditions) &&
      rolloutStatus.pauseConditions.length > 0) ||
    obj(node?.health).status === 'Suspended';
  const analysisNode = nodes.filter(n => n.kind === 'AnalysisRun').pop();
  if (analysisNode) {
    const health = obj(analysisNode.health).status;
    const byHealth: Record<string, RolloutState['analysis']> = {
      Healthy: 'Successful',
      Degraded: 'Failed',
    };
    state.analysis =
      oneOf(infoValue(analysisNode, 'Status') ?? health, ANALYSIS) ??
      byHealth[health] ??
      'Running';
  }
  const pauseReason = str(
    obj(
      (Array.isArray(rolloutStatus.pauseConditions)
        ? rolloutStatus.pauseConditions
        : [])[0],
    ).reason,
  );
  if (pauseReason) state.pauseReason = pauseReason.slice(0, 100);
  if (strategy === 'blueGreen') {
    const blueGreenSpec = obj(spec.blueGreen);
    const blueGreenStatus = obj(rolloutStatus.blueGreen);
    const blueGreen: BlueGreenState = {
      activeService: str(blueGreenSpec.activeService),
      previewService: str(blueGreenSpec.previewService),
      activeSelector: str(blueGreenStatus.activeSelector),
      previewSelector: str(blueGreenStatus.previewSelector),
      currentPodHash: str(rolloutStatus.currentPodHash),
      autoPromotionEnabled:
        typeof blueGreenSpec.autoPromotionEnabled === 'boolean'
          ? blueGreenSpec.autoPromotionEnabled
          : undefined,
    };
    state.blueGreen = Object.fromEntries(
      Object.entries(blueGreen).filter(([, value]) => value !== undefined),
    );
    // Canary steps and weights mean nothing for blue-green.
    delete state.currentStep;
    delete state.totalSteps;
    delete state.weight;
  }
  state.message = (
    str(rolloutStatus.message) ?? str(obj(node?.health).message)
  )?.slice(0, 300);
  return state;
}

/**
 * A plain Deployment's rollout status, from the Application's resource
 * list (no extra call): its health and Argo CD's message, e.g. "Waiting for
 * rollout to finish: 1 of 3 updated replicas are available...".
 */
function toDeploymentRollout(
  resources: unknown[],
): RolloutState | undefined {
  const deployments = resources
    .map(obj)
    .filter(r => r.kind === 'Deployment' && r.group === 'apps');
  const deployment =
    deployments.find(d => obj(d.health).status !== 'Healthy') ?? deployments[0];
  if (!deployment) return undefined;
  const health = obj(deployment.health);
  const state: RolloutState = { strategy: 'deployment' };
  const phase = oneOf(health.status, HEALTH);
  if (phase) state.phase = phase;
  const message = str(health.message)?.slice(0, 300);
  if (message) state.message = message;
  return state;
}

/** The secret objects whose health Argo CD's built-in checks compute, by API group. */
const SECRET_KINDS: Record<SecretKind, string> = {
  ExternalSecret: 'external-secrets.io',
  SecretStore: 'external-secrets.io',
  ClusterSecretStore: 'external-secrets.io',
  SealedSecret: 'bitnami.com',
};

/** At most this many secret objects per application in a response. */
const MAX_SECRETS = 20;

/**
 * The health of the application's secret objects, from its resource list
 * (no extra call): Argo CD computes ExternalSecret and SecretStore health
 * from their `Ready` condition and SealedSecret health from `Synced`
 * (Progressing until the operator reports one). Failing objects first, so
 * the cap never hides one.
 */
export function toSecretHealth(resources: unknown[]): SecretHealth[] {
  const secrets: SecretHealth[] = [];
  for (const resource of resources.map(obj)) {
    const kind = resource.kind as SecretKind;
    const name = str(resource.name);
    if (
      !Object.prototype.hasOwnProperty.call(SECRET_KINDS, kind) ||
      resource.group !== SECRET_KINDS[kind] ||
      !name
    ) {
      continue;
    }
    const health = obj(resource.health);
    const secret: SecretHealth = {
      kind,
      name,
      health: oneOf(health.status, HEALTH, 'Unknown'),
    };
    const namespace = str(resource.namespace);
    if (namespace) secret.namespace = namespace;
    const message = str(health.message)?.slice(0, 300);
    if (message) secret.message = message;
    secrets.push(secret);
  }
  const healthyLast = (secret: SecretHealth) =>
    secret.health === 'Healthy' ? 1 : 0;
  return secrets
    .sort((a, b) => healthyLast(a) - healthyLast(b))
    .slice(0, MAX_SECRETS);
}

/** Argo CD (one instance) over its REST API with a bearer token. */
export class ArgoCdProvider implements DeliveryProvider {
  readonly kind = 'delivery' as const;
  readonly id: string;

  static create(options: {
    instance: string;
    url: string;
    token: string;
    /** Token allowed to sync (promotions of manual-sync environments); none: no syncs. */
    writeToken?: string;
    fetch?: typeof fetch;
    /** Wait between checks while another operation runs. Default 2 s. */
    operationPollMs?: number;
  }): ArgoCdProvider {
    return new ArgoCdProvider(
      options.instance,
      options.url.replace(/\/+$/, ''),
      options.token,
      options.writeToken,
      options.fetch,
      options.operationPollMs ?? 2000,
    );
  }

  private constructor(
    readonly instance: string,
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly writeToken: string | undefined,
    private readonly fetchImpl: typeof fetch | undefined,
    private readonly operationPollMs: number,
  ) {
    this.id = `argocd:${instance}`;
  }

  /**
   * Starts a sync of an application to a revision with the write token.
   * While another operation runs (someone else's sync), it waits and asks
   * again; it never terminates that operation.
   */
  async sync(
    application: string,
    options: { revision?: string; signal: AbortSignal },
  ): Promise<void> {
    if (!this.writeToken) {
      throw new UpstreamError(
        `Argo CD ${this.instance} has no write token configured (slipway.argocd.instances[].writeToken)`,
        { status: 403 },
      );
    }
    const busy = async () => {
      const app = await this.getApplication(application, options);
      const phase = app?.live.operation?.phase;
      return phase === 'Running' || phase === 'Terminating';
    };
    for (;;) {
      if (!(await busy())) {
        try {
          await fetchUpstreamJson(
            `${this.baseUrl}/api/v1/applications/${encodeURIComponent(
              application,
            )}/sync`,
            {
              upstream: `Argo CD ${this.instance}`,
              method: 'POST',
              signal: options.signal,
              headers: {
                authorization: `Bearer ${this.writeToken}`,
                'content-type': 'application/json',
              },
              body: JSON.stringify({
                revision: options.revision,
                prune: false,
              }),
              fetch: this.fetchImpl,
            },
          );
          return;
        } catch (error) {
          // "another operation is already in progress" started in between.
          const racing =
            error instanceof UpstreamError &&
            (error.status === 400 || error.status === 409) &&
            (await busy());
          if (!racing) throw error;
        }
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.operationPollMs);
        options.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(
              new UpstreamError(
                `Argo CD ${this.instance}: another operation kept ${application} busy`,
                { kind: 'timeout' },
              ),
            );
          },
          { once: true },
        );
      });
    }
  }

  private get<T>(path: string, context: ProviderCallContext, allow404 = false) {
    return fetchUpstreamJson<T>(`${this.baseUrl}/api/v1${path}`, {
      upstream: `Argo CD ${this.instance}`,
      signal: context.signal,
      headers: { authorization: `Bearer ${this.token}` },
      fetch: this.fetchImpl,
      allowStatuses: allow404 ? [404] : undefined,
    });
  }

  async listApplications(
    selector: string,
    context: ProviderCallContext,
  ): Promise<DeliveryApplication[]> {
    const body = await this.get<unknown>(
      `/applications?selector=${encodeURIComponent(selector)}`,
      context,
    );
    const items = obj(body).items;
    if (items === null || items === undefined) return []; // Argo CD sends null for none
    if (!Array.isArray(items)) {
      throw new UpstreamError(
        `Argo CD ${this.instance} answered an unexpected list`,
        { kind: 'malformed' },
      );
    }
    return items.map(item =>
      toDeliveryApplication(item, this.instance, this.baseUrl),
    );
  }

  async getApplication(
    name: string,
    context: ProviderCallContext,
  ): Promise<DeliveryApplication | undefined> {
    const body = await this.get<unknown>(
      `/applications/${encodeURIComponent(name)}`,
      context,
      true,
    );
    return body === undefined
      ? undefined
      : toDeliveryApplication(body, this.instance, this.baseUrl);
  }

  async getRollout(
    application: string,
    context: ProviderCallContext,
  ): Promise<RolloutState | undefined> {
    const name = encodeURIComponent(application);
    const [tree, managed] = await Promise.all([
      this.get<unknown>(`/applications/${name}/resource-tree`, context),
      this.get<unknown>(
        `/applications/${name}/managed-resources?kind=Rollout&group=argoproj.io`,
        context,
      ).catch(() => undefined),
    ]);
    return toRolloutState(tree, managed);
  }
}
