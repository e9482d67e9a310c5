import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { slipwayProvidersExtensionPoint } from '@slipway/plugin-slipway-node';
import request from 'supertest';
import { slipwayPlugin } from './plugin';

jest.setTimeout(60_000);

// Each test backend gets an in-memory SQLite database that is destroyed after
// the file. The default database service never closes SQLite pools, and each
// pool's reaper interval kept the Jest worker alive ("a worker process has
// failed to exit gracefully").
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'argocd/app-selector': 'slipway.dev/app=payments-api',
      'slipway.dev/gitops-repo': 'https://git.example.com/acme/gitops.git',
      'slipway.dev/gitops-path': 'apps/payments-api',
      'slipway.dev/image': 'harbor.example.com/acme/payments-api',
    },
  },
  spec: { type: 'service', owner: 'group:default/team-payments' },
};

const policyBody = {
  policy: {
    selector: { kinds: ['component'] },
    environments: {
      prod: { mode: 'pull-request', gates: [{ type: 'ci-passed' }] },
    },
  },
  expectedVersion: 0,
  comment: 'first version',
};

async function startBackend(options?: {
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  catalog?: ReturnType<typeof catalogServiceMock.mock>;
  config?: object;
  extraFeatures?: any[];
}) {
  const { server } = await startTestBackend({
    features: [
      slipwayPlugin,
      mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
      options?.catalog?.factory ??
        catalogServiceMock.factory({ entities: [paymentsApi] }),
      mockServices.permissions.factory({
        result: options?.permission ?? AuthorizeResult.ALLOW,
      }),
      mockServices.rootConfig.factory({ data: options?.config ?? {} }),
      ...(options?.extraFeatures ?? []),
    ],
  });
  return server;
}

describe('slipway backend plugin', () => {
  it('lists the default environments', async () => {
    const server = await startBackend();
    const res = await request(server).get('/api/slipway/environments');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { name: 'dev', syncMode: 'auto' },
      { name: 'staging', syncMode: 'manual' },
      { name: 'prod', syncMode: 'manual' },
    ]);
  });

  it('reads environments from config', async () => {
    const server = await startBackend({
      config: {
        slipway: {
          environments: [{ name: 'test', syncMode: 'auto' }, { name: 'live' }],
        },
      },
    });
    const res = await request(server).get('/api/slipway/environments');
    expect(res.body.items).toEqual([
      { name: 'test', syncMode: 'auto' },
      { name: 'live', syncMode: 'manual' },
    ]);
  });

  it('refuses start-up on a bad environment name', async () => {
    await expect(
      startBackend({
        config: { slipway: { environments: [{ name: 'Prod!' }] } },
      }),
    ).rejects.toThrow(/DNS-1123/);
  });

  it('returns the configuration of a visible entity, with installed providers', async () => {
    const providerModule = createBackendModule({
      pluginId: 'slipway',
      moduleId: 'test-providers',
      register(reg) {
        reg.registerInit({
          deps: { providers: slipwayProvidersExtensionPoint },
          async init({ providers }) {
            providers.addProvider({ id: 'argocd:test', kind: 'delivery' });
          },
        });
      },
    });
    const server = await startBackend({ extraFeatures: [providerModule] });
    const res = await request(server).get(
      '/api/slipway/entities/component/default/payments-api/config',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/payments-api',
      missing: [],
      gitops: {
        repo: 'https://git.example.com/acme/gitops.git',
        path: 'apps/payments-api',
      },
    });
    // Providers added by modules come first; the defaults built from config follow.
    expect(res.body.providers[0]).toEqual({
      id: 'argocd:test',
      kind: 'delivery',
    });
    expect(res.body.providers).toEqual(
      expect.arrayContaining([{ id: 'git', kind: 'gitops' }]),
    );
  });

  it('answers "not found" for an entity the caller may not see (THREATS 9)', async () => {
    const catalog = catalogServiceMock.mock({
      getEntityByRef: jest.fn(async () => undefined),
    });
    const server = await startBackend({ catalog });
    const res = await request(server).get(
      '/api/slipway/entities/component/default/payments-api/config',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.name).toBe('NotFoundError');
    // The lookup carried the caller's credentials, so the catalog applied
    // the caller's permissions.
    expect(catalog.getEntityByRef).toHaveBeenCalledWith(
      'component:default/payments-api',
      expect.objectContaining({
        credentials: expect.objectContaining({
          principal: expect.objectContaining({ type: 'user' }),
        }),
      }),
    );
  });

  it('rejects malformed path parameters at the edge', async () => {
    const server = await startBackend();
    const res = await request(server).get(
      '/api/slipway/entities/component/default/bad%20name/config',
    );
    expect(res.status).toBe(400);
  });

  it('requires credentials', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/slipway/environments')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  describe('policies', () => {
    it('creates, versions and lists policies', async () => {
      const server = await startBackend();
      const created = await request(server)
        .put('/api/slipway/policies/default')
        .send(policyBody);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        name: 'default',
        version: 1,
        createdBy: 'user:default/mock',
        comment: 'first version',
      });

      const updated = await request(server)
        .put('/api/slipway/policies/default')
        .send({ ...policyBody, expectedVersion: 1, comment: 'second' });
      expect(updated.body.version).toBe(2);

      const stale = await request(server)
        .put('/api/slipway/policies/default')
        .send({ ...policyBody, expectedVersion: 1 });
      expect(stale.status).toBe(409);

      const list = await request(server).get('/api/slipway/policies');
      expect(list.body.items.map((p: any) => p.version)).toEqual([2]);
      const history = await request(server).get(
        '/api/slipway/policies/default/versions',
      );
      expect(history.body.items.map((p: any) => p.version)).toEqual([2, 1]);
      const one = await request(server).get('/api/slipway/policies/default');
      expect(one.body.comment).toBe('second');
    });

    it('refuses an invalid policy with a typed error and stores nothing', async () => {
      const server = await startBackend();
      const res = await request(server)
        .put('/api/slipway/policies/default')
        .send({
          ...policyBody,
          policy: {
            selector: {},
            environments: { prod: { mode: 'yolo', gates: [] } },
          },
        });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(/environments\.prod\.mode/);
      const list = await request(server).get('/api/slipway/policies');
      expect(list.body.items).toEqual([]);
    });

    it('refuses policy edits without the update permission and stores nothing', async () => {
      const server = await startBackend({ permission: AuthorizeResult.DENY });
      const res = await request(server)
        .put('/api/slipway/policies/default')
        .send(policyBody);
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
    });

    it('refuses policy edits from services (user credentials only)', async () => {
      const server = await startBackend();
      const res = await request(server)
        .put('/api/slipway/policies/default')
        .set('Authorization', mockCredentials.service.header())
        .send(policyBody);
      expect(res.status).toBe(403);
    });

    it('answers 404 for an unknown policy and 400 for a bad name', async () => {
      const server = await startBackend();
      expect(
        (await request(server).get('/api/slipway/policies/unknown')).status,
      ).toBe(404);
      expect(
        (await request(server).get('/api/slipway/policies/Not_A_Label')).status,
      ).toBe(400);
    });
  });
});
