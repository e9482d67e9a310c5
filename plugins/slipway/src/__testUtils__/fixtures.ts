import { Entity } from '@backstage/catalog-model';
import {
  EntityState,
  EnvironmentState,
  environmentVerdict,
  FleetPage,
  SourceReport,
} from '@slipway/plugin-slipway-common';

export const NOW = Date.parse('2026-05-04T12:00:00Z');

export function ago(seconds: number): string {
  return new Date(NOW - seconds * 1000).toISOString();
}

export const SHA_NEW = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const SHA_OLD = '0f1e2d3c4b5a69788796a5b4c3d2e1f098765432';
export const DIGEST_NEW =
  'sha256:1111111111111111aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccccccccccc';
export const DIGEST_OLD =
  'sha256:2222222222222222dddddddddddddddd0000000000000000eeeeeeeeeeeeeeee';

export const annotatedEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'github.com/project-slug': 'acme/payments-api',
      'argocd/app-selector': 'slipway.dev/app=payments-api',
      'slipway.dev/gitops-repo': 'https://git.example.com/acme/gitops.git',
      'slipway.dev/gitops-path': 'apps/payments-api',
      'slipway.dev/image': 'harbor.example.com/acme/payments-api',
    },
  },
  spec: {},
};

export const bareEntity: Entity = {
  ...annotatedEntity,
  metadata: { name: 'legacy-billing', namespace: 'default' },
};

export function okSources(fetchedSecondsAgo = 5): SourceReport[] {
  return [
    {
      source: 'gitops',
      kind: 'gitops',
      status: 'ok',
      fetchedAt: ago(fetchedSecondsAgo),
    },
    {
      source: 'argocd:sandbox',
      kind: 'delivery',
      status: 'ok',
      fetchedAt: ago(fetchedSecondsAgo),
    },
    {
      source: 'github-actions',
      kind: 'ci',
      status: 'ok',
      fetchedAt: ago(fetchedSecondsAgo),
    },
    {
      source: 'harbor',
      kind: 'artifacts',
      status: 'ok',
      fetchedAt: ago(fetchedSecondsAgo),
    },
    {
      source: 'sonarqube',
      kind: 'quality',
      status: 'ok',
      fetchedAt: ago(fetchedSecondsAgo),
    },
  ];
}

export function healthyEnv(
  environment: string,
  overrides: Partial<EnvironmentState> = {},
): EnvironmentState {
  return {
    environment,
    syncMode: environment === 'dev' ? 'auto' : 'manual',
    desired: {
      path: `apps/payments-api/overlays/${environment}`,
      image: {
        repository: 'harbor.example.com/acme/payments-api',
        tag: SHA_NEW,
        digest: DIGEST_NEW,
      },
      commit: {
        sha: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
        message: `Promote payments-api to ${environment}`,
        author: 'Ada Lovelace',
        committedAt: ago(3600),
        url: `https://git.example.com/acme/gitops/commit/c0ffee00${environment}`,
      },
    },
    live: {
      application: `payments-api-${environment}`,
      instance: 'sandbox',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      revision: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
      images: [`harbor.example.com/acme/payments-api@${DIGEST_NEW}`],
      lastSyncedAt: ago(3500),
      url: `https://argocd.example.com/applications/payments-api-${environment}`,
    },
    drift: { drifted: false, reasons: [] },
    deployed: true,
    artifact: {
      image: {
        repository: 'harbor.example.com/acme/payments-api',
        tag: SHA_NEW,
        digest: DIGEST_NEW,
      },
      sourceCommit: SHA_NEW,
      build: {
        id: '42',
        name: 'ci #42',
        status: 'completed',
        conclusion: 'success',
        commit: SHA_NEW,
        url: 'https://github.example.com/acme/payments-api/actions/runs/42',
      },
      scan: {
        scanner: 'Trivy',
        status: 'Success',
        critical: 0,
        high: 0,
        medium: 2,
        low: 5,
        unknown: 0,
        reportUrl: 'https://harbor.example.com/scan/42',
      },
      quality: {
        status: 'OK',
        url: 'https://sonar.example.com/dashboard?id=payments-api',
      },
      signature: { signed: true, count: 1 },
      url: 'https://harbor.example.com/harbor/projects/acme/repositories/payments-api',
    },
    ...overrides,
  };
}

export function healthyState(
  overrides: Partial<EntityState> = {},
): EntityState {
  return {
    entityRef: 'component:default/payments-api',
    generatedAt: ago(12),
    environments: [
      healthyEnv('dev'),
      healthyEnv('staging'),
      healthyEnv('prod'),
    ],
    builds: [
      {
        id: '42',
        name: 'ci #42',
        status: 'completed',
        conclusion: 'success',
        commit: SHA_NEW,
        branch: 'main',
        startedAt: ago(4000),
        durationSeconds: 185,
        url: 'https://github.example.com/acme/payments-api/actions/runs/42',
      },
    ],
    sources: okSources(),
    ...overrides,
  };
}

/** The verdict the backend gives a fleet cell: the Deploy tab's rule on the same facts. */
function fleetVerdict(
  environment: string,
  live: Partial<NonNullable<EnvironmentState['live']>> = {},
) {
  const env = healthyEnv(environment);
  const deployed = Object.keys(live).length === 0;
  return environmentVerdict(
    { ...env, live: { ...env.live!, ...live }, deployed },
    okSources(),
  );
}

export function fleetPage(): FleetPage {
  return {
    environments: [
      { name: 'dev', syncMode: 'auto' },
      { name: 'staging', syncMode: 'manual' },
      { name: 'prod', syncMode: 'manual' },
    ],
    items: [
      {
        entityRef: 'component:default/payments-api',
        title: 'payments-api',
        owner: 'group:default/payments',
        system: 'system:default/commerce',
        cells: {
          dev: {
            tag: SHA_NEW,
            syncStatus: 'Synced',
            healthStatus: 'Healthy',
            deployed: true,
            behind: false,
            verdict: fleetVerdict('dev'),
          },
          staging: {
            tag: SHA_NEW,
            syncStatus: 'Synced',
            healthStatus: 'Healthy',
            deployed: true,
            behind: false,
            verdict: fleetVerdict('staging'),
          },
          prod: {
            tag: SHA_NEW,
            syncStatus: 'Synced',
            healthStatus: 'Healthy',
            deployed: true,
            behind: false,
            verdict: fleetVerdict('prod'),
          },
        },
      },
      {
        entityRef: 'component:default/checkout-web',
        owner: 'group:default/storefront',
        system: 'system:default/shop',
        cells: {
          dev: {
            tag: SHA_NEW,
            syncStatus: 'Synced',
            healthStatus: 'Healthy',
            deployed: true,
            behind: false,
            verdict: fleetVerdict('dev'),
          },
          staging: {
            tag: SHA_OLD,
            syncStatus: 'Synced',
            healthStatus: 'Healthy',
            deployed: true,
            behind: true,
            verdict: fleetVerdict('staging'),
          },
          prod: {
            tag: SHA_OLD,
            syncStatus: 'Unknown',
            healthStatus: 'Unknown',
            deployed: false,
            behind: true,
            verdict: fleetVerdict('prod', {
              syncStatus: 'Unknown',
              healthStatus: 'Unknown',
            }),
          },
        },
      },
    ],
    totalItems: 2,
    sources: [
      {
        source: 'argocd:sandbox',
        kind: 'delivery',
        status: 'ok',
        fetchedAt: ago(5),
      },
    ],
  };
}
