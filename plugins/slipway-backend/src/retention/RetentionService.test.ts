import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityState,
  HistoryEntry,
  HistoryPage,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import {
  desiredPolicy,
  HarborRetentionClient,
  isSlipwayRule,
  protectedTagPattern,
  scaffoldedRules,
  slipwayRuleMark,
} from '@slipway/plugin-slipway-node';
import {
  readRetentionConfig,
  RetentionConfig,
  RetentionService,
} from './RetentionService';

const REPO = 'harbor.example.com/acme/orders';
const sha = (n: number) => String(n).repeat(40).slice(0, 40);
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    namespace: 'default',
    annotations: {
      'slipway.dev/gitops-repo': 'https://git.example.com/acme/gitops',
      'slipway.dev/gitops-path': 'apps/orders',
      'slipway.dev/image': REPO,
      'goharbor.io/repository-slug': 'acme/orders',
    },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

/** A Harbor answering the calls retention makes, from memory; every call is recorded. */
function fakeHarbor(
  artifacts: { n: number; tagged?: boolean; immutable?: boolean }[],
) {
  const calls: string[] = [];
  const policies = new Map<number, any>();
  let retentionId: number | undefined;
  let failOn: RegExp | undefined;
  const fetchImpl = (async (input: string, init: RequestInit = {}) => {
    const url = new URL(input);
    const method = init.method ?? 'GET';
    const path = url.pathname.replace('/api/v2.0', '');
    calls.push(`${method} ${path}`);
    if (failOn?.test(`${method} ${path}`)) {
      return new Response(
        JSON.stringify({ errors: [{ code: 'INTERNAL', message: 'boom' }] }),
        { status: 500 },
      );
    }
    if (method === 'GET' && path === '/projects/acme') {
      return Response.json({
        project_id: 7,
        name: 'acme',
        metadata: retentionId ? { retention_id: String(retentionId) } : {},
      });
    }
    if (
      method === 'GET' &&
      path === '/projects/acme/repositories/orders/artifacts'
    ) {
      if (url.searchParams.get('page') !== '1') return Response.json([]);
      return Response.json(
        artifacts.map(a => ({
          digest: digest(a.n),
          push_time: `2026-01-${String(a.n).padStart(2, '0')}T00:00:00.000Z`,
          tags:
            a.tagged === false
              ? null
              : [{ name: sha(a.n), immutable: Boolean(a.immutable) }],
        })),
      );
    }
    if (method === 'POST' && path === '/retentions') {
      retentionId = 3;
      policies.set(3, { ...JSON.parse(String(init.body)), id: 3 });
      return new Response(null, {
        status: 201,
        headers: { location: '/api/v2.0/retentions/3' },
      });
    }
    const match = /^\/retentions\/(\d+)$/.exec(path);
    if (match && method === 'GET')
      return Response.json(policies.get(Number(match[1])));
    if (match && method === 'PUT') {
      policies.set(Number(match[1]), JSON.parse(String(init.body)));
      return new Response(null, { status: 200 });
    }
    return new Response('{}', { status: 404 });
  }) as unknown as typeof fetch;
  return {
    client: HarborRetentionClient.create({
      url: 'https://harbor.example.com',
      username: 'robot',
      password: 'secret',
      fetch: fetchImpl,
    }),
    calls,
    policies,
    writes: () => calls.filter(c => !c.startsWith('GET')),
    failOn: (pattern: RegExp | undefined) => {
      failOn = pattern;
    },
    setPolicy: (policy: any) => {
      retentionId = 3;
      policies.set(3, policy);
    },
  };
}

const ok = (kind: SourceReport['kind']): SourceReport => ({
  source: kind,
  kind,
  status: 'ok',
});

/** Deploy state: dev runs 6, staging 5, prod 3 with history 1, 2, 3. */
function fakeDeployState(
  options: { gitopsStatus?: SourceReport['status'] } = {},
) {
  const image = (n: number) => ({
    repository: REPO,
    tag: sha(n),
    digest: digest(n),
  });
  const change = (environment: string, n: number): HistoryEntry => ({
    environment,
    source: 'gitops',
    revision: `r${n}`,
    at: `2026-01-${String(n).padStart(2, '0')}T01:00:00Z`,
    image: image(n),
  });
  const history: Record<string, HistoryEntry[]> = {
    dev: [change('dev', 6)],
    staging: [change('staging', 5)],
    prod: [change('prod', 1), change('prod', 2), change('prod', 3)],
  };
  const desired: Record<string, number> = { dev: 6, staging: 5, prod: 3 };
  return {
    async getEntityState(): Promise<EntityState> {
      return {
        entityRef: 'component:default/orders',
        generatedAt: '2026-02-01T00:00:00Z',
        builds: [],
        sources: [
          { ...ok('gitops'), status: options.gitopsStatus ?? 'ok' },
          ok('delivery'),
        ],
        environments: Object.entries(desired).map(([environment, n]) => ({
          environment,
          syncMode: 'auto',
          drift: { drifted: false, reasons: [] },
          deployed: true,
          desired: {
            path: `apps/orders/overlays/${environment}`,
            image: image(n),
          },
          live: {
            application: `orders-${environment}`,
            instance: 'main',
            syncStatus: 'Synced',
            healthStatus: 'Healthy',
            images: [`${REPO}:${sha(n)}@${digest(n)}`, 'docker.io/sidecar:1'],
          },
        })),
      };
    },
    async getEntityHistory(
      _ref: unknown,
      _credentials: unknown,
      query: { environment?: string },
    ): Promise<HistoryPage> {
      return {
        items: history[query.environment!] ?? [],
        sources: [ok('gitops')],
      };
    },
  };
}

const CONFIG: RetentionConfig = {
  enabled: true,
  schedule: { frequency: { hours: 1 }, timeout: { minutes: 5 } },
  keepRollbackCandidates: 1,
  keepLastPushed: 2,
};

function service(
  harbor: ReturnType<typeof fakeHarbor>,
  options: {
    deployState?: ReturnType<typeof fakeDeployState>;
    allow?: boolean;
    config?: Partial<RetentionConfig>;
  } = {},
) {
  return RetentionService.create({
    catalog: catalogServiceMock({ entities: [entity] }),
    auth: mockServices.auth(),
    permissions: mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({
          result:
            options.allow === false
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
    }),
    deployState: (options.deployState ?? fakeDeployState()) as any,
    cache: mockServices.cache.mock(),
    logger: mockServices.logger.mock(),
    harbor: harbor.client,
    config: { ...CONFIG, ...options.config },
  });
}

describe('RetentionService', () => {
  // Artifacts 1..8: 6 in dev, 5 in staging, 3 in prod, 2 a rollback
  // candidate of prod (keep 1), 1 an older one; 7 and 8 the last pushed.
  const ARTIFACTS = [1, 2, 3, 4, 5, 6, 7, 8].map(n => ({ n }));

  it('writes a policy keeping the last pushed and every deployed or rollback-candidate tag, and reports what would be deleted', async () => {
    const harbor = fakeHarbor(ARTIFACTS);
    const report = await service(harbor).run();
    expect(report.status).toBe('ok');
    expect(
      report.protected.map(p => [p.environment, p.image.tag, p.reasons]),
    ).toEqual([
      ['dev', sha(6), ['desired', 'live']],
      ['staging', sha(5), ['desired', 'live']],
      ['prod', sha(3), ['desired', 'live']],
      ['prod', sha(2), ['rollback-candidate']],
    ]);
    const [project] = report.projects;
    expect(project).toMatchObject({
      project: 'acme',
      policy: 'created',
      retentionId: 3,
      protectedTags: [sha(2), sha(3), sha(5), sha(6)],
      otherRules: 0,
      repositories: ['acme/orders'],
    });
    expect(project.wouldDelete.map(c => c.tags[0])).toEqual([sha(1), sha(4)]);
    expect(harbor.writes()).toEqual(['POST /retentions']);
    const policy = harbor.policies.get(3);
    expect(policy.scope).toEqual({ level: 'project', ref: 7 });
    expect(policy.rules.map((r: any) => [r.template, r.params])).toEqual([
      ['latestPushedK', { latestPushedK: 2 }],
      ['always', {}],
    ]);
    expect(policy.rules[1].tag_selectors[0].pattern).toBe(
      protectedTagPattern([sha(2), sha(3), sha(5), sha(6)]),
    );
  });

  it('updates its own policy on the next run instead of creating another, and leaves it alone when nothing changed', async () => {
    const harbor = fakeHarbor(ARTIFACTS);
    await service(harbor).run();
    const second = await service(harbor).run();
    expect(second.projects[0].policy).toBe('unchanged');
    const third = await service(harbor, {
      config: { keepRollbackCandidates: 2 },
    }).run();
    expect(third.projects[0]).toMatchObject({
      policy: 'updated',
      retentionId: 3,
    });
    expect(third.projects[0].protectedTags).toContain(sha(1));
    expect(harbor.writes()).toEqual(['POST /retentions', 'PUT /retentions/3']);
  });

  it('keeps rules that are not its own, and replaces only its own', async () => {
    const harbor = fakeHarbor(ARTIFACTS);
    const foreign = {
      disabled: false,
      action: 'retain',
      template: 'always',
      params: {},
      tag_selectors: [
        { kind: 'doublestar', decoration: 'matches', pattern: 'v*' },
      ],
      scope_selectors: {},
    };
    harbor.setPolicy({
      id: 3,
      algorithm: 'or',
      rules: [foreign],
      trigger: { kind: 'Schedule', settings: { cron: '0 0 * * *' } },
      scope: { level: 'project', ref: 7 },
    });
    const report = await service(harbor).run();
    expect(report.projects[0]).toMatchObject({
      policy: 'updated',
      otherRules: 1,
    });
    const policy = harbor.policies.get(3);
    expect(policy.rules[0]).toEqual(foreign);
    expect(policy.rules.slice(1).every(isSlipwayRule)).toBe(true);
    expect(policy.trigger.settings.cron).toBe('0 0 * * *');
  });

  it('fills the protected rule of the policy the template created, without adding rules', async () => {
    const harbor = fakeHarbor(ARTIFACTS);
    // What slipway:harbor:retention:ensure writes at scaffolding time.
    harbor.setPolicy({
      ...desiredPolicy(undefined, 7, scaffoldedRules(undefined, 2)),
      id: 3,
    });
    const report = await service(harbor).run();
    expect(report.projects[0]).toMatchObject({
      policy: 'updated',
      otherRules: 0,
    });
    const policy = harbor.policies.get(3);
    expect(policy.rules.map(slipwayRuleMark)).toEqual([
      'keep-last-pushed',
      'protected',
    ]);
    expect(policy.rules[1].tag_selectors[0].pattern).toBe(
      protectedTagPattern([sha(2), sha(3), sha(5), sha(6)]),
    );
    expect(harbor.writes()).toEqual(['PUT /retentions/3']);
  });

  it('reports a protected digest no tag points at as unprotectable, never as kept', async () => {
    const harbor = fakeHarbor([
      ...ARTIFACTS.filter(a => a.n !== 2),
      { n: 2, tagged: false },
    ]);
    const report = await service(harbor).run();
    expect(report.unprotectable).toEqual([
      expect.objectContaining({
        environment: 'prod',
        image: expect.objectContaining({ digest: digest(2) }),
        problem: expect.stringContaining('no tag points at'),
      }),
    ]);
    expect(report.projects[0].protectedTags).not.toContain(sha(2));
    expect(report.projects[0].wouldDelete.map(c => c.digest)).toContain(
      digest(2),
    );
  });

  it('does not count immutable tags as deleted', async () => {
    const harbor = fakeHarbor([
      ...ARTIFACTS.filter(a => a.n !== 1),
      { n: 1, immutable: true },
    ]);
    const report = await service(harbor).run();
    expect(report.projects[0].wouldDelete.map(c => c.tags[0])).toEqual([
      sha(4),
    ]);
  });

  it.each([
    ['the artifact list', /GET \/projects\/acme\/repositories/],
    ['the project', /GET \/projects\/acme$/],
    ['the policy write', /POST \/retentions/],
  ])(
    'a Harbor failure on %s fails the project with Harbor’s status and changes nothing',
    async (_what, pattern) => {
      const harbor = fakeHarbor(ARTIFACTS);
      harbor.failOn(pattern);
      const report = await service(harbor).run();
      expect(report.status).toBe('failed');
      expect(report.projects[0]).toMatchObject({
        policy: 'failed',
        wouldDelete: [],
      });
      expect(report.projects[0].message).toMatch(
        /Harbor answered HTTP 500 .*: boom/,
      );
      expect(harbor.policies.size).toBe(0);
    },
  );

  it('leaves the policy as it was when an entity’s deploy state is not completely known', async () => {
    const harbor = fakeHarbor(ARTIFACTS);
    const report = await service(harbor, {
      deployState: fakeDeployState({ gitopsStatus: 'stale' }),
    }).run();
    expect(report.projects[0].policy).toBe('skipped');
    expect(report.problems).toEqual(['component:default/orders: gitops stale']);
    expect(harbor.writes()).toEqual([]);
  });

  it('answers the last report to platform admins only', async () => {
    const harbor = fakeHarbor(ARTIFACTS);
    const credentials = mockCredentials.user('user:default/alice');
    const retention = service(harbor);
    expect((await retention.getReport(credentials)).status).toBe('never-run');
    await expect(
      service(harbor, { allow: false }).getReport(credentials),
    ).rejects.toThrow(NotAllowedError);
  });
});

describe('readRetentionConfig', () => {
  it('is off by default, daily, keeping 5 rollback candidates and the last 10 pushed', () => {
    expect(readRetentionConfig(new ConfigReader({}))).toEqual({
      enabled: false,
      schedule: {
        frequency: { hours: 24 },
        timeout: { minutes: 30 },
        initialDelay: { minutes: 5 },
      },
      keepRollbackCandidates: 5,
      keepLastPushed: 10,
    });
  });

  it('reads a cron schedule and refuses negative counts', () => {
    const config = readRetentionConfig(
      new ConfigReader({
        slipway: {
          retention: {
            enabled: true,
            schedule: {
              frequency: { cron: '0 3 * * *' },
              timeout: { minutes: 10 },
            },
            keepRollbackCandidates: 3,
          },
        },
      }),
    );
    expect(config.schedule.frequency).toEqual({ cron: '0 3 * * *' });
    expect(config.keepRollbackCandidates).toBe(3);
    expect(() =>
      readRetentionConfig(
        new ConfigReader({ slipway: { retention: { keepLastPushed: -1 } } }),
      ),
    ).toThrow(/keepLastPushed/);
  });
});
