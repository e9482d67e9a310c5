import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ArtifactState,
  EntityState,
  ImageRef,
  PromotionPolicy,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import { ArtifactProvider } from '@slipway/plugin-slipway-node';
import { Knex } from 'knex';
import { DatabaseLock } from '../../database/DatabaseLock';
import { KnexPolicyStore } from '../../database/KnexPolicyStore';
import { connectSlipwayDatabase } from '../../database/migrate';
import { PromotionStore } from '../../database/PromotionStore';
import { PromotionService } from '../PromotionService';
import { OverlayChange, PromotionWriter } from '../PromotionWriter';

export const digest = (c: string) => `sha256:${c.repeat(64)}`;
export const commitOf = (c: string) => c.repeat(40);

const ENVIRONMENTS = [
  { name: 'dev', syncMode: 'auto' as const },
  { name: 'staging', syncMode: 'manual' as const },
  { name: 'prod', syncMode: 'manual' as const },
];

export const ENTITY: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'slipway.dev/gitops-repo': 'https://git.example/acme/gitops.git',
      'slipway.dev/gitops-path': 'apps/payments-api',
      'slipway.dev/image': 'harbor.example/acme/payments-api',
      'argocd/app-selector': 'slipway.dev/app=payments-api',
      'goharbor.io/repository-slug': 'acme/payments-api',
      'github.com/project-slug': 'acme/payments-api',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/team-payments',
    system: 'shop',
  },
};

const user = (name: string, groups: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: groups },
  relations: groups.map(g => ({ type: 'memberOf', targetRef: g })),
});

export const USERS = {
  guest: 'user:default/guest',
  alice: 'user:default/alice',
  bob: 'user:default/bob',
  carol: 'user:default/carol',
  mallory: 'user:default/mallory',
};

/** One environment as the fake deploy state reports it. */
interface FakeEnvironment {
  digest?: string;
  tag?: string;
  deployed: boolean;
  finishedAt?: string;
}

/** An in-memory GitOps repository that records every commit a promotion writes. */
class FakeWriter implements PromotionWriter {
  overlays = new Map<string, { tag?: string; digest?: string }>();
  commits: {
    sha: string;
    promotionId: string;
    path: string;
    digest: string;
  }[] = [];
  pulls: {
    number: number;
    branch: string;
    promotionId: string;
    state: 'open' | 'merged' | 'closed';
    digest: string;
    path: string;
  }[] = [];
  /** Throw after the commit landed, as a process dying between push and database update would. */
  crashAfterCommit = false;
  failWith?: Error;
  writeDelayMs = 0;
  writes = 0;

  async preview(change: OverlayChange) {
    const current = this.overlays.get(change.overlayPath);
    const changed = current?.digest !== change.artifact.digest;
    return {
      path: `${change.overlayPath}/kustomization.yaml`,
      diff: changed
        ? `-    digest: ${current?.digest ?? ''}\n+    digest: ${
            change.artifact.digest
          }\n`
        : '',
      changed,
      current: current
        ? ({ repository: change.imageName, ...current } as ImageRef)
        : undefined,
    };
  }

  async write(
    change: OverlayChange & {
      promotionId: string;
      mode: 'direct' | 'pull-request';
    },
  ) {
    this.writes += 1;
    if (this.failWith) throw this.failWith;
    if (this.writeDelayMs)
      await new Promise(r => setTimeout(r, this.writeDelayMs));
    const earlier = this.commits.find(
      c => c.promotionId === change.promotionId,
    );
    if (earlier) {
      return { commitSha: earlier.sha, changed: true, alreadyApplied: true };
    }
    const current = this.overlays.get(change.overlayPath);
    if (current?.digest === change.artifact.digest) {
      return { changed: false, alreadyApplied: false };
    }
    if (change.mode === 'pull-request') {
      const existing = this.pulls.find(
        p => p.promotionId === change.promotionId,
      );
      const pull =
        existing ??
        (this.pulls.push({
          number: this.pulls.length + 1,
          branch: `slipway/promotion-${change.promotionId}`,
          promotionId: change.promotionId,
          state: 'open',
          digest: change.artifact.digest,
          path: change.overlayPath,
        }),
        this.pulls[this.pulls.length - 1]);
      return {
        changed: true,
        alreadyApplied: Boolean(existing),
        pullRequest: {
          number: pull.number,
          url: `https://git.example/pull/${pull.number}`,
          branch: pull.branch,
        },
      };
    }
    const sha = (this.commits.length + 1).toString(16).padStart(40, '0');
    this.overlays.set(change.overlayPath, {
      tag: change.artifact.tag,
      digest: change.artifact.digest,
    });
    this.commits.push({
      sha,
      promotionId: change.promotionId,
      path: change.overlayPath,
      digest: change.artifact.digest,
    });
    if (this.crashAfterCommit) {
      this.crashAfterCommit = false;
      throw new Error('process killed');
    }
    return { commitSha: sha, changed: true, alreadyApplied: false };
  }

  merge(number: number) {
    const pull = this.pulls.find(p => p.number === number)!;
    pull.state = 'merged';
    const sha = (this.commits.length + 1).toString(16).padStart(40, '0');
    this.overlays.set(pull.path, { digest: pull.digest });
    this.commits.push({
      sha,
      promotionId: pull.promotionId,
      path: pull.path,
      digest: pull.digest,
    });
    return sha;
  }

  /** True: the next position reads predate every commit (a lagging reader). */
  lagging = false;

  async changePosition(
    change: { overlayPath: string },
    promotion: { id: string; commitSha?: string },
  ) {
    if (this.lagging) return 'unseen' as const;
    const onPath = this.commits
      .filter(c => c.path === change.overlayPath)
      .reverse();
    const index = onPath.findIndex(
      c => c.promotionId === promotion.id || c.sha === promotion.commitSha,
    );
    if (index === -1) return 'unseen' as const;
    return index === 0 ? ('newest' as const) : ('overtaken' as const);
  }

  async pullRequestState(_repoUrl: string, pr: { number: number }) {
    const pull = this.pulls.find(p => p.number === pr.number)!;
    const merged = this.commits
      .filter(c => c.promotionId === pull.promotionId)
      .pop();
    return {
      state: pull.state,
      mergeCommitSha: pull.state === 'merged' ? merged?.sha : undefined,
    };
  }
}

/** Everything a promotion service test needs, on one database. */
export async function createHarness(
  knex: Knex,
  options: {
    teamEnvironments?: string[];
    sources?: Partial<Record<SourceReport['kind'], SourceReport['status']>>;
  } = {},
) {
  let now = new Date('2026-12-01T10:00:00Z');
  const db = await connectSlipwayDatabase(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
  const database = mockServices.database({
    knex: db,
    migrations: { skip: true },
  });
  const policies = await KnexPolicyStore.create({ database });
  const store = PromotionStore.create({ db, now: () => now.getTime() });
  const lock = DatabaseLock.create({ db });
  const writer = new FakeWriter();
  const environments: Record<string, FakeEnvironment> = {
    dev: {
      digest: digest('a'),
      tag: commitOf('a'),
      deployed: true,
      finishedAt: 'op-1',
    },
    staging: { digest: digest('0'), tag: commitOf('0'), deployed: true },
    prod: { digest: digest('0'), tag: commitOf('0'), deployed: true },
  };
  for (const [name, env] of Object.entries(environments)) {
    writer.overlays.set(`apps/payments-api/overlays/${name}`, {
      tag: env.tag,
      digest: env.digest,
    });
  }
  const sources: Record<string, SourceReport['status']> = {
    gitops: 'ok',
    delivery: 'ok',
    ci: 'ok',
    artifacts: 'ok',
    quality: 'ok',
    ...options.sources,
  };
  const artifacts = new Map<string, ArtifactState>();
  const addArtifact = (c: string, extra: Partial<ArtifactState> = {}) =>
    artifacts.set(digest(c), {
      image: {
        repository: 'harbor.example/acme/payments-api',
        tag: commitOf(c),
        digest: digest(c),
      },
      sourceCommit: commitOf(c),
      scan: {
        scanner: 'Trivy',
        status: 'Success',
        critical: 0,
        high: 0,
        medium: 1,
        low: 2,
        unknown: 0,
      },
      ...extra,
    });
  for (const c of 'abcdef0123456789') addArtifact(c);
  let artifactsDown = false;
  const registry: ArtifactProvider = {
    id: 'harbor',
    kind: 'artifacts',
    supports: () => true,
    listArtifacts: async () => [...artifacts.values()],
    getArtifact: async ({ image }) => {
      if (artifactsDown) throw new Error('Harbor is down');
      return artifacts.get(image.digest!);
    },
  };
  const deployState = {
    reads: 0,
    laggingOverlays: new Map<string, { tag?: string; digest: string }>(),
    async getEntityState(): Promise<EntityState> {
      deployState.reads += 1;
      // What Git says is the writer's overlay; what runs is the model.
      return {
        entityRef: 'component:default/payments-api',
        generatedAt: now.toISOString(),
        builds: 'abcdef0123456789'.split('').map(c => ({
          id: c,
          name: 'ci',
          status: 'completed' as const,
          conclusion: 'success' as const,
          commit: commitOf(c),
        })),
        sources: Object.entries(sources).map(([kind, status]) => ({
          source: kind,
          kind: kind as SourceReport['kind'],
          status,
        })),
        environments: ENVIRONMENTS.map(({ name, syncMode }) => {
          const path = `apps/payments-api/overlays/${name}`;
          // A lagging GitOps read answers an overlay as it was before.
          const overlay =
            deployState.laggingOverlays.get(path) ?? writer.overlays.get(path);
          const env = environments[name];
          return {
            environment: name,
            syncMode,
            desired: {
              path: `apps/payments-api/overlays/${name}`,
              image: {
                repository: 'harbor.example/acme/payments-api',
                ...overlay,
              },
            },
            live: {
              application: `payments-api-${name}`,
              instance: 'main',
              syncStatus: 'Synced',
              healthStatus: 'Healthy',
              images: [],
              operation: env.finishedAt
                ? { phase: 'Succeeded', finishedAt: env.finishedAt }
                : undefined,
            },
            drift: { drifted: false, reasons: [] },
            // Deployed when the cluster runs what Git wants.
            deployed: env.deployed && env.digest === overlay?.digest,
          };
        }),
      };
    },
  };
  const memberships: Record<string, string[]> = {
    [USERS.guest]: ['group:default/team-payments'],
    [USERS.alice]: ['group:default/platform-admins'],
    [USERS.bob]: ['group:default/platform-admins'],
    [USERS.carol]: ['group:default/release-managers'],
    [USERS.mallory]: ['group:default/team-storefront'],
  };
  const catalogEntities = () => [
    ENTITY,
    ...Object.entries(memberships).map(([ref, groups]) =>
      user(ref.split('/')[1], groups),
    ),
  ];
  let catalog = catalogServiceMock({ entities: catalogEntities() });
  const teamEnvironments = options.teamEnvironments ?? [
    'dev',
    'staging',
    'prod',
  ];
  const permissionCalls: string[] = [];
  const permissions = {
    async authorize(requests: any[], { credentials }: any) {
      return requests.map(({ permission, resourceRef }) => {
        const userRef = credentials.principal.userEntityRef;
        permissionCalls.push(`${permission.name} ${resourceRef ?? ''}`.trim());
        const groups = memberships[userRef] ?? [];
        const admin = groups.includes('group:default/platform-admins');
        let result: PolicyDecision['result'] = AuthorizeResult.DENY;
        if (admin) result = AuthorizeResult.ALLOW;
        else if (permission.name === 'slipway.promotion.approve')
          result = AuthorizeResult.ALLOW;
        else if (permission.name === 'slipway.promotion.create') {
          const environment = String(resourceRef).split('#')[1];
          if (
            groups.includes('group:default/team-payments') &&
            teamEnvironments.includes(environment)
          ) {
            result = AuthorizeResult.ALLOW;
          }
        }
        return { result };
      });
    },
    async authorizeConditional() {
      throw new Error('not used');
    },
  };
  const service = () =>
    PromotionService.create({
      catalog,
      auth: mockServices.auth(),
      userInfo: mockServices.userInfo(),
      permissions: permissions as any,
      logger: mockServices.logger.mock(),
      environments: ENVIRONMENTS,
      policies,
      store,
      lock,
      deployState,
      artifacts: [registry],
      delivery: [],
      writer,
      now: () => now,
    });
  let instance = service();
  return {
    get service() {
      return instance;
    },
    store,
    policies,
    writer,
    deployState,
    environments,
    sources,
    artifacts,
    addArtifact,
    permissionCalls,
    memberships,
    setArtifactsDown(down: boolean) {
      artifactsDown = down;
    },
    /** Re-reads memberships into the catalog (after a test changed them). */
    refreshCatalog() {
      catalog = catalogServiceMock({ entities: catalogEntities() });
      instance = service();
    },
    advanceClock(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    get now() {
      return now;
    },
    as: (ref: string) => mockCredentials.user(ref),
    ref: { kind: 'component', namespace: 'default', name: 'payments-api' },
    async savePolicy(name: string, policy: PromotionPolicy) {
      const latest = await policies.getLatest(name);
      return policies.save({
        name,
        policy,
        expectedVersion: latest?.version ?? 0,
        createdBy: USERS.alice,
      });
    },
  };
}
