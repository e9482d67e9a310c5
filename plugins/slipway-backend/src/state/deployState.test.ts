import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { slipwayProvidersExtensionPoint } from '@slipway/plugin-slipway-node';
import crypto from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DEFAULT_ENVIRONMENTS } from '@slipway/plugin-slipway-node';
import { slipwayPlugin } from '../plugin';
import {
  DESIRED_COMMIT,
  FakeWorld,
  HEAD_COMMIT,
  memoryCache,
  OLDER_COMMIT,
  serviceEntity,
} from '../__testUtils__/fakeProviders';
import { DeployStateService, StateProviders } from './DeployStateService';
import { FleetService } from './FleetService';
import { SourceCache } from './SourceCache';
import { groupProviders } from '../providers/createDefaultProviders';

jest.setTimeout(120_000);

// In-memory SQLite per test backend, destroyed after the file: the default
// database service never closes SQLite pools, whose reaper interval kept the
// Jest worker alive ("a worker process has failed to exit gracefully").
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const STATE = '/api/slipway/entities/component/default/payments-api/state';

function fakeModule(world: FakeWorld) {
  return createBackendModule({
    pluginId: 'slipway',
    moduleId: 'fake-providers',
    register(env) {
      env.registerInit({
        deps: { providers: slipwayProvidersExtensionPoint },
        async init({ providers }) {
          providers.addProvider(...world.providers());
        },
      });
    },
  });
}

function signalsMock() {
  const published: any[] = [];
  return {
    published,
    factory: createServiceFactory({
      service: signalsServiceRef,
      deps: {},
      factory: () => ({
        publish: async (signal: any) => {
          published.push(signal);
        },
      }),
    }),
  };
}

async function startBackend(
  world: FakeWorld,
  options: { entities?: any[]; config?: object; signals?: any } = {},
) {
  const { server } = await startTestBackend({
    features: [
      slipwayPlugin,
      mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
      fakeModule(world),
      catalogServiceMock.factory({
        entities: options.entities ?? [serviceEntity('payments-api')],
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      mockServices.rootConfig.factory({
        data: {
          slipway: {
            state: { sourceTimeoutMs: 300 },
            webhooks: {
              githubSecret: 'gh-secret',
              argocdSecret: 'argo-secret',
              harborSecret: 'harbor-secret',
              // Apply each webhook at once, so the test sees its effect.
              coalesceMs: 0,
            },
            ...options.config,
          },
        },
      }),
      ...(options.signals ? [options.signals] : []),
    ],
  });
  return server;
}

function service(
  world: FakeWorld,
  entities = [serviceEntity('payments-api')],
  timeoutMs = 300,
) {
  const sources = SourceCache.create({
    cache: memoryCache(),
    timeoutMs,
    ttlMs: 0,
  });
  return DeployStateService.create({
    catalog: catalogServiceMock({ entities }),
    environments: DEFAULT_ENVIRONMENTS,
    providers: groupProviders(world.providers()) as StateProviders,
    sources,
  });
}

function fleetService(
  world: FakeWorld,
  entities = [serviceEntity('payments-api')],
) {
  return FleetService.create({
    catalog: catalogServiceMock({ entities }),
    environments: DEFAULT_ENVIRONMENTS,
    providers: groupProviders(world.providers()) as StateProviders,
    sources: SourceCache.create({
      cache: memoryCache(),
      timeoutMs: 300,
      ttlMs: 0,
    }),
  });
}

const ref = { kind: 'component', namespace: 'default', name: 'payments-api' };
const total = (world: FakeWorld) =>
  Object.values(world.calls).reduce((a, b) => a + b, 0);

describe('THREATS 9: visibility through the catalog', () => {
  it('an entity the caller may not see is not found, and no upstream is asked', async () => {
    const world = new FakeWorld();
    const server = await startBackend(world, { entities: [] });
    for (const path of [STATE, `${STATE.replace('/state', '/history')}`]) {
      const res = await request(server).get(path);
      expect(res.status).toBe(404);
    }
    const fleet = await request(server).get('/api/slipway/fleet');
    expect(fleet.body.items).toEqual([]);
    expect(total(world)).toBe(0);
  });
});

describe('THREATS 10: tokens never reach responses', () => {
  const SENTINEL = 'SENTINEL-9f1c2e7a-token';
  let upstream: http.Server;
  let base: string;

  beforeAll(async () => {
    // A hostile upstream: echoes the credentials it receives everywhere it can.
    upstream = http.createServer((req, res) => {
      const echo = `${req.headers.authorization ?? ''} ${
        req.headers['private-token'] ?? ''
      }`;
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/api/v1/applications') {
        res.end(
          JSON.stringify({
            items: ['dev', 'staging', 'prod'].map(environment => ({
              metadata: {
                name: `payments-api-${environment}`,
                labels: {
                  'slipway.dev/app': 'payments-api',
                  'slipway.dev/environment': environment,
                },
                annotations: { token: echo },
              },
              spec: { source: { repoURL: `https://${echo}@git` } },
              status: {
                sync: { status: 'Synced', revision: HEAD_COMMIT },
                health: { status: 'Healthy' },
                summary: { images: [] },
                conditions: [{ message: echo }],
              },
            })),
          }),
        );
        return;
      }
      if (url.pathname.includes('/artifacts')) {
        res.statusCode = 500;
        res.end(JSON.stringify({ errors: [{ message: echo }] }));
        return;
      }
      if (url.pathname.includes('/actions/runs')) {
        res.end(
          JSON.stringify({
            total_count: 1,
            workflow_runs: [
              {
                id: 1,
                head_sha: HEAD_COMMIT,
                status: 'completed',
                conclusion: 'success',
                actor: { login: echo },
                head_commit: { message: echo },
              },
            ],
          }),
        );
        return;
      }
      res.statusCode = 401;
      res.end(JSON.stringify({ message: echo }));
    });
    await new Promise<void>(resolve =>
      upstream.listen(0, '127.0.0.1', resolve),
    );
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise(resolve => upstream.close(resolve)));

  it('scans every response body of state, history and fleet for a planted token', async () => {
    const host = new URL(base).host;
    const { server } = await startTestBackend({
      features: [
        slipwayPlugin,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        catalogServiceMock.factory({
          entities: [
            serviceEntity('payments-api', {
              'slipway.dev/gitops-repo': `${base}/git/acme/gitops.git`,
            }),
          ],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [{ host, apiBaseUrl: base, token: SENTINEL }],
            },
            slipway: {
              argocd: {
                instances: [{ name: 'main', url: base, token: SENTINEL }],
              },
              harbor: { url: base, username: 'admin', password: SENTINEL },
              sonarqube: { url: base, token: SENTINEL },
              github: { host },
              state: { sourceTimeoutMs: 2000 },
            },
          },
        }),
      ],
    });
    const encoded = [
      SENTINEL,
      Buffer.from(`admin:${SENTINEL}`).toString('base64'),
      Buffer.from(`${SENTINEL}:`).toString('base64'),
      Buffer.from(`x-access-token:${SENTINEL}`).toString('base64'),
    ];
    const paths = [
      STATE,
      STATE.replace('/state', '/history'),
      '/api/slipway/fleet',
      '/api/slipway/entities/component/default/payments-api/config',
    ];
    for (const path of paths) {
      const res = await request(server).get(path);
      expect(res.status).toBe(200);
      for (const secret of encoded) {
        expect(res.text).not.toContain(secret);
      }
    }
    const state = await request(server).get(STATE);
    // The hostile upstream answered, and still nothing leaked.
    expect(
      state.body.sources.find((s: any) => s.kind === 'delivery').status,
    ).toBe('ok');
    expect(
      state.body.sources.find((s: any) => s.kind === 'artifacts').status,
    ).toBe('error');
  });
});

describe('GitOps hosts', () => {
  it('does not read a GitOps repository on a host outside the integrations', async () => {
    const { server } = await startTestBackend({
      features: [
        slipwayPlugin,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        catalogServiceMock.factory({
          entities: [
            serviceEntity('payments-api', {
              'slipway.dev/gitops-repo':
                'http://169.254.169.254/acme/gitops.git',
            }),
          ],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    const res = await request(server).get(STATE);
    expect(res.status).toBe(200);
    expect(
      res.body.sources.find((s: any) => s.kind === 'gitops'),
    ).toMatchObject({
      status: 'unconfigured',
    });
  });
});

describe('THREATS 12: outage, timeout, garbage → per-source status, the rest renders', () => {
  it.each(['fail', 'hang'] as const)(
    'a source that does %s is an error, never ok, and the rest renders',
    async behaviour => {
      const world = new FakeWorld();
      world.behaviour.artifacts = behaviour;
      const started = Date.now();
      const state = await service(world).getEntityState(
        ref,
        mockCredentials.user(),
      );
      expect(Date.now() - started).toBeLessThan(1500);
      const artifacts = state.sources.find(s => s.kind === 'artifacts')!;
      expect(artifacts.status).toBe('error');
      expect(artifacts.message).toBeDefined();
      expect(
        state.sources
          .filter(s => s.kind !== 'artifacts')
          .every(s => s.status === 'ok'),
      ).toBe(true);
      expect(state.environments[0].live?.healthStatus).toBe('Healthy');
      expect(state.environments[0].desired?.commit?.sha).toBe(DESIRED_COMMIT);
      expect(state.environments[0].desired?.promotionId).toBe('promo-1');
    },
  );
});

describe('THREATS 11: rate limits', () => {
  it('reports rate-limited with retryAt, keeps the last answer, and does not ask again before retryAt', async () => {
    const world = new FakeWorld();
    const deployState = service(world);
    await deployState.getEntityState(ref, mockCredentials.user());
    world.behaviour.ci = 'rate-limited';
    const limited = await deployState.getEntityState(
      ref,
      mockCredentials.user(),
    );
    const ci = limited.sources.find(s => s.kind === 'ci')!;
    expect(ci.status).toBe('rate-limited');
    expect(Date.parse(ci.retryAt!)).toBeGreaterThan(Date.now());
    expect(ci.fetchedAt).toBeDefined();
    expect(limited.builds).toHaveLength(1);
    const callsBefore = world.calls.ci;
    const again = await deployState.getEntityState(ref, mockCredentials.user());
    expect(again.sources.find(s => s.kind === 'ci')!.status).toBe(
      'rate-limited',
    );
    expect(world.calls.ci).toBe(callsBefore);
  });
});

describe('THREATS 13: stale data is labelled, fresh reads fail closed', () => {
  it('serves the last answer as stale with its age when the upstream fails; fresh reads never do', async () => {
    const world = new FakeWorld();
    const deployState = service(world);
    const first = await deployState.getEntityState(ref, mockCredentials.user());
    const firstFetchedAt = first.sources.find(
      s => s.kind === 'delivery',
    )!.fetchedAt;
    expect(firstFetchedAt).toBeDefined();
    world.behaviour.delivery = 'fail';
    const second = await deployState.getEntityState(
      ref,
      mockCredentials.user(),
    );
    const delivery = second.sources.find(s => s.kind === 'delivery')!;
    expect(delivery.status).toBe('stale');
    expect(delivery.fetchedAt).toBe(firstFetchedAt);
    expect(second.environments[0].live).toBeDefined();

    const fresh = await deployState.getEntityState(
      ref,
      mockCredentials.user(),
      { fresh: true },
    );
    expect(fresh.sources.find(s => s.kind === 'delivery')!.status).toBe(
      'error',
    );
    expect(fresh.environments.every(e => !e.live && !e.deployed)).toBe(true);
  });
});

describe('issue 10: stale data never reads as green', () => {
  it.each([
    ['delivery', 'fail', 'stale'],
    ['delivery', 'rate-limited', 'rate-limited'],
    ['delivery', 'hang', 'stale'],
    ['gitops', 'fail', 'stale'],
    ['gitops', 'hang', 'stale'],
  ] as const)(
    'a %s source that turns %s makes every environment last-known, not deployed',
    async (kind, behaviour, status) => {
      const world = new FakeWorld();
      const deployState = service(world);
      const first = await deployState.getEntityState(
        ref,
        mockCredentials.user(),
      );
      expect(first.environments.map(e => e.deployed)).toEqual([
        true,
        true,
        true,
      ]);
      const fetchedAt = first.sources.find(s => s.kind === kind)!.fetchedAt;
      world.behaviour[kind] = behaviour;
      const second = await deployState.getEntityState(
        ref,
        mockCredentials.user(),
      );
      const report = second.sources.find(s => s.kind === kind)!;
      // A rate limit is served as stale while the last answer is kept.
      expect(
        status === 'rate-limited' ? ['rate-limited', 'stale'] : [status],
      ).toContain(report.status);
      const since = report.status === 'stale' ? fetchedAt : undefined;
      for (const env of second.environments) {
        expect(env.deployed).toBe(false);
        expect(env.deployedReason).toMatch(
          /^Unknown: the (GitOps|Argo CD) source is/,
        );
        expect(env.lastKnown).toMatchObject({
          deployed: true,
          sources: [kind === 'gitops' ? 'GitOps' : 'Argo CD'],
        });
        expect(since === undefined || env.lastKnown?.since === since).toBe(
          true,
        );
      }
    },
  );
});

describe('THREATS 14: deployed only for the desired revision, reconciled and healthy', () => {
  it('is deployed when the live revision carries the desired commit, settled and Healthy', async () => {
    const world = new FakeWorld();
    const state = await service(world).getEntityState(
      ref,
      mockCredentials.user(),
    );
    expect(state.environments.map(e => e.deployed)).toEqual([true, true, true]);
  });

  it('is not deployed when Argo CD reports status for another revision', async () => {
    const world = new FakeWorld();
    world.liveRevision = OLDER_COMMIT;
    const state = await service(world).getEntityState(
      ref,
      mockCredentials.user(),
    );
    expect(state.environments.map(e => e.deployed)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('is not deployed before Argo CD reconciled after the last operation', async () => {
    const world = new FakeWorld();
    world.reconciledAt = '2025-12-31T23:59:00Z';
    const state = await service(world).getEntityState(
      ref,
      mockCredentials.user(),
    );
    expect(state.environments.some(e => e.deployed)).toBe(false);
  });

  it('is not deployed while not Healthy, and drifts when the cluster runs another image', async () => {
    const world = new FakeWorld();
    world.health = 'Progressing';
    world.liveImage = 'registry.example.com/acme/payments-api:other';
    const state = await service(world).getEntityState(
      ref,
      mockCredentials.user(),
    );
    expect(state.environments.some(e => e.deployed)).toBe(false);
    expect(state.environments[0].drift.drifted).toBe(true);
  });
});

describe('THREATS 14 in the fleet', () => {
  it('a live revision behind the head is deployed only when its overlay is the desired one', async () => {
    const world = new FakeWorld();
    world.liveRevision = OLDER_COMMIT;
    const other = await fleetService(world).getFleet(
      mockCredentials.user(),
      {},
    );
    expect(other.items[0].cells.prod.deployed).toBe(false);
    world.treeAtLive = 'same';
    const same = await fleetService(world).getFleet(mockCredentials.user(), {});
    expect(same.items[0].cells.prod.deployed).toBe(true);
  });
});

describe('THREATS 14: the Deploy tab and the fleet decide "deployed" by one rule', () => {
  it.each([
    ['same', true],
    ['other', false],
  ] as const)(
    'a live revision behind the head whose overlay tree is %s: deployed %s in both',
    async (treeAtLive, deployed) => {
      const world = new FakeWorld();
      world.liveRevision = OLDER_COMMIT;
      world.treeAtLive = treeAtLive;
      const state = await service(world).getEntityState(
        ref,
        mockCredentials.user(),
      );
      const page = await fleetService(world).getFleet(
        mockCredentials.user(),
        {},
      );
      expect(state.environments.map(e => e.deployed)).toEqual([
        deployed,
        deployed,
        deployed,
      ]);
      expect(
        Object.values(page.items[0].cells).map(cell => cell.deployed),
      ).toEqual([deployed, deployed, deployed]);
    },
  );

  it('a fresh read whose GitOps source fails is deployed nowhere', async () => {
    const world = new FakeWorld();
    world.behaviour.gitops = 'fail';
    const state = await service(world).getEntityState(
      ref,
      mockCredentials.user(),
      { fresh: true },
    );
    expect(state.environments.every(e => e.live && !e.deployed)).toBe(true);
  });
});

describe('speed: fan-out and single flight', () => {
  it('100 concurrent views of one entity cost one upstream call per source', async () => {
    const world = new FakeWorld();
    world.latencyMs = 50;
    const sources = SourceCache.create({
      cache: memoryCache(),
      timeoutMs: 1000,
    });
    const deployState = DeployStateService.create({
      catalog: catalogServiceMock({
        entities: [serviceEntity('payments-api')],
      }),
      environments: DEFAULT_ENVIRONMENTS,
      providers: groupProviders(world.providers()) as StateProviders,
      sources,
    });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 100 }, () =>
        deployState.getEntityState(ref, mockCredentials.user()),
      ),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(world.calls).toMatchObject({
      delivery: 1,
      ci: 1,
      artifacts: 1,
      quality: 1,
    });
    // Overlays plus the last change of each overlay: one read of the repository.
    expect(world.calls.gitops).toBe(4);
  });

  it('fleet upstream calls do not grow with the number of entities', async () => {
    const counts: number[] = [];
    for (const n of [3, 300]) {
      const world = new FakeWorld();
      const names = Array.from({ length: n }, (_, i) => `svc-${i}`);
      world.apps = names;
      const fleetOfNames = fleetService(
        world,
        names.map(name => serviceEntity(name)),
      );
      const page = await fleetOfNames.getFleet(mockCredentials.user(), {
        limit: 500,
      });
      expect(page.totalItems).toBe(n);
      expect(page.items[0].cells.prod.deployed).toBe(true);
      counts.push(total(world));
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBe(2);
  });
});

describe('THREATS 15: webhooks', () => {
  const githubBody = JSON.stringify({
    repository: { full_name: 'acme/gitops' },
  });
  const sign = (body: string, secret = 'gh-secret') =>
    `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

  it('refuses spoofed and oversized webhooks without invalidating anything', async () => {
    const world = new FakeWorld();
    const signals = signalsMock();
    const server = await startBackend(world, { signals: signals.factory });
    await request(server).get(STATE).expect(200);
    const before = { ...world.calls };

    const spoofed = await request(server)
      .post('/api/slipway/webhooks/github')
      .set('content-type', 'application/json')
      .set('x-hub-signature-256', sign(githubBody, 'wrong'))
      .send(githubBody);
    expect(spoofed.status).toBe(401);
    const unsigned = await request(server)
      .post('/api/slipway/webhooks/argocd')
      .send({ app: 'payments-api' });
    expect(unsigned.status).toBe(401);
    const wrongHarbor = await request(server)
      .post('/api/slipway/webhooks/harbor')
      .set('authorization', 'nope')
      .send({
        event_data: { repository: { repo_full_name: 'acme/payments-api' } },
      });
    expect(wrongHarbor.status).toBe(401);
    const big = JSON.stringify({
      repository: { full_name: 'acme/gitops' },
      pad: 'x'.repeat(300 * 1024),
    });
    const oversized = await request(server)
      .post('/api/slipway/webhooks/github')
      .set('content-type', 'application/json')
      .set('x-hub-signature-256', sign(big))
      .send(big);
    expect(oversized.status).toBe(413);

    await request(server).get(STATE).expect(200);
    expect(world.calls).toEqual(before);
    expect(signals.published).toEqual([]);
  });

  it('a valid webhook invalidates the cache and signals the open pages, and carries no data', async () => {
    const world = new FakeWorld();
    const signals = signalsMock();
    const server = await startBackend(world, { signals: signals.factory });
    await request(server).get(STATE).expect(200);
    const gitopsBefore = world.calls.gitops;
    const deliveryBefore = world.calls.delivery;

    const res = await request(server)
      .post('/api/slipway/webhooks/github')
      .set('content-type', 'application/json')
      .set('x-hub-signature-256', sign(githubBody))
      .send(githubBody);
    expect(res.status).toBe(202);
    expect(signals.published.map(s => s.channel)).toEqual([
      'slipway:entity:component:default/payments-api',
      'slipway:fleet',
    ]);
    expect(signals.published[0].message).toEqual({ type: 'state-changed' });

    await request(server).get(STATE).expect(200);
    expect(world.calls.gitops).toBeGreaterThan(gitopsBefore);
    expect(world.calls.delivery).toBe(deliveryBefore);

    const argo = await request(server)
      .post('/api/slipway/webhooks/argocd')
      .set('x-slipway-webhook-secret', 'argo-secret')
      .send({ app: 'payments-api-prod', status: { health: 'Healthy' } });
    expect(argo.status).toBe(202);
    await request(server).get(STATE).expect(200);
    expect(world.calls.delivery).toBe(deliveryBefore + 1);
  });
});
