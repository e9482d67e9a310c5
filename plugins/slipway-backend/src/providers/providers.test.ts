import { rateLimitRetryAt, UpstreamError } from '@slipway/plugin-slipway-node';
import fs from 'node:fs';
import path from 'node:path';
import {
  argoCdValidator,
  githubValidator,
  harborValidator,
  modelProblems,
} from '@slipway/vendor-schemas';
import {
  ArgoCdProvider,
  toRolloutState,
  toSecretHealth,
} from './ArgoCdProvider';
import { GithubActionsProvider } from './GithubActionsProvider';
import { GitlabCiProvider } from './GitlabCiProvider';
import { HarborProvider, worstScan } from './HarborProvider';
import { OciRegistryProvider } from './OciRegistryProvider';
import { SonarQubeProvider } from './SonarQubeProvider';
import { overlayImage } from '@slipway/plugin-slipway-common';
import { parseKustomization, promotionTrailer } from './GitCliGitOpsReader';

function fixture(name: string): any {
  return JSON.parse(
    fs.readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8'),
  );
}

/** A fetch that answers from a table of path → body and records requests. */
function fakeFetch(
  routes: Record<
    string,
    { status?: number; body: unknown; headers?: Record<string, string> }
  >,
) {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const impl = (async (url: string, init?: RequestInit) => {
    requests.push({
      url,
      headers: (init?.headers ?? {}) as Record<string, string>,
    });
    const { pathname, search } = new URL(url);
    const route = routes[pathname + search] ?? routes[pathname];
    if (!route) return new Response('{"message":"Not Found"}', { status: 404 });
    const text =
      typeof route.body === 'string' ? route.body : JSON.stringify(route.body);
    return new Response(text, {
      status: route.status ?? 200,
      headers: route.headers,
    });
  }) as unknown as typeof fetch;
  return { fetch: impl, requests };
}

const signal = () => ({ signal: AbortSignal.timeout(2000) });

describe('recorded vendor payloads are what the vendors document', () => {
  it('Argo CD applications, resource tree and managed resources', () => {
    const argo = argoCdValidator();
    expect(
      argo.errors(
        'v1alpha1ApplicationList',
        fixture('argocd-applications.json'),
      ),
    ).toEqual([]);
    expect(
      argo.errors(
        'v1alpha1ApplicationTree',
        fixture('argocd-resource-tree.json'),
      ),
    ).toEqual([]);
    expect(
      argo.errors(
        'applicationManagedResourcesResponse',
        fixture('argocd-managed-resources.json'),
      ),
    ).toEqual([]);
    // Applications and the Rollout's live state also pass the Kubernetes models.
    expect(
      modelProblems(
        'Application',
        ...fixture('argocd-applications.json').items,
      ),
    ).toEqual([]);
    const rollouts = fixture('argocd-managed-resources.json')
      .items.filter((item: any) => item.kind === 'Rollout' && item.liveState)
      .map((item: any) => JSON.parse(item.liveState));
    expect(rollouts.length).toBeGreaterThan(0);
    expect(modelProblems('Rollout', ...rollouts)).toEqual([]);
    const blueGreen = fixture('argocd-managed-resources-bluegreen.json');
    expect(
      argo.errors('applicationManagedResourcesResponse', blueGreen),
    ).toEqual([]);
    expect(
      modelProblems(
        'Rollout',
        ...blueGreen.items.map((item: any) => JSON.parse(item.liveState)),
      ),
    ).toEqual([]);
  });

  it('Harbor artifacts', () => {
    const harbor = harborValidator();
    for (const artifact of fixture('harbor-artifacts.json')) {
      expect(harbor.errors('Artifact', artifact)).toEqual([]);
    }
  });

  it('GitHub workflow runs', () => {
    const github = githubValidator();
    expect(
      github.forOperation(
        'get',
        '/repos/{owner}/{repo}/actions/runs',
        200,
        fixture('github-workflow-runs.json'),
      ),
    ).toEqual([]);
  });
});

describe('ArgoCdProvider', () => {
  it('maps Applications to allow-listed live state, environment from the label', async () => {
    const { fetch, requests } = fakeFetch({
      '/api/v1/applications': { body: fixture('argocd-applications.json') },
    });
    const provider = ArgoCdProvider.create({
      instance: 'main',
      url: 'https://argocd.example.com/',
      token: 't0k3n',
      fetch,
    });
    const apps = await provider.listApplications(
      'slipway.dev/app=orders-service',
      signal(),
    );
    expect(requests[0].url).toBe(
      'https://argocd.example.com/api/v1/applications?selector=slipway.dev%2Fapp%3Dorders-service',
    );
    expect(requests[0].headers.authorization).toBe('Bearer t0k3n');
    expect(apps.map(a => a.environment).sort()).toEqual([
      'dev',
      'prod',
      'staging',
    ]);
    const prod = apps.find(a => a.environment === 'prod')!;
    expect(prod.hasRollout).toBe(true);
    expect(prod.live).toMatchObject({
      application: 'orders-service-prod',
      instance: 'main',
      syncStatus: 'Synced',
      healthStatus: 'Suspended',
      url: 'https://argocd.example.com/applications/orders-service-prod',
    });
    expect(prod.live.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(prod.live.operation?.phase).toBe('Succeeded');
    expect(prod.history[0].revision).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(prod.live).sort()).toEqual(
      [
        'application',
        'images',
        'instance',
        'lastSyncedAt',
        'operation',
        'reconciledAt',
        'revision',
        'syncStatus',
        'healthStatus',
        'url',
      ].sort(),
    );
  });

  it('reads canary step, weight and pause of a Rollout', () => {
    const rollout = toRolloutState(
      fixture('argocd-resource-tree.json'),
      fixture('argocd-managed-resources.json'),
    );
    expect(rollout).toMatchObject({
      strategy: 'canary',
      currentStep: 4,
      totalSteps: 5,
      weight: 25,
      paused: true,
    });
    const fromTreeOnly = toRolloutState(
      fixture('argocd-resource-tree.json'),
      undefined,
    );
    expect(fromTreeOnly).toMatchObject({
      strategy: 'canary',
      currentStep: 4,
      totalSteps: 5,
      weight: 25,
      paused: true,
    });
  });

  it('reads a blue-green Rollout: services, selectors and pause, no canary steps or weights', () => {
    const rollout = toRolloutState(
      undefined,
      fixture('argocd-managed-resources-bluegreen.json'),
    );
    expect(rollout).toEqual({
      strategy: 'blueGreen',
      phase: 'Paused',
      paused: true,
      pauseReason: 'BlueGreenPause',
      blueGreen: {
        activeService: 'checkout-web-active',
        previewService: 'checkout-web-preview',
        activeSelector: '5d8b7c9f44',
        previewSelector: '6f7c9d5b88',
        currentPodHash: '6f7c9d5b88',
        autoPromotionEnabled: false,
      },
      message: 'BlueGreenPause',
    });
  });

  it('names the pause reason of a canary', () => {
    expect(
      toRolloutState(
        fixture('argocd-resource-tree.json'),
        fixture('argocd-managed-resources.json'),
      )?.pauseReason,
    ).toBe('CanaryPauseStep');
  });

  it("reads a plain Deployment's rollout status from the Application, with no extra call", async () => {
    const list = fixture('argocd-applications.json');
    const item = structuredClone(list.items[0]);
    item.metadata.name = 'plain-dev';
    item.status.resources = [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'plain-dev',
        name: 'plain',
        status: 'Synced',
        health: {
          status: 'Progressing',
          message:
            'Waiting for rollout to finish: 1 of 3 updated replicas are available...',
        },
      },
    ];
    const fake = fakeFetch({
      '/api/v1/applications': { body: { items: [item] } },
    });
    const [app] = await ArgoCdProvider.create({
      instance: 'x',
      url: 'https://argocd.example.com',
      token: 't',
      fetch: fake.fetch,
    }).listApplications('slipway.dev/app=plain', signal());
    expect(app.hasRollout).toBe(false);
    expect(app.live.rollout).toEqual({
      strategy: 'deployment',
      phase: 'Progressing',
      message:
        'Waiting for rollout to finish: 1 of 3 updated replicas are available...',
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('reads the health of secret objects from the Application, with no extra call (issue 16)', async () => {
    const list = fixture('argocd-applications.json');
    const item = structuredClone(list.items[0]);
    const resource = (
      group: string,
      kind: string,
      name: string,
      health?: { status: string; message?: string },
      namespaced = true,
    ) => ({
      group,
      version: 'v1',
      kind,
      ...(namespaced ? { namespace: 'orders-service-dev' } : {}),
      name,
      status: 'Synced',
      ...(health ? { health } : {}),
    });
    item.status.resources = [
      resource('external-secrets.io', 'ExternalSecret', 'db-credentials', {
        status: 'Healthy',
        message: 'Secret was synced',
      }),
      resource('bitnami.com', 'SealedSecret', 'api-token', {
        status: 'Progressing',
        message: 'Waiting for Sealed Secret to be decrypted',
      }),
      resource('external-secrets.io', 'SecretStore', 'vault', {
        status: 'Degraded',
        message: `unable to log in to Vault: permission denied ${'x'.repeat(
          400,
        )}`,
      }),
      resource(
        'external-secrets.io',
        'ClusterSecretStore',
        'vault-global',
        { status: 'Healthy' },
        false,
      ),
      resource('external-secrets.io', 'ExternalSecret', 'no-health'),
      resource('bitnami.com', 'SealedSecret', 'odd', { status: 'Bogus' }),
      // Same kind, another group; a plain Secret; a nameless object: not reported.
      resource('example.com', 'ExternalSecret', 'lookalike', {
        status: 'Degraded',
      }),
      resource('', 'Secret', 'plain', { status: 'Healthy' }),
      {
        group: 'bitnami.com',
        kind: 'SealedSecret',
        health: { status: 'Degraded' },
      },
      resource('apps', 'Deployment', 'orders-service', { status: 'Healthy' }),
    ];
    expect(argoCdValidator().errors('v1alpha1Application', item)).toEqual([]);
    const plain = structuredClone(list.items[0]);
    plain.metadata.name = 'plain';
    const fake = fakeFetch({
      '/api/v1/applications': { body: { items: [item, plain] } },
    });
    const [app, withoutSecrets] = await ArgoCdProvider.create({
      instance: 'x',
      url: 'https://argocd.example.com',
      token: 't',
      fetch: fake.fetch,
    }).listApplications('slipway.dev/app=orders-service', signal());
    // Failing first, healthy last; Argo CD's message kept, at most 300 characters.
    expect(app.live.secrets).toEqual([
      {
        kind: 'SealedSecret',
        name: 'api-token',
        namespace: 'orders-service-dev',
        health: 'Progressing',
        message: 'Waiting for Sealed Secret to be decrypted',
      },
      {
        kind: 'SecretStore',
        name: 'vault',
        namespace: 'orders-service-dev',
        health: 'Degraded',
        message: expect.stringMatching(/^unable to log in to Vault/),
      },
      {
        kind: 'ExternalSecret',
        name: 'no-health',
        namespace: 'orders-service-dev',
        health: 'Unknown',
      },
      {
        kind: 'SealedSecret',
        name: 'odd',
        namespace: 'orders-service-dev',
        health: 'Unknown',
      },
      {
        kind: 'ExternalSecret',
        name: 'db-credentials',
        namespace: 'orders-service-dev',
        health: 'Healthy',
        message: 'Secret was synced',
      },
      { kind: 'ClusterSecretStore', name: 'vault-global', health: 'Healthy' },
    ]);
    expect(app.live.secrets?.[1].message).toHaveLength(300);
    expect(withoutSecrets.live.secrets).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });

  it('reports at most 20 secret objects, never dropping a failing one for a healthy one', () => {
    const resources = [
      ...Array.from({ length: 25 }, (_, i) => ({
        group: 'external-secrets.io',
        kind: 'ExternalSecret',
        name: `healthy-${i}`,
        health: { status: 'Healthy' },
      })),
      {
        group: 'external-secrets.io',
        kind: 'ExternalSecret',
        name: 'db-credentials',
        health: { status: 'Degraded', message: 'could not get secret data' },
      },
    ];
    const secrets = toSecretHealth(resources);
    expect(secrets).toHaveLength(20);
    expect(secrets[0]).toMatchObject({
      name: 'db-credentials',
      health: 'Degraded',
    });
    expect(secrets[1].name).toBe('healthy-0');
    expect(toSecretHealth([])).toEqual([]);
  });

  it('classifies garbage, outages and rate limits', async () => {
    const garbage = fakeFetch({
      '/api/v1/applications': { body: '{"items": [{"metad' },
    });
    await expect(
      ArgoCdProvider.create({
        instance: 'x',
        url: 'https://a',
        token: 't',
        fetch: garbage.fetch,
      }).listApplications('a', signal()),
    ).rejects.toMatchObject({ kind: 'malformed' });
    const down = fakeFetch({
      '/api/v1/applications': { status: 502, body: 'bad gateway t' },
    });
    await expect(
      ArgoCdProvider.create({
        instance: 'x',
        url: 'https://a',
        token: 't',
        fetch: down.fetch,
      }).listApplications('a', signal()),
    ).rejects.toMatchObject({ kind: 'error', status: 502 });
  });
});

describe('HarborProvider', () => {
  it('takes the worst scan over all platform manifests of an index, and counts signatures', async () => {
    const { fetch, requests } = fakeFetch({
      '/api/v2.0/projects/acme/repositories/payments-api/artifacts': {
        body: fixture('harbor-artifacts.json'),
      },
    });
    const provider = HarborProvider.create({
      url: 'https://harbor.example.com',
      username: 'robot',
      password: 'pw',
      fetch,
    });
    const artifacts = await provider.listArtifacts(
      {
        repositorySlug: 'acme/payments-api',
        image: 'harbor.example.com/acme/payments-api',
        limit: 30,
      },
      signal(),
    );
    expect(requests).toHaveLength(1);
    const index = artifacts.find(
      a =>
        a.image.tag &&
        fixture('harbor-artifacts.json').find(
          (r: any) => r.digest === a.image.digest,
        )?.references?.length,
    );
    expect(index).toBeDefined();
    const raw = fixture('harbor-artifacts.json');
    const children = raw
      .find((r: any) => r.digest === index!.image.digest)
      .references.map((ref: any) =>
        raw.find((r: any) => r.digest === ref.child_digest),
      );
    const highs = children.map(
      (c: any) =>
        Object.values<any>(c.scan_overview)[0].summary.summary.High ?? 0,
    );
    expect(index!.scan!.high).toBe(Math.max(...highs));
    expect(index!.signature).toEqual({ signed: true, count: 1 });
    // Child manifests are not listed as artifacts of their own.
    expect(artifacts.every(a => a.image.tag)).toBe(true);
  });

  it('treats a manifest without a scan as not scanned', () => {
    const scanned = {
      scanner: 'Trivy',
      status: 'Success' as const,
      critical: 0,
      high: 1,
      medium: 0,
      low: 0,
      unknown: 0,
    };
    expect(worstScan([scanned, undefined])?.status).toBe('NotScanned');
    expect(
      worstScan([scanned, { ...scanned, status: 'Error', critical: 2 }]),
    ).toMatchObject({ status: 'Error', critical: 2, high: 1 });
  });
});

describe('GithubActionsProvider', () => {
  it('maps workflow runs and asks by commit', async () => {
    const { fetch, requests } = fakeFetch({
      '/api/v3/repos/acme/payments-api/actions/runs': {
        body: fixture('github-workflow-runs.json'),
      },
    });
    const provider = GithubActionsProvider.create({
      host: 'ghe.example.com',
      apiBaseUrl: 'https://ghe.example.com/api/v3',
      token: 'gh',
      fetch,
    });
    const runs = await provider.listRuns(
      { projectSlug: 'acme/payments-api', commit: 'abc', limit: 5 },
      signal(),
    );
    expect(requests[0].url).toContain('head_sha=abc');
    expect(runs[0]).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      name: 'CI',
      // The run number people quote ("CI #3"), not only the workflow name.
      number: 3,
    });
    expect(runs[0].commit).toMatch(/^[0-9a-f]{40}$/);
    expect(runs[0].durationSeconds).toBeGreaterThan(0);
  });

  it.each([
    ['429 with Retry-After', 429, { 'retry-after': '7' }, 7_000],
    [
      '403 remaining 0 without Retry-After',
      403,
      { 'x-ratelimit-remaining': '0' },
      15_000,
    ],
    [
      'reset in the past',
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' },
      15_000,
    ],
    [
      'reset far in the future',
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '99999999999' },
      60_000,
    ],
    ['Retry-After of a day', 429, { 'retry-after': '86400' }, 60_000],
  ])(
    'rate limit: %s → bounded back-off',
    async (_name, status, headers, expectedMs) => {
      const { fetch } = fakeFetch({
        '/repos/a/b/actions/runs': { status, body: {}, headers },
      });
      const provider = GithubActionsProvider.create({
        host: 'github.com',
        apiBaseUrl: 'https://api.github.com',
        fetch,
      });
      const before = Date.now();
      const error: UpstreamError = await provider
        .listRuns({ projectSlug: 'a/b', limit: 1 }, signal())
        .catch(e => e);
      expect(error.kind).toBe('rate-limited');
      expect(error.retryAt! - before).toBeGreaterThanOrEqual(expectedMs - 1000);
      expect(error.retryAt! - before).toBeLessThanOrEqual(
        Math.min(expectedMs, 60_000) + 1000,
      );
    },
  );

  it('a plain 403 is an error, not a rate limit', () => {
    expect(rateLimitRetryAt(new Headers(), 0)).toBe(15_000);
  });

  describe('commit statuses (verification gates)', () => {
    const SHA = 'a'.repeat(40);
    const DIGEST = `sha256:${'d'.repeat(64)}`;
    /** A status as GitHub documents it (checked against @octokit/openapi below). */
    const status = (id: number, context: string, state: string) => ({
      url: `https://ghe.example.com/api/v3/repos/acme/app/statuses/${SHA}`,
      avatar_url: null,
      id,
      node_id: `SC_${id}`,
      state,
      description: `${context} ${state} for ${DIGEST}`,
      target_url: `https://ghe.example.com/acme/app/actions/runs/${id}`,
      context,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:01:00Z',
      creator: null,
    });
    const provider = (fetch: typeof globalThis.fetch) =>
      GithubActionsProvider.create({
        host: 'ghe.example.com',
        apiBaseUrl: 'https://ghe.example.com/api/v3/',
        token: 'gh',
        fetch,
      });

    it('maps statuses newest first, as GitHub documents them', async () => {
      const page = [
        status(2, 'slipway/verify/staging/smoke', 'success'),
        status(1, 'slipway/verify/staging/smoke', 'pending'),
      ];
      expect(
        githubValidator().forOperation(
          'get',
          '/repos/{owner}/{repo}/commits/{ref}/statuses',
          200,
          page,
        ),
      ).toEqual([]);
      const { fetch, requests } = fakeFetch({
        [`/api/v3/repos/acme/app/commits/${SHA}/statuses`]: { body: page },
      });
      const statuses = await provider(fetch).listCommitStatuses(
        { projectSlug: 'acme/app', commit: SHA },
        signal(),
      );
      expect(statuses).toEqual([
        {
          context: 'slipway/verify/staging/smoke',
          state: 'success',
          description: `slipway/verify/staging/smoke success for ${DIGEST}`,
          targetUrl: 'https://ghe.example.com/acme/app/actions/runs/2',
          updatedAt: '2026-01-01T00:01:00Z',
        },
        expect.objectContaining({
          state: 'pending',
          description: expect.any(String),
        }),
      ]);
      expect(requests).toHaveLength(1);
      expect(requests[0].url).toBe(
        `https://ghe.example.com/api/v3/repos/acme/app/commits/${SHA}/statuses?per_page=100&page=1`,
      );
      expect(requests[0].headers.authorization).toBe('Bearer gh');
    });

    it('reads further pages while they are full, and stops after ten', async () => {
      const full = Array.from({ length: 100 }, (_, i) =>
        status(1000 - i, `ci/job-${i}`, 'success'),
      );
      const { fetch, requests } = fakeFetch({
        [`/api/v3/repos/acme/app/commits/${SHA}/statuses?per_page=100&page=1`]:
          { body: full },
        [`/api/v3/repos/acme/app/commits/${SHA}/statuses?per_page=100&page=2`]:
          { body: [status(1, 'slipway/verify/staging/k6', 'failure')] },
      });
      const statuses = await provider(fetch).listCommitStatuses(
        { projectSlug: 'acme/app', commit: SHA },
        signal(),
      );
      expect(requests).toHaveLength(2);
      expect(statuses).toHaveLength(101);
      expect(statuses[100]).toMatchObject({
        context: 'slipway/verify/staging/k6',
        state: 'failure',
      });

      const endless = fakeFetch({
        [`/api/v3/repos/acme/app/commits/${SHA}/statuses`]: { body: full },
      });
      const capped = await provider(endless.fetch).listCommitStatuses(
        { projectSlug: 'acme/app', commit: SHA },
        signal(),
      );
      expect(endless.requests).toHaveLength(10);
      expect(capped).toHaveLength(1000);
    });

    it('keeps absent description and URL absent, and refuses what is no status list', async () => {
      const bare = {
        ...status(3, 'slipway/verify/staging/smoke', 'error'),
        description: null,
        target_url: null,
        updated_at: undefined,
      };
      const ok = fakeFetch({
        [`/api/v3/repos/acme/app/commits/${SHA}/statuses`]: { body: [bare] },
      });
      expect(
        await provider(ok.fetch).listCommitStatuses(
          { projectSlug: 'acme/app', commit: SHA },
          signal(),
        ),
      ).toEqual([
        {
          context: 'slipway/verify/staging/smoke',
          state: 'error',
          description: undefined,
          targetUrl: undefined,
          updatedAt: undefined,
        },
      ]);
      for (const body of [
        { statuses: [] },
        [{ ...bare, state: 'weird' }],
        [{ ...bare, context: 7 }],
        [null],
      ]) {
        const { fetch } = fakeFetch({
          [`/api/v3/repos/acme/app/commits/${SHA}/statuses`]: { body },
        });
        const error: UpstreamError = await provider(fetch)
          .listCommitStatuses(
            { projectSlug: 'acme/app', commit: SHA },
            signal(),
          )
          .catch(e => e);
        expect(error).toBeInstanceOf(UpstreamError);
        expect(error.kind).toBe('malformed');
      }
    });
  });
});

describe('SonarQubeProvider', () => {
  it('maps the quality gate and its conditions', async () => {
    const { fetch, requests } = fakeFetch({
      '/api/qualitygates/project_status': {
        body: fixture('sonarqube-project-status.json'),
      },
    });
    const provider = SonarQubeProvider.create({
      url: 'https://sonar.example.com',
      token: 'sq',
      fetch,
    });
    const gate = await provider.getQualityGate(
      { projectKey: 'acme_inventory-api' },
      signal(),
    );
    expect(requests[0].headers.authorization).toBe(
      `Basic ${Buffer.from('sq:').toString('base64')}`,
    );
    expect(gate?.status).toBe('ERROR');
    expect(gate?.conditions?.[0]).toMatchObject({
      metric: 'new_coverage',
      status: 'ERROR',
      threshold: '80',
    });
  });
});

describe('GitOps overlay parsing', () => {
  it('reads the image entry and the promotion trailer', () => {
    const yamlText = `images:\n  - name: other/image\n    newTag: x\n  - name: registry/acme/app\n    newTag: abc\n    digest: sha256:${'1'.repeat(
      64,
    )}\n`;
    expect(
      overlayImage(parseKustomization(yamlText), 'registry/acme/app'),
    ).toEqual({
      repository: 'registry/acme/app',
      tag: 'abc',
      digest: `sha256:${'1'.repeat(64)}`,
    });
    expect(parseKustomization('images: [')).toBeUndefined();
    expect(overlayImage(parseKustomization('images: ['), 'x')).toBeUndefined();
    // Bounded: an alias bomb is refused, not expanded.
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
      { length: 60 },
      (_, i) => `k${i}: [*a, *a, *a]`,
    ).join('\n')}\n`;
    expect(parseKustomization(bomb)).toBeUndefined();
    expect(
      promotionTrailer(
        'Promote app\n\nBody text\n\nSlipway-Promotion: p-123\nSigned-off-by: A',
      ),
    ).toBe('p-123');
    expect(promotionTrailer('Slipway-Promotion: only-subject')).toBeUndefined();
  });
});

describe('OciRegistryProvider', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  it('resolves a tag to its digest through the bearer token challenge', async () => {
    const seen: { method: string; url: string; authorization?: string }[] = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      seen.push({
        method: init?.method ?? 'GET',
        url,
        authorization: headers.authorization,
      });
      if (url.startsWith('https://auth.example.com/token')) {
        return new Response(JSON.stringify({ token: 'registry-token' }), {
          status: 200,
        });
      }
      if (headers.authorization === 'Bearer registry-token') {
        return new Response(null, {
          status: 200,
          headers: { 'docker-content-digest': digest },
        });
      }
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer realm="https://auth.example.com/token",service="registry.example.com"',
        },
      });
    }) as unknown as typeof fetch;
    const provider = OciRegistryProvider.create({
      registries: [
        { host: 'registry.example.com', username: 'bot', password: 'pw' },
      ],
      fetch: fetchImpl,
    });
    expect(provider.supports({ image: 'registry.example.com/acme/app' })).toBe(
      true,
    );
    expect(provider.supports({ image: 'other.example.com/acme/app' })).toBe(
      false,
    );
    const artifact = await provider.getArtifact(
      {
        image: {
          repository: 'registry.example.com/acme/app',
          tag: 'b'.repeat(40),
        },
      },
      signal(),
    );
    expect(artifact?.image.digest).toBe(digest);
    expect(artifact?.sourceCommit).toBe('b'.repeat(40));
    expect(seen[0]).toMatchObject({
      method: 'HEAD',
      url: `https://registry.example.com/v2/acme/app/manifests/${'b'.repeat(
        40,
      )}`,
    });
    expect(seen[1].url).toContain('scope=repository%3Aacme%2Fapp%3Apull');
    expect(seen[2].authorization).toBe('Bearer registry-token');
  });

  it('refuses a digest other than the pinned one, and reads 404 as absent', async () => {
    const answers = [
      new Response(null, {
        status: 200,
        headers: { 'docker-content-digest': `sha256:${'c'.repeat(64)}` },
      }),
      new Response(null, { status: 404 }),
    ];
    const provider = OciRegistryProvider.create({
      registries: [{ host: 'r.example.com' }],
      fetch: (async () => answers.shift()) as unknown as typeof fetch,
    });
    await expect(
      provider.getArtifact(
        { image: { repository: 'r.example.com/a', digest } },
        signal(),
      ),
    ).rejects.toMatchObject({ kind: 'malformed' });
    await expect(
      provider.getArtifact(
        { image: { repository: 'r.example.com/a', tag: 'x' } },
        signal(),
      ),
    ).resolves.toBeUndefined();
  });
});

describe('GitlabCiProvider', () => {
  it('maps pipelines and asks by commit', async () => {
    const { fetch, requests } = fakeFetch({
      '/api/v4/projects/acme%2Fapp/pipelines': {
        body: [
          {
            id: 7,
            iid: 3,
            sha: 'f'.repeat(40),
            ref: 'main',
            status: 'failed',
            created_at: '2026-01-01T00:00:00Z',
            updated_at: '2026-01-01T00:03:00Z',
            web_url: 'https://gitlab.example.com/acme/app/-/pipelines/7',
          },
          { id: 8, sha: 'e'.repeat(40), ref: 'main', status: 'pending' },
        ],
      },
    });
    const provider = GitlabCiProvider.create({
      host: 'gitlab.example.com',
      apiBaseUrl: 'https://gitlab.example.com/api/v4',
      token: 'gl',
      fetch,
    });
    const runs = await provider.listRuns(
      { projectSlug: 'acme/app', commit: 'f'.repeat(40), limit: 5 },
      signal(),
    );
    expect(requests[0].headers['private-token']).toBe('gl');
    expect(requests[0].url).toContain(`sha=${'f'.repeat(40)}`);
    expect(runs[0]).toMatchObject({
      id: '7',
      number: 3,
      status: 'completed',
      conclusion: 'failure',
      branch: 'main',
    });
    expect(runs[1]).toMatchObject({ status: 'queued', conclusion: undefined });
  });

  it('reads commit statuses newest first, running as pending, cancelled as error', async () => {
    const sha = 'f'.repeat(40);
    const { fetch, requests } = fakeFetch({
      [`/api/v4/projects/acme%2Fapp/repository/commits/${sha}/statuses`]: {
        body: [
          {
            id: 9,
            sha,
            ref: 'main',
            status: 'running',
            name: 'slipway/verify/staging/k6',
            description: null,
            target_url: null,
            created_at: '2026-01-01T00:05:00Z',
            finished_at: null,
          },
          {
            id: 8,
            sha,
            status: 'success',
            name: 'slipway/verify/staging/smoke',
            description: 'smoke passed',
            target_url: `https://gitlab.example.com/acme/app/-/jobs/8?digest=sha256:${'d'.repeat(
              64,
            )}`,
            created_at: '2026-01-01T00:00:00Z',
            finished_at: '2026-01-01T00:02:00Z',
          },
          { id: 7, sha, status: 'failed', name: 'a' },
          { id: 6, sha, status: 'canceled', name: 'b' },
          { id: 5, sha, status: 'skipped', name: 'c' },
        ],
      },
    });
    const provider = GitlabCiProvider.create({
      host: 'gitlab.example.com',
      apiBaseUrl: 'https://gitlab.example.com/api/v4',
      token: 'gl',
      fetch,
    });
    const statuses = await provider.listCommitStatuses(
      { projectSlug: 'acme/app', commit: sha },
      signal(),
    );
    expect(requests[0].url).toBe(
      `https://gitlab.example.com/api/v4/projects/acme%2Fapp/repository/commits/${sha}/statuses?per_page=100&order_by=id&sort=desc`,
    );
    expect(requests[0].headers['private-token']).toBe('gl');
    expect(statuses).toEqual([
      {
        context: 'slipway/verify/staging/k6',
        state: 'pending',
        description: undefined,
        targetUrl: undefined,
        updatedAt: '2026-01-01T00:05:00Z',
      },
      {
        context: 'slipway/verify/staging/smoke',
        state: 'success',
        description: 'smoke passed',
        targetUrl: expect.stringContaining('?digest=sha256:'),
        updatedAt: '2026-01-01T00:02:00Z',
      },
      expect.objectContaining({ context: 'a', state: 'failure' }),
      expect.objectContaining({ context: 'b', state: 'error' }),
      expect.objectContaining({ context: 'c', state: 'error' }),
    ]);
    for (const body of [
      {},
      [{ id: 1, status: 'bogus', name: 'x' }],
      [{ status: 'success' }],
    ]) {
      const bad = fakeFetch({
        [`/api/v4/projects/acme%2Fapp/repository/commits/${sha}/statuses`]: {
          body,
        },
      });
      const error: UpstreamError = await GitlabCiProvider.create({
        host: 'gitlab.example.com',
        apiBaseUrl: 'https://gitlab.example.com/api/v4',
        fetch: bad.fetch,
      })
        .listCommitStatuses({ projectSlug: 'acme/app', commit: sha }, signal())
        .catch(e => e);
      expect(error.kind).toBe('malformed');
    }
  });
});
