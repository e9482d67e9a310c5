import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import slipwayPlugin from '@slipway/plugin-slipway-backend';
import { EntityState } from '@slipway/plugin-slipway-common';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import {
  sandboxBackendConfig,
  sandboxEntities,
} from '../__testUtils__/sandboxWiring';

jest.setTimeout(120_000);

// In-memory SQLite per test backend, destroyed after the file: the default
// database service never closes SQLite pools, whose reaper interval kept the
// Jest worker alive ("a worker process has failed to exit gracefully").
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('deploy state against the sandbox', () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let cacheDir: string;
  let entities: Entity[];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-state-sandbox-'));
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-state-git-'));
    sandbox = await createSandbox({
      dataDir,
      basePort: 0,
      log: () => {},
      timings: {
        pollIntervalMs: 200,
        faultTimeoutMs: 5000,
        autoSyncDelayMs: 400,
        syncOperationMs: 500,
        progressingMs: 300,
        canaryStepMs: 60_000,
      },
    });
    entities = sandboxEntities(sandbox);
  });

  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  afterEach(() => sandbox.faults.clear());

  async function startBackend() {
    const { server } = await startTestBackend({
      features: [
        slipwayPlugin,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: sandboxBackendConfig(sandbox, cacheDir),
        }),
      ],
    });
    return server;
  }

  async function state(server: any, name: string): Promise<EntityState> {
    const res = await request(server).get(
      `/api/slipway/entities/component/default/${name}/state`,
    );
    expect(res.status).toBe(200);
    return res.body;
  }

  const env = (s: EntityState, name: string) =>
    s.environments.find(e => e.environment === name)!;
  const source = (s: EntityState, kind: string) =>
    s.sources.find(r => r.kind === kind)!;

  it('shows the seeded services as seeded', async () => {
    const server = await startBackend();

    const payments = await state(server, 'payments-api');
    expect(payments.sources.map(s => [s.kind, s.status])).toEqual(
      expect.arrayContaining([
        ['gitops', 'ok'],
        ['delivery', 'ok'],
        ['ci', 'ok'],
        ['artifacts', 'ok'],
        ['quality', 'ok'],
      ]),
    );
    for (const name of ['dev', 'staging', 'prod']) {
      const e = env(payments, name);
      expect(e.deployed).toBe(true);
      expect(e.drift.drifted).toBe(false);
      expect(e.desired?.image?.tag).toMatch(/^[0-9a-f]{40}$/);
      expect(e.desired?.commit?.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(e.live?.healthStatus).toBe('Healthy');
      expect(e.artifact?.scan?.status).toBe('Success');
      expect(e.artifact?.signature?.signed).toBe(true);
      expect(e.artifact?.build?.conclusion).toBe('success');
      expect(e.artifact?.quality?.status).toBe('OK');
    }
    expect(payments.builds.length).toBeGreaterThan(0);

    const checkout = await state(server, 'checkout-web');
    expect(env(checkout, 'staging').desired?.image?.tag).not.toBe(
      env(checkout, 'dev').desired?.image?.tag,
    );

    const orders = await state(server, 'orders-service');
    const rollout = env(orders, 'prod').live?.rollout;
    expect(rollout).toMatchObject({
      strategy: 'canary',
      weight: 25,
      paused: true,
    });
    expect(env(orders, 'prod').deployed).toBe(false);

    const inventory = await state(server, 'inventory-api');
    expect(env(inventory, 'staging').live?.healthStatus).toBe('Degraded');
    expect(env(inventory, 'staging').deployed).toBe(false);
    expect(env(inventory, 'staging').artifact?.quality?.status).toBe('ERROR');

    const notifications = await state(server, 'notifications-worker');
    expect(env(notifications, 'prod').drift.drifted).toBe(true);
    expect(env(notifications, 'prod').deployed).toBe(false);
  });

  it('reads history and the fleet', async () => {
    const server = await startBackend();
    const history = await request(server).get(
      '/api/slipway/entities/component/default/payments-api/history?environment=prod&limit=2',
    );
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(2);
    expect(history.body.nextCursor).toBeDefined();
    const next = await request(server).get(
      `/api/slipway/entities/component/default/payments-api/history?environment=prod&limit=2&cursor=${history.body.nextCursor}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.items[0].at <= history.body.items[1].at).toBe(true);
    const all = await request(server).get(
      '/api/slipway/entities/component/default/checkout-web/history?environment=staging',
    );
    const argocd = all.body.items.filter((i: any) => i.source === 'argocd');
    expect(argocd.length).toBeGreaterThan(0);
    expect(argocd[0].image?.tag).toMatch(/^[0-9a-f]{40}$/);
    expect(
      all.body.items.filter((i: any) => i.source === 'gitops')[0].message,
    ).toContain('checkout-web');

    const fleet = await request(server).get('/api/slipway/fleet');
    expect(fleet.status).toBe(200);
    // Every service is listed; those without delivery annotations come last,
    // marked not set up.
    const setUp = entities.filter(
      e => e.metadata.annotations?.['slipway.dev/gitops-repo'],
    ).length;
    expect(
      fleet.body.items
        .filter((i: any) => !i.notSetUp)
        .map((i: any) => i.entityRef),
    ).toHaveLength(setUp);
    expect(fleet.body.totalItems).toBe(fleet.body.items.length);
    // Not-set-up rows (legacy-billing) come after every set-up one.
    const setUpFlags = fleet.body.items.map((i: any) => Boolean(i.notSetUp));
    expect(setUpFlags).toEqual([...setUpFlags].sort());
    const checkout = fleet.body.items.find(
      (i: any) => i.entityRef === 'component:default/checkout-web',
    );
    expect(checkout.cells.staging.behind).toBe(true);
    const payments = fleet.body.items.find(
      (i: any) => i.entityRef === 'component:default/payments-api',
    );
    expect(payments.cells.prod.deployed).toBe(true);
    expect(payments.cells.prod.behind).toBe(false);
    expect(payments.cells.staging.behind).toBe(false);
  });

  describe('fault modes: the failing source says so, the rest renders', () => {
    async function faultedState(rule: object) {
      const server = await startBackend();
      const before = await state(server, 'payments-api');
      expect(before.sources.every(s => s.status === 'ok')).toBe(true);
      sandbox.faults.setRules([rule as any]);
      const started = Date.now();
      const after = await state(server, 'payments-api');
      expect(Date.now() - started).toBeLessThan(4500);
      // The rest still renders.
      expect(env(after, 'prod').environment).toBe('prod');
      return after;
    }

    it.each([
      [
        'Argo CD 5xx',
        { vendor: 'argocd', mode: 'error', status: 503 },
        'delivery',
      ],
      ['Argo CD timeout', { vendor: 'argocd', mode: 'timeout' }, 'delivery'],
      [
        'Harbor malformed',
        { vendor: 'harbor', mode: 'malformed' },
        'artifacts',
      ],
      [
        'Harbor 5xx',
        { vendor: 'harbor', mode: 'error', status: 500 },
        'artifacts',
      ],
      [
        'SonarQube timeout',
        { vendor: 'sonarqube', mode: 'timeout' },
        'quality',
      ],
      ['GitHub malformed', { vendor: 'github', mode: 'malformed' }, 'ci'],
      [
        'GitOps git 5xx',
        { vendor: 'git', mode: 'error', status: 502 },
        'gitops',
      ],
    ])(
      '%s: that source is stale (last answer, with its age), the rest is ok',
      async (_name, rule, kind) => {
        const after = await faultedState(rule);
        const report = source(after, kind);
        expect(report.status).toBe('stale');
        expect(report.fetchedAt).toBeDefined();
        expect(
          after.sources
            .filter(s => s.kind !== kind)
            .every(s => s.status === 'ok'),
        ).toBe(true);
        expect(
          env(after, 'prod').desired?.image?.tag ??
            env(after, 'prod').live?.images[0],
        ).toBeDefined();
      },
    );

    it.each([
      [
        '429 with Retry-After',
        {
          vendor: 'github',
          mode: 'rate-limit',
          status: 429,
          retryAfterSeconds: 30,
        },
      ],
      [
        '403 without Retry-After',
        { vendor: 'github', mode: 'rate-limit', status: 403 },
      ],
      [
        '403 with reset in the past',
        {
          vendor: 'github',
          mode: 'rate-limit',
          status: 403,
          resetEpochSeconds: 1,
        },
      ],
      [
        '403 with reset far in the future',
        {
          vendor: 'github',
          mode: 'rate-limit',
          status: 403,
          resetEpochSeconds: 99999999999,
        },
      ],
    ])(
      'GitHub %s: rate-limited with a bounded retryAt, the rest is ok',
      async (_name, rule) => {
        const after = await faultedState(rule);
        const report = source(after, 'ci');
        expect(report.status).toBe('rate-limited');
        const retryAt = Date.parse(report.retryAt!);
        expect(retryAt).toBeGreaterThan(Date.now());
        expect(retryAt).toBeLessThanOrEqual(Date.now() + 61_000);
        expect(
          after.sources
            .filter(s => s.kind !== 'ci')
            .every(s => s.status === 'ok'),
        ).toBe(true);
        expect(after.builds.length).toBeGreaterThan(0);
      },
    );

    it('latency: state costs about the slowest source', async () => {
      const server = await startBackend();
      await state(server, 'payments-api');
      sandbox.faults.setRules([
        { vendor: 'argocd', mode: 'latency', latencyMs: 400 },
        { vendor: 'harbor', mode: 'latency', latencyMs: 400 },
        { vendor: 'sonarqube', mode: 'latency', latencyMs: 400 },
        { vendor: 'github', mode: 'latency', latencyMs: 400 },
      ] as any);
      const started = Date.now();
      const after = await state(server, 'payments-api');
      const elapsed = Date.now() - started;
      expect(after.sources.every(s => s.status === 'ok')).toBe(true);
      // The sum of the latencies is 1,600 ms; fanned out, about the slowest (400 ms).
      expect(elapsed).toBeLessThan(1200);
    });
  });
});
