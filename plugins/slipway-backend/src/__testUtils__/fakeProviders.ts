import { CacheService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  ArtifactProvider,
  CiProvider,
  DeliveryApplication,
  DeliveryProvider,
  GitOpsChange,
  GitOpsReaderProvider,
  ProviderCallContext,
  QualityProvider,
  UpstreamError,
} from '@slipway/plugin-slipway-node';

export const DESIRED_COMMIT = 'a'.repeat(40);
export const OLDER_COMMIT = 'b'.repeat(40);
export const HEAD_COMMIT = 'c'.repeat(40);
const TAG = 'd'.repeat(40);
const DIGEST = `sha256:${'e'.repeat(64)}`;
const IMAGE = 'registry.example.com/acme/payments-api';

/** A catalog entity wired to every provider. */
export function serviceEntity(
  name: string,
  extra: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'github.com/project-slug': `acme/${name}`,
        'argocd/app-selector': `slipway.dev/app=${name}`,
        'goharbor.io/repository-slug': `acme/${name}`,
        'sonarqube.org/project-key': `acme_${name}`,
        'slipway.dev/gitops-repo': 'https://git.example.com/acme/gitops.git',
        'slipway.dev/gitops-path': `apps/${name}`,
        'slipway.dev/image': IMAGE,
        ...extra,
      },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team-payments',
      system: 'shop',
    },
  };
}

export type Behaviour = 'ok' | 'hang' | 'fail' | 'rate-limited';

/** Counts calls and lets a test decide how each kind behaves. */
export class FakeWorld {
  calls = {
    gitops: 0,
    delivery: 0,
    ci: 0,
    artifacts: 0,
    quality: 0,
    rollout: 0,
  };
  behaviour: Record<keyof FakeWorld['calls'], Behaviour> = {
    gitops: 'ok',
    delivery: 'ok',
    ci: 'ok',
    artifacts: 'ok',
    quality: 'ok',
    rollout: 'ok',
  };
  latencyMs = 0;
  /** Live state knobs. */
  liveRevision = HEAD_COMMIT;
  health: DeliveryApplication['live']['healthStatus'] = 'Healthy';
  operationFinishedAt = '2026-01-01T00:00:00Z';
  reconciledAt = '2026-01-01T00:05:00Z';
  liveImage = `${IMAGE}:${TAG}@${DIGEST}`;
  /** The overlay tree at a live revision other than the head: same content or not. */
  treeAtLive: 'same' | 'other' = 'other';
  /** Apps returned by the fleet list (name → environments). */
  apps: string[] = ['payments-api'];

  private async step<T>(
    kind: keyof FakeWorld['calls'],
    context: ProviderCallContext,
    value: () => T,
  ): Promise<T> {
    this.calls[kind]++;
    if (this.latencyMs) await new Promise(r => setTimeout(r, this.latencyMs));
    const behaviour = this.behaviour[kind];
    if (behaviour === 'hang') {
      return new Promise((_, reject) =>
        context.signal.addEventListener('abort', () =>
          reject(new Error('aborted')),
        ),
      );
    }
    if (behaviour === 'fail') throw new Error(`upstream ${kind} is down`);
    if (behaviour === 'rate-limited') {
      throw new UpstreamError('GitHub rate limit reached', {
        kind: 'rate-limited',
        status: 429,
        retryAt: Date.now() + 20_000,
      });
    }
    return value();
  }

  private change(sha: string): GitOpsChange {
    return {
      commit: {
        sha,
        author: 'Ada',
        committedAt: '2026-01-01T00:00:00Z',
        message: 'Promote',
      },
      promotionId: sha === DESIRED_COMMIT ? 'promo-1' : undefined,
      image: { repository: IMAGE, tag: TAG, digest: DIGEST },
    };
  }

  app(name: string, environment: string): DeliveryApplication {
    return {
      live: {
        application: `${name}-${environment}`,
        instance: 'main',
        syncStatus: 'Synced',
        healthStatus: this.health,
        revision: this.liveRevision,
        images: [this.liveImage],
        operation: {
          phase: 'Succeeded',
          finishedAt: this.operationFinishedAt,
          revision: this.liveRevision,
        },
        reconciledAt: this.reconciledAt,
      },
      environment,
      labels: {
        'slipway.dev/app': name,
        'slipway.dev/environment': environment,
      },
      hasRollout: false,
      history: [
        { revision: this.liveRevision, deployedAt: '2026-01-01T00:00:00Z' },
      ],
    };
  }

  providers() {
    // eslint-disable-next-line consistent-this
    const world = this;
    const gitops: GitOpsReaderProvider = {
      id: 'git',
      kind: 'gitops',
      supports: () => true,
      readOverlays: (request, ctx) =>
        world.step('gitops', ctx, () => ({
          revision: HEAD_COMMIT,
          overlays: Object.fromEntries(
            request.paths.map(p => [
              p.path,
              {
                path: p.path,
                treeId: 'tree',
                image: { repository: IMAGE, tag: TAG, digest: DIGEST },
              },
            ]),
          ),
          treesAt: Object.fromEntries(
            (request.revisions ?? []).map(r => [
              r,
              Object.fromEntries(
                request.paths.map(p => [
                  p.path,
                  world.treeAtLive === 'same' ? 'tree' : 'old-tree',
                ]),
              ),
            ]),
          ),
        })),
      history: (request, ctx) =>
        world.step('gitops', ctx, () => {
          // As of the head and of the desired commit, the overlay's last change is the desired commit.
          if (
            !request.revision ||
            request.revision === HEAD_COMMIT ||
            request.revision === DESIRED_COMMIT
          ) {
            return [world.change(DESIRED_COMMIT)].slice(0, request.limit);
          }
          return [world.change(OLDER_COMMIT)].slice(0, request.limit);
        }),
    };
    const delivery: DeliveryProvider = {
      id: 'argocd:main',
      kind: 'delivery',
      instance: 'main',
      listApplications: (selector, ctx) =>
        world.step('delivery', ctx, () => {
          const names = selector.includes('=')
            ? [selector.split('=')[1]]
            : world.apps;
          return names.flatMap(name =>
            ['dev', 'staging', 'prod'].map(e => world.app(name, e)),
          );
        }),
      getApplication: async () => undefined,
      getRollout: (_name, ctx) => world.step('rollout', ctx, () => undefined),
    };
    const ci: CiProvider = {
      id: 'github-actions',
      kind: 'ci',
      supports: () => true,
      listRuns: (_request, ctx) =>
        world.step('ci', ctx, () => [
          {
            id: '1',
            status: 'completed' as const,
            conclusion: 'success' as const,
            commit: TAG,
          },
        ]),
    };
    const artifacts: ArtifactProvider = {
      id: 'harbor',
      kind: 'artifacts',
      supports: () => true,
      listArtifacts: (_request, ctx) =>
        world.step('artifacts', ctx, () => [
          {
            image: { repository: IMAGE, tag: TAG, digest: DIGEST },
            sourceCommit: TAG,
            scan: {
              scanner: 'Trivy',
              status: 'Success' as const,
              critical: 0,
              high: 0,
              medium: 1,
              low: 2,
              unknown: 0,
            },
            signature: { signed: true, count: 1 },
          },
        ]),
      getArtifact: async () => undefined,
    };
    const quality: QualityProvider = {
      id: 'sonarqube',
      kind: 'quality',
      getQualityGate: (_request, ctx) =>
        world.step('quality', ctx, () => ({ status: 'OK' as const })),
    };
    return [gitops, delivery, ci, artifacts, quality];
  }
}

/** A small in-memory CacheService for service-level tests. */
export function memoryCache(): CacheService {
  const store = new Map<string, { value: any; expires: number }>();
  const cache: CacheService = {
    async get(key: string) {
      const entry = store.get(key);
      if (!entry || entry.expires < Date.now()) return undefined;
      return entry.value;
    },
    async set(key: string, value: any, options?: { ttl?: any }) {
      const ttl = typeof options?.ttl === 'number' ? options.ttl : 60_000;
      store.set(key, { value, expires: Date.now() + ttl });
    },
    async delete(key: string) {
      store.delete(key);
    },
    withOptions: () => cache,
  } as CacheService;
  return cache;
}
