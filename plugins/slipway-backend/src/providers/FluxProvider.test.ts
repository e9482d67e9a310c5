import { UpstreamError } from '@slipway/plugin-slipway-node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  FLUX_RECONCILE_ANNOTATION,
  FluxProvider,
  FluxReconcileNotConfiguredError,
  fluxUiUrl,
  inventoryDeployments,
  parseFluxRevision,
  toFluxApplication,
} from './FluxProvider';

// Starts a local TLS server (openssl makes its certificate) in one test.
jest.setTimeout(60_000);

const SHA = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T10:05:00Z';

function condition(
  type: string,
  value: string,
  reason = 'Any',
  message?: string,
  at = T1,
) {
  return { type, status: value, reason, message, lastTransitionTime: at };
}

/** A Kustomization as kustomize-controller v1 writes it. */
function kustomization(
  overrides: {
    name?: string;
    namespace?: string;
    env?: string;
    suspend?: boolean;
    applied?: string;
    attempted?: string;
    conditions?: unknown[];
    history?: unknown[];
    inventory?: string[];
    handled?: string;
    sourceRef?: Record<string, string>;
  } = {},
) {
  const name = overrides.name ?? 'ledger-api-staging';
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name,
      namespace: overrides.namespace ?? 'team-payments',
      labels: {
        'slipway.dev/app': 'ledger-api',
        'slipway.dev/environment': overrides.env ?? 'staging',
      },
    },
    spec: {
      interval: '24h',
      path: './apps/ledger-api/overlays/staging',
      prune: true,
      sourceRef: overrides.sourceRef ?? {
        kind: 'GitRepository',
        name: 'gitops',
      },
      ...(overrides.suspend !== undefined
        ? { suspend: overrides.suspend }
        : {}),
    },
    status: {
      conditions: overrides.conditions ?? [
        condition('Ready', 'True', 'ReconciliationSucceeded', 'Applied'),
      ],
      lastAppliedRevision:
        'applied' in overrides ? overrides.applied : `main@sha1:${SHA}`,
      lastAttemptedRevision: overrides.attempted ?? `main@sha1:${SHA}`,
      ...(overrides.handled
        ? { lastHandledReconcileAt: overrides.handled }
        : {}),
      ...(overrides.history ? { history: overrides.history } : {}),
      inventory: {
        entries: (
          overrides.inventory ?? [
            'ledger-api-staging_ledger-api_apps_Deployment',
          ]
        ).map(id => ({ id, v: 'v1' })),
      },
    },
  };
}

function gitRepository(revision = `main@sha1:${SHA}`, handled?: string) {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'gitops', namespace: 'team-payments' },
    status: {
      artifact: { revision },
      ...(handled ? { lastHandledReconcileAt: handled } : {}),
    },
  };
}

function deployment(image: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
  };
}

function status(code: number, reason: string) {
  return new Response(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: `${reason} (secret-token-in-body)`,
      reason,
      code,
    }),
    { status: code, headers: { 'content-type': 'application/json' } },
  );
}

interface Seen {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

type Handler = (request: Seen) => Response | Promise<Response> | undefined;

/** A fetch answering from handlers (first that answers), recording every request. */
function fakeCluster(...handlers: Handler[]) {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => {
    const request: Seen = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    seen.push(request);
    for (const handler of handlers) {
      const response = await handler(request);
      if (response) return response;
    }
    return status(404, 'NotFound');
  }) as typeof fetch;
  return { fetch: fetchImpl, seen };
}

function json(body: unknown) {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
}

function list(kind: string, items: unknown[]) {
  return json({
    apiVersion: 'v1',
    kind,
    metadata: { resourceVersion: '1' },
    items,
  });
}

/** The stand-in's routes for one Kustomization, its source and its Deployment. */
function standardRoutes(
  items: unknown[] = [kustomization()],
  source: unknown = gitRepository(),
): Handler {
  return ({ method, url }) => {
    if (method !== 'GET') return undefined;
    const p = url.pathname;
    if (p.endsWith('/kustomizations')) return list('KustomizationList', items);
    if (p.endsWith('/helmreleases')) return list('HelmReleaseList', []);
    if (p.endsWith('/gitrepositories/gitops')) return json(source);
    if (p.endsWith('/deployments/ledger-api')) {
      return json(deployment(`harbor.local/payments/ledger-api:${SHA}`));
    }
    return undefined;
  };
}

function provider(
  fetchImpl: typeof fetch,
  overrides: Partial<Parameters<typeof FluxProvider.create>[0]> = {},
) {
  return FluxProvider.create({
    name: 'sandbox',
    url: 'http://k8s.test/',
    serviceAccountToken: 'read-token',
    reconcileToken: 'write-token',
    fetch: fetchImpl,
    reconcilePollMs: 5,
    ...overrides,
  });
}

const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

describe('parseFluxRevision', () => {
  it.each([
    [`main@sha1:${SHA}`, SHA],
    [`refs/heads/release/1@sha1:${SHA}`, SHA],
    [`sha1:${SHA}`, SHA],
    [`main/${SHA}`, SHA],
    [SHA, SHA],
    [`main@sha1:${SHA.slice(1)}`, undefined],
    [`main@sha256:${'c'.repeat(64)}`, undefined],
    [`main@sha1:${SHA.toUpperCase()}`, undefined],
    [`main@sha1:${SHA}x`, undefined],
    ['1.2.3', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %s as %s', (revision, sha) => {
    expect(parseFluxRevision(revision)).toBe(sha);
  });
});

describe('inventoryDeployments', () => {
  it('keeps Deployments of the apps group, once each', () => {
    const item = kustomization({
      inventory: [
        'ns_web_apps_Deployment',
        'ns_web_apps_Deployment',
        'ns_web__Service',
        'ns_db_apps_StatefulSet',
        '_cluster-wide_apps_Deployment',
        'ns_r_argoproj.io_Rollout',
        'broken',
      ],
    });
    expect(inventoryDeployments(item)).toEqual(['ns/web']);
    expect(inventoryDeployments({})).toEqual([]);
  });
});

describe('fluxUiUrl', () => {
  it('fills the placeholders, URL-encoded, every time they occur', () => {
    expect(
      fluxUiUrl(
        'https://ui.example.com/{kind}/details?c={cluster}&n={namespace}&o={name}&again={name}&keep={other}',
        {
          cluster: 'eu 1',
          namespace: 'team-payments',
          name: 'a&b',
          kind: 'Kustomization',
        },
      ),
    ).toBe(
      'https://ui.example.com/Kustomization/details?c=eu%201&n=team-payments&o=a%26b&again=a%26b&keep={other}',
    );
  });
});

describe('toFluxApplication: conditions onto live state', () => {
  const map = (
    overrides: Parameters<typeof kustomization>[0],
    source: string | undefined = `main@sha1:${SHA}`,
  ) =>
    toFluxApplication(kustomization(overrides), {
      cluster: 'sandbox',
      kind: 'Kustomization',
      source: { revision: source },
      images: ['harbor.local/payments/ledger-api:x'],
    });

  it('Ready True, applied = source: Synced, Healthy, no operation', () => {
    const app = map({});
    expect(app.live).toEqual({
      application: 'ledger-api-staging',
      instance: 'sandbox',
      controller: 'flux',
      namespace: 'team-payments',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      revision: SHA,
      images: ['harbor.local/payments/ledger-api:x'],
      reconciledAt: T1,
      lastSyncedAt: T1,
    });
    expect(app.environment).toBe('staging');
    expect(app.labels['slipway.dev/app']).toBe('ledger-api');
    expect(app.hasRollout).toBe(false);
    expect(app.history).toEqual([{ revision: SHA, deployedAt: T1 }]);
  });

  it('applied behind the source: OutOfSync (drift), still the applied revision', () => {
    const app = map({ applied: `main@sha1:${OLD}` });
    expect(app.live.syncStatus).toBe('OutOfSync');
    expect(app.live.revision).toBe(OLD);
  });

  it('never applied: OutOfSync, no revision, no history', () => {
    const app = map({ applied: undefined });
    expect(app.live.syncStatus).toBe('OutOfSync');
    expect(app.live.revision).toBeUndefined();
    expect('revision' in app.live).toBe(false);
    expect(app.history).toEqual([]);
  });

  it('source unknown: Unknown', () => {
    for (const source of [undefined, { revision: undefined }]) {
      const app = toFluxApplication(kustomization(), {
        cluster: 'sandbox',
        kind: 'Kustomization',
        source,
      });
      expect(app.live.syncStatus).toBe('Unknown');
      expect(app.live.images).toEqual([]);
    }
  });

  it('compares revisions verbatim when they name no sha', () => {
    expect(map({ applied: 'v1' }, 'v1').live.syncStatus).toBe('Synced');
    expect(map({ applied: 'v1' }, 'v2').live.syncStatus).toBe('OutOfSync');
    expect(
      map({ applied: `main/${SHA}` }, `main@sha1:${SHA}`).live.syncStatus,
    ).toBe('Synced');
  });

  it('Reconciling True: Progressing with a Running operation on the attempted revision', () => {
    const app = map({
      attempted: `main@sha1:${OLD}`,
      conditions: [
        condition(
          'Ready',
          'Unknown',
          'Progressing',
          'Reconciliation in progress',
        ),
        condition('Reconciling', 'True', 'Progressing', 'Applying', T0),
      ],
    });
    expect(app.live.healthStatus).toBe('Progressing');
    expect(app.live.operation).toEqual({
      phase: 'Running',
      startedAt: T0,
      message: 'Applying',
      revision: OLD,
    });
  });

  it('Ready Unknown (Progressing) without Reconciling: Running since the Ready transition', () => {
    const app = map({
      conditions: [
        condition(
          'Ready',
          'Unknown',
          'Progressing',
          'Reconciliation in progress',
        ),
      ],
    });
    expect(app.live.healthStatus).toBe('Progressing');
    expect(app.live.operation).toMatchObject({
      phase: 'Running',
      startedAt: T1,
      message: 'Reconciliation in progress',
    });
  });

  it('Ready Unknown for another reason: Progressing, no operation', () => {
    const app = map({ conditions: [condition('Ready', 'Unknown', 'Other')] });
    expect(app.live.healthStatus).toBe('Progressing');
    expect(app.live.operation).toBeUndefined();
  });

  it('Ready False: Degraded, a Failed operation with the controller message', () => {
    const app = map({
      attempted: `main@sha1:${OLD}`,
      conditions: [
        condition(
          'Ready',
          'False',
          'BuildFailed',
          'kustomize build failed: missing resource deployment.yaml',
        ),
        condition('Reconciling', 'True', 'ProgressingWithRetry'),
      ],
    });
    expect(app.live.healthStatus).toBe('Degraded');
    expect(app.live.operation).toEqual({
      phase: 'Failed',
      finishedAt: T1,
      message: 'kustomize build failed: missing resource deployment.yaml',
      revision: OLD,
    });
  });

  it('Ready False without a message: the reason; long messages cut', () => {
    expect(
      map({ conditions: [condition('Ready', 'False', 'HealthCheckFailed')] })
        .live.operation?.message,
    ).toBe('HealthCheckFailed');
    expect(
      map({
        conditions: [condition('Ready', 'False', 'X', 'm'.repeat(900))],
      }).live.operation?.message,
    ).toHaveLength(500);
  });

  it('Stalled True: Degraded with the Stalled message', () => {
    const app = map({
      conditions: [
        condition('Ready', 'True', 'ReconciliationSucceeded'),
        condition('Stalled', 'True', 'InvalidPath', 'path not found'),
      ],
    });
    expect(app.live.healthStatus).toBe('Degraded');
    expect(app.live.operation).toMatchObject({
      phase: 'Failed',
      message: 'path not found',
    });
  });

  it('suspended: Suspended whatever Ready says', () => {
    expect(map({ suspend: true }).live.healthStatus).toBe('Suspended');
    expect(map({ suspend: false }).live.healthStatus).toBe('Healthy');
    const failed = map({
      suspend: true,
      conditions: [condition('Ready', 'False', 'BuildFailed', 'broken')],
    });
    expect(failed.live.healthStatus).toBe('Suspended');
    expect(failed.live.operation?.phase).toBe('Failed');
  });

  it('no conditions yet: Unknown health, no reconcile time', () => {
    const app = map({ conditions: [], applied: undefined });
    expect(app.live.healthStatus).toBe('Unknown');
    expect(app.live.reconciledAt).toBeUndefined();
    expect(app.live.operation).toBeUndefined();
  });

  it('reads status.history newest first, successful entries only', () => {
    const app = map({
      history: [
        {
          digest: 'sha256:1',
          firstReconciled: T0,
          lastReconciled: '2024-04-01T00:00:00Z',
          lastReconciledStatus: 'ReconciliationSucceeded',
          metadata: { revision: `main@sha1:${OLD}` },
        },
        {
          firstReconciled: T0,
          lastReconciled: '2024-05-02T00:00:00Z',
          lastReconciledStatus: 'ReconciliationSucceeded',
          metadata: { revision: `main@sha1:${SHA}` },
        },
        {
          lastReconciled: '2024-05-03T00:00:00Z',
          lastReconciledStatus: 'BuildFailed',
          metadata: { revision: `main@sha1:${'c'.repeat(40)}` },
        },
        { lastReconciled: '2024-05-04T00:00:00Z', metadata: {} },
      ],
    });
    expect(app.history).toEqual([
      { revision: SHA, deployedAt: '2024-05-02T00:00:00Z', startedAt: T0 },
      { revision: OLD, deployedAt: '2024-04-01T00:00:00Z', startedAt: T0 },
    ]);
    expect(app.live.lastSyncedAt).toBe('2024-05-02T00:00:00Z');
  });

  it('links through the UI template, else no link', () => {
    expect(map({}).live.url).toBeUndefined();
    const app = toFluxApplication(kustomization(), {
      cluster: 'sandbox',
      kind: 'Kustomization',
      uiUrl:
        'https://weave.example.com/kustomization/details?clusterName={cluster}&name={name}&namespace={namespace}',
    });
    expect(app.live.url).toBe(
      'https://weave.example.com/kustomization/details?clusterName=sandbox&name=ledger-api-staging&namespace=team-payments',
    );
  });

  it('refuses an object without name or namespace as malformed', () => {
    expect(() =>
      toFluxApplication(
        { metadata: { name: 'x' } },
        { cluster: 'sandbox', kind: 'Kustomization' },
      ),
    ).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });

  it('a HelmRelease: health from its conditions, sync Unknown', () => {
    const app = toFluxApplication(
      {
        metadata: { name: 'redis', namespace: 'team-payments' },
        spec: {},
        status: {
          conditions: [condition('Ready', 'True', 'InstallSucceeded')],
          lastAttemptedRevision: '1.2.3',
        },
      },
      { cluster: 'sandbox', kind: 'HelmRelease', source: { revision: 'x' } },
    );
    expect(app.live).toMatchObject({
      application: 'redis',
      syncStatus: 'Unknown',
      healthStatus: 'Healthy',
      images: [],
    });
    expect(app.live.revision).toBeUndefined();
  });
});

describe('FluxProvider: reads', () => {
  it('lists Kustomizations over all namespaces with the selector and the read token', async () => {
    const cluster = fakeCluster(standardRoutes());
    const apps = await provider(cluster.fetch).listApplications(
      'slipway.dev/app=ledger-api',
      ctx(),
    );
    expect(apps).toHaveLength(1);
    expect(apps[0].live).toMatchObject({
      application: 'ledger-api-staging',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      images: [`harbor.local/payments/ledger-api:${SHA}`],
    });
    const paths = cluster.seen.map(r => `${r.url.pathname}${r.url.search}`);
    expect(paths.sort()).toEqual(
      [
        '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?labelSelector=slipway.dev%2Fapp%3Dledger-api',
        '/apis/helm.toolkit.fluxcd.io/v2/helmreleases?labelSelector=slipway.dev%2Fapp%3Dledger-api',
        '/apis/source.toolkit.fluxcd.io/v1/namespaces/team-payments/gitrepositories/gitops',
        '/apis/apps/v1/namespaces/ledger-api-staging/deployments/ledger-api',
      ].sort(),
    );
    expect(
      cluster.seen.every(r => r.headers.authorization === 'Bearer read-token'),
    ).toBe(true);
  });

  it('reads each source once per list, and none for other source kinds', async () => {
    const items = ['dev', 'staging', 'prod'].map(env =>
      kustomization({ name: `ledger-api-${env}`, env }),
    );
    items.push(
      kustomization({
        name: 'from-bucket',
        sourceRef: { kind: 'Bucket', name: 'b' },
      }),
    );
    const cluster = fakeCluster(standardRoutes(items));
    const apps = await provider(cluster.fetch).listApplications(
      'slipway.dev/app',
      ctx(),
    );
    expect(
      cluster.seen.filter(r => r.url.pathname.includes('gitrepositories')),
    ).toHaveLength(1);
    expect(cluster.seen.some(r => r.url.pathname.includes('buckets'))).toBe(
      false,
    );
    expect(apps.map(a => a.live.syncStatus)).toEqual([
      'Synced',
      'Synced',
      'Synced',
      'Unknown',
    ]);
    // One Deployment read for the one workload they share.
    expect(
      cluster.seen.filter(r => r.url.pathname.includes('deployments')),
    ).toHaveLength(1);
  });

  it('follows a sourceRef namespace; a missing source reads Unknown', async () => {
    const cluster = fakeCluster(
      standardRoutes([
        kustomization({
          sourceRef: { kind: 'GitRepository', name: 'gone', namespace: 'x' },
        }),
      ]),
    );
    const [app] = await provider(cluster.fetch).listApplications('a=b', ctx());
    expect(
      cluster.seen.some(
        r =>
          r.url.pathname ===
          '/apis/source.toolkit.fluxcd.io/v1/namespaces/x/gitrepositories/gone',
      ),
    ).toBe(true);
    expect(app.live.syncStatus).toBe('Unknown');
  });

  it('lists only the configured namespaces', async () => {
    const cluster = fakeCluster(standardRoutes());
    const apps = await provider(cluster.fetch, {
      namespaces: ['team-payments', 'team-x'],
    }).listApplications('a=b', ctx());
    expect(apps).toHaveLength(2); // the fake answers the same list twice
    const lists = cluster.seen
      .map(r => r.url.pathname)
      .filter(p => p.endsWith('kustomizations') || p.endsWith('helmreleases'));
    expect(lists.sort()).toEqual([
      '/apis/helm.toolkit.fluxcd.io/v2/namespaces/team-payments/helmreleases',
      '/apis/helm.toolkit.fluxcd.io/v2/namespaces/team-x/helmreleases',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-payments/kustomizations',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-x/kustomizations',
    ]);
  });

  it('treats a cluster without the helm-controller (404) as no HelmReleases, and maps those present', async () => {
    const without = fakeCluster(
      ({ url }) =>
        url.pathname.endsWith('/helmreleases')
          ? status(404, 'NotFound')
          : undefined,
      standardRoutes(),
    );
    expect(
      await provider(without.fetch).listApplications('a=b', ctx()),
    ).toHaveLength(1);
    const withOne = fakeCluster(
      ({ url }) =>
        url.pathname.endsWith('/helmreleases')
          ? list('HelmReleaseList', [
              {
                metadata: { name: 'redis', namespace: 'team-payments' },
                status: { conditions: [condition('Ready', 'True')] },
              },
            ])
          : undefined,
      standardRoutes(),
    );
    const apps = await provider(withOne.fetch).listApplications('a=b', ctx());
    expect(apps.map(a => a.live.application)).toEqual([
      'ledger-api-staging',
      'redis',
    ]);
  });

  it('bounds the Deployment reads per object and per list; a missing Deployment is skipped', async () => {
    const inventory = Array.from(
      { length: 8 },
      (_, i) => `ns_web-${i}_apps_Deployment`,
    );
    const items = Array.from({ length: 3 }, (_, i) =>
      kustomization({
        name: `k${i}`,
        inventory: inventory.map(id => id.replace('ns_', `ns${i}_`)),
      }),
    );
    const cluster = fakeCluster(({ url }) => {
      if (url.pathname.endsWith('/deployments/web-0')) {
        return status(404, 'NotFound');
      }
      return url.pathname.includes('/deployments/')
        ? json(deployment(`img/${url.pathname.split('/').pop()}`))
        : undefined;
    }, standardRoutes(items));
    const apps = await provider(cluster.fetch, {
      maxWorkloadReads: 12,
    }).listApplications('a=b', ctx());
    const reads = cluster.seen.filter(r =>
      r.url.pathname.includes('/deployments/'),
    );
    expect(reads).toHaveLength(12); // 5 + 5 + 2
    expect(apps[0].live.images).toEqual([
      'img/web-1',
      'img/web-2',
      'img/web-3',
      'img/web-4',
    ]);
    // The third object got the two reads left under the cap.
    expect(apps[2].live.images).toEqual(['img/web-1']);
  });

  it('reads init containers and containers of a Deployment', async () => {
    const cluster = fakeCluster(
      ({ url }) =>
        url.pathname.includes('/deployments/')
          ? json({
              spec: {
                template: {
                  spec: {
                    initContainers: [{ image: 'init:1' }],
                    containers: [{ image: 'app:1' }, { name: 'no-image' }],
                  },
                },
              },
            })
          : undefined,
      standardRoutes(),
    );
    const [app] = await provider(cluster.fetch).listApplications('a=b', ctx());
    expect(app.live.images).toEqual(['init:1', 'app:1']);
  });

  it.each([
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [500, 'InternalError'],
  ])(
    'turns HTTP %s into a classified UpstreamError without the body',
    async (code, reason) => {
      const cluster = fakeCluster(() => status(code, reason));
      const error = await provider(cluster.fetch)
        .listApplications('a=b', ctx())
        .catch(e => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ kind: 'error', status: code });
      expect(error.message).toBe(`Flux sandbox answered HTTP ${code}`);
      expect(error.message).not.toMatch(/secret|token/);
    },
  );

  it('classifies rate limits, malformed answers, unreachable and slow clusters', async () => {
    const limited = fakeCluster(
      () => new Response('', { status: 429, headers: { 'retry-after': '5' } }),
    );
    await expect(
      provider(limited.fetch).listApplications('a=b', ctx()),
    ).rejects.toMatchObject({ kind: 'rate-limited', status: 429 });

    const malformed = fakeCluster(() => json({ items: 'nope' }));
    await expect(
      provider(malformed.fetch).listApplications('a=b', ctx()),
    ).rejects.toMatchObject({
      kind: 'malformed',
      message: 'Flux sandbox answered an unexpected kustomizations list',
    });

    const notJson = fakeCluster(() => new Response('<html>', { status: 200 }));
    await expect(
      provider(notJson.fetch).listApplications('a=b', ctx()),
    ).rejects.toMatchObject({ kind: 'malformed' });

    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(
      provider(down).listApplications('a=b', ctx()),
    ).rejects.toMatchObject({
      kind: 'error',
      message: 'Flux sandbox is unreachable',
    });

    const slow = ((_: unknown, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () =>
          reject(new Error('aborted')),
        ),
      )) as unknown as typeof fetch;
    await expect(
      provider(slow).listApplications('a=b', {
        signal: AbortSignal.timeout(20),
      }),
    ).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('an empty list (items null) is no application', async () => {
    const cluster = fakeCluster(() => json({ items: null }));
    expect(
      await provider(cluster.fetch).listApplications('a=b', ctx()),
    ).toEqual([]);
  });

  it('finds one Kustomization by namespace/name, by name over all namespaces, or not at all', async () => {
    const other = kustomization({ name: 'other' });
    const cluster = fakeCluster(({ url }) => {
      if (
        url.pathname ===
        '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-payments/kustomizations/ledger-api-staging'
      ) {
        return json(kustomization());
      }
      return undefined;
    }, standardRoutes([kustomization(), other]));
    const flux = provider(cluster.fetch);
    expect(
      (await flux.getApplication('team-payments/ledger-api-staging', ctx()))
        ?.live.application,
    ).toBe('ledger-api-staging');
    expect((await flux.getApplication('other', ctx()))?.live.application).toBe(
      'other',
    );
    expect(cluster.seen.at(-3)?.url.search).toBe(''); // the unfiltered list
    expect(await flux.getApplication('nothing', ctx())).toBeUndefined();
    expect(await flux.getApplication('team-x/nothing', ctx())).toBeUndefined();
  });

  it('refuses an ambiguous bare name', async () => {
    const cluster = fakeCluster(
      standardRoutes([
        kustomization({ namespace: 'a' }),
        kustomization({ namespace: 'b' }),
      ]),
    );
    await expect(
      provider(cluster.fetch).getApplication('ledger-api-staging', ctx()),
    ).rejects.toThrow(/several Kustomizations are named ledger-api-staging/);
  });

  it('looks a bare name up in the configured namespaces only', async () => {
    const cluster = fakeCluster(({ url }) =>
      url.pathname.endsWith('/namespaces/team-b/kustomizations/x')
        ? json(kustomization({ name: 'x', namespace: 'team-b' }))
        : undefined,
    );
    const app = await provider(cluster.fetch, {
      namespaces: ['team-a', 'team-b'],
    }).getApplication('x', ctx());
    expect(app?.live.namespace).toBe('team-b');
    expect(cluster.seen.map(r => r.url.pathname).slice(0, 2)).toEqual([
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-a/kustomizations/x',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-b/kustomizations/x',
    ]);
  });

  it('has no rollout to read', async () => {
    const cluster = fakeCluster();
    expect(await provider(cluster.fetch).getRollout()).toBeUndefined();
    expect(cluster.seen).toEqual([]);
  });

  it('is a delivery provider named after its cluster', () => {
    const flux = provider(fakeCluster().fetch);
    expect(flux).toMatchObject({
      id: 'flux:sandbox',
      instance: 'sandbox',
      kind: 'delivery',
    });
  });
});

describe('FluxProvider: the reconcile request', () => {
  /**
   * A cluster whose controllers handle a reconcile request on the next
   * read after it: the source echoes it, the Kustomization echoes it and
   * applies `applies` (Ready as given).
   */
  function reconcilingCluster(options: {
    applies: string;
    ready?: unknown;
    sourceHandles?: boolean;
    handles?: boolean;
  }) {
    let sourceRequested: string | undefined;
    let requested: string | undefined;
    return fakeCluster(({ method, url, body }) => {
      const p = url.pathname;
      if (method === 'PATCH') {
        const at = JSON.parse(body!).metadata.annotations[
          FLUX_RECONCILE_ANNOTATION
        ];
        if (p.endsWith('/gitrepositories/gitops')) sourceRequested = at;
        else requested = at;
        return json({});
      }
      if (p.endsWith('/gitrepositories/gitops')) {
        return json(
          gitRepository(
            `main@sha1:${options.applies}`,
            options.sourceHandles === false ? undefined : sourceRequested,
          ),
        );
      }
      if (p.endsWith('/kustomizations/ledger-api-staging')) {
        const handled =
          requested && options.handles !== false ? requested : undefined;
        return json(
          kustomization({
            handled,
            applied: handled
              ? `main@sha1:${options.applies}`
              : `main@sha1:${OLD}`,
            attempted: `main@sha1:${options.applies}`,
            conditions: options.ready ? [options.ready] : undefined,
          }),
        );
      }
      return undefined;
    });
  }

  it('annotates the GitRepository, then the Kustomization, with the write token as a merge patch, and waits for the applied revision', async () => {
    const cluster = reconcilingCluster({ applies: SHA });
    await provider(cluster.fetch).sync('team-payments/ledger-api-staging', {
      revision: SHA,
      signal: AbortSignal.timeout(10_000),
    });
    const patches = cluster.seen.filter(r => r.method === 'PATCH');
    expect(patches.map(r => r.url.pathname)).toEqual([
      '/apis/source.toolkit.fluxcd.io/v1/namespaces/team-payments/gitrepositories/gitops',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-payments/kustomizations/ledger-api-staging',
    ]);
    for (const patch of patches) {
      expect(patch.headers['content-type']).toBe(
        'application/merge-patch+json',
      );
      expect(patch.headers.authorization).toBe('Bearer write-token');
      const parsed = JSON.parse(patch.body!);
      expect(Object.keys(parsed)).toEqual(['metadata']);
      expect(Object.keys(parsed.metadata)).toEqual(['annotations']);
      const at = parsed.metadata.annotations[FLUX_RECONCILE_ANNOTATION];
      expect(new Date(at).toISOString()).toBe(at); // RFC 3339
    }
    expect(JSON.parse(patches[0].body!)).toEqual(JSON.parse(patches[1].body!));
    // Reads stay with the read token.
    expect(
      cluster.seen
        .filter(r => r.method === 'GET')
        .every(r => r.headers.authorization === 'Bearer read-token'),
    ).toBe(true);
    // The source was seen handling the request before the Kustomization was annotated.
    const order = cluster.seen.map(r => `${r.method} ${r.url.pathname}`);
    const sourcePatch = order.indexOf(`PATCH ${patches[0].url.pathname}`);
    const kustomizationPatch = order.indexOf(
      `PATCH ${patches[1].url.pathname}`,
    );
    expect(
      order
        .slice(sourcePatch + 1, kustomizationPatch)
        .includes(`GET ${patches[0].url.pathname}`),
    ).toBe(true);
  });

  it('without a revision, returns once the request was handled', async () => {
    const cluster = reconcilingCluster({ applies: OLD });
    await expect(
      provider(cluster.fetch).sync('team-payments/ledger-api-staging', {
        signal: AbortSignal.timeout(10_000),
      }),
    ).resolves.toBeUndefined();
  });

  it('says when the Kustomization failed on the wanted revision, with the controller message', async () => {
    const cluster = reconcilingCluster({
      applies: SHA,
      ready: condition(
        'Ready',
        'False',
        'BuildFailed',
        'kustomize build failed',
      ),
    });
    // Failed: applied stays old while the attempt is the wanted one.
    const flux = provider(((input: string, init?: RequestInit) =>
      cluster.fetch(input, init).then(async response => {
        if (!String(input).endsWith('/kustomizations/ledger-api-staging')) {
          return response;
        }
        const body = await response.json();
        if (body.status) body.status.lastAppliedRevision = `main@sha1:${OLD}`;
        return json(body);
      })) as typeof fetch);
    await expect(
      flux.sync('team-payments/ledger-api-staging', {
        revision: SHA,
        signal: AbortSignal.timeout(10_000),
      }),
    ).rejects.toThrow(
      `Flux sandbox: team-payments/ledger-api-staging failed to apply aaaaaaa: kustomize build failed`,
    );
  });

  it('gives up when the signal ends the wait, as a timeout', async () => {
    const cluster = reconcilingCluster({ applies: SHA, handles: false });
    const started = Date.now();
    await expect(
      provider(cluster.fetch).sync('team-payments/ledger-api-staging', {
        revision: SHA,
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toMatchObject({
      kind: 'timeout',
      message: expect.stringContaining(
        'waited in vain for team-payments/ledger-api-staging to apply aaaaaaa',
      ),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('waits for the source first, bounded too', async () => {
    const cluster = reconcilingCluster({ applies: SHA, sourceHandles: false });
    await expect(
      provider(cluster.fetch).sync('team-payments/ledger-api-staging', {
        revision: SHA,
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toMatchObject({
      kind: 'timeout',
      message: expect.stringContaining(
        'the GitRepository team-payments/gitops to fetch',
      ),
    });
    expect(
      cluster.seen.filter(r => r.method === 'PATCH').map(r => r.url.pathname),
    ).toEqual([
      '/apis/source.toolkit.fluxcd.io/v1/namespaces/team-payments/gitrepositories/gitops',
    ]);
  });

  it('without a reconcile token: a typed error, nothing asked', async () => {
    const cluster = fakeCluster();
    const error = await provider(cluster.fetch, { reconcileToken: undefined })
      .sync('x', { signal: AbortSignal.timeout(1_000) })
      .catch(e => e);
    expect(error).toBeInstanceOf(FluxReconcileNotConfiguredError);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe(
      'Flux sandbox: reconcile is not configured (slipway.flux.clusters[].reconcileToken)',
    );
    expect(cluster.seen).toEqual([]);
  });

  it('a refused patch (403) is an UpstreamError, and no Kustomization is annotated', async () => {
    const cluster = fakeCluster(
      ({ method }) =>
        method === 'PATCH' ? status(403, 'Forbidden') : undefined,
      standardRoutes(),
      ({ url }) =>
        url.pathname.endsWith('/kustomizations/ledger-api-staging')
          ? json(kustomization())
          : undefined,
    );
    await expect(
      provider(cluster.fetch).sync('team-payments/ledger-api-staging', {
        revision: SHA,
        signal: AbortSignal.timeout(1_000),
      }),
    ).rejects.toMatchObject({ status: 403, kind: 'error' });
    expect(cluster.seen.filter(r => r.method === 'PATCH')).toHaveLength(1);
  });

  it('an unknown Kustomization: not found', async () => {
    const cluster = fakeCluster();
    await expect(
      provider(cluster.fetch).sync('team-payments/nothing', {
        signal: AbortSignal.timeout(1_000),
      }),
    ).rejects.toMatchObject({
      status: 404,
      message: 'Flux sandbox: no Kustomization team-payments/nothing',
    });
  });
});

describe('FluxProvider: TLS', () => {
  let dir: string;
  let server: https.Server;
  let url: string;
  let caData: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'));
    caData = cert.toString('base64');
    server = https.createServer(
      { cert, key: fs.readFileSync(path.join(dir, 'key.pem')) },
      (request, response) => {
        response.setHeader('content-type', 'application/json');
        if (request.headers.authorization !== 'Bearer read-token') {
          response.statusCode = 401;
          response.end('{"kind":"Status","code":401}');
          return;
        }
        let body: unknown = { items: [] };
        if (request.url?.includes('/kustomizations')) {
          body = { items: [kustomization({ inventory: [] })] };
        } else if (request.url?.includes('/gitrepositories/')) {
          body = gitRepository();
        }
        response.end(JSON.stringify(body));
      },
    );
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tls = (options: { caData?: string; skipTLSVerify?: boolean }) =>
    FluxProvider.create({
      name: 'tls',
      url,
      serviceAccountToken: 'read-token',
      ...options,
    });

  it('trusts the configured CA', async () => {
    const apps = await tls({ caData }).listApplications('a=b', ctx());
    expect(apps.map(a => a.live.syncStatus)).toEqual(['Synced']);
  });

  it('refuses an unknown certificate, and accepts any with skipTLSVerify', async () => {
    await expect(tls({}).listApplications('a=b', ctx())).rejects.toMatchObject({
      message: 'Flux tls is unreachable',
    });
    expect(
      await tls({ skipTLSVerify: true }).listApplications('a=b', ctx()),
    ).toHaveLength(1);
  });
});
