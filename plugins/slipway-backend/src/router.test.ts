import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EntityState,
  FleetPage,
  HistoryPage,
  PromotionPolicyVersion,
  SlipwayEnvironment,
} from '@slipway/plugin-slipway-common';
import crypto from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { PolicyStore } from './database/PolicyStore';
import { createRouter, MAX_WEBHOOK_BYTES, RouterOptions } from './router';
import { EntityConfigService } from './service/EntityConfigService';
import { PolicyService } from './service/PolicyService';
import { SourceCache } from './state/SourceCache';
import { StateInvalidator } from './state/StateInvalidator';
import { WebhookService } from './webhooks/WebhookService';

// Builds an express app and the OpenAPI validator per test.
jest.setTimeout(60_000);

const environments: SlipwayEnvironment[] = [
  { name: 'dev', syncMode: 'auto' },
  { name: 'prod', syncMode: 'manual' },
];

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

const entityState: EntityState = {
  entityRef: 'component:default/payments-api',
  generatedAt: '2026-01-01T00:00:00.000Z',
  environments: [],
  builds: [],
  sources: [],
};
const historyPage: HistoryPage = { items: [], sources: [] };
const fleetPage: FleetPage = {
  environments,
  items: [],
  totalItems: 0,
  sources: [],
};

const policy = {
  selector: { kinds: ['component'] },
  environments: {
    prod: { mode: 'pull-request', gates: [{ type: 'ci-passed' }] },
  },
};

/** Versioned policies in memory, with the store's optimistic locking. */
function memoryPolicyStore(): PolicyStore {
  const versions: PromotionPolicyVersion[] = [];
  const history = async (name: string) =>
    versions.filter(v => v.name === name).reverse();
  return {
    async listLatest() {
      const names = [...new Set(versions.map(v => v.name))];
      return Promise.all(names.map(async name => (await history(name))[0]));
    },
    async getLatest(name) {
      return (await history(name))[0];
    },
    getHistory: history,
    async save(options) {
      const latest = (await history(options.name))[0]?.version ?? 0;
      if (latest !== options.expectedVersion) {
        throw new ConflictError(`Policy "${options.name}" changed`);
      }
      const saved: PromotionPolicyVersion = {
        name: options.name,
        version: latest + 1,
        policy: options.policy,
        comment: options.comment,
        createdBy: options.createdBy,
        createdAt: '2026-01-01T00:00:00.000Z',
      };
      versions.push(saved);
      return saved;
    },
  };
}

const WEBHOOK_SECRET = 'webhook-secret';

function githubSignature(body: string): string {
  return `sha256=${crypto
    .createHmac('sha256', WEBHOOK_SECRET)
    .update(body)
    .digest('hex')}`;
}

async function startRouter(overrides?: Partial<RouterOptions>) {
  const catalog = catalogServiceMock({ entities: [paymentsApi] });
  const real = WebhookService.create({
    secrets: { github: WEBHOOK_SECRET },
    invalidator: StateInvalidator.create({
      sources: SourceCache.create({ cache: mockServices.cache.mock() }),
      gitopsReaders: [],
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    }),
  });
  const webhooks = {
    verify: real.verify.bind(real),
    handle: jest.fn(async () => {}),
  };
  const deployState = {
    getEntityState: jest.fn(async () => entityState),
    getEntityHistory: jest.fn(async () => historyPage),
  };
  const fleet = { getFleet: jest.fn(async () => fleetPage) };
  const options: RouterOptions = {
    httpAuth: mockServices.httpAuth(),
    environments,
    entityConfig: EntityConfigService.create({
      catalog,
      environments,
      providers: [],
    }),
    policies: PolicyService.create({
      store: memoryPolicyStore(),
      permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
      auditor: mockServices.auditor.mock({
        createEvent: async () => ({
          success: async () => {},
          fail: async () => {},
        }),
      }),
    }),
    deployState,
    fleet,
    webhooks,
    ...overrides,
  };
  const app = express()
    .use(await createRouter(options))
    .use(mockErrorHandler());
  return { app, deployState, fleet, webhooks };
}

const entityPath = '/entities/component/default/payments-api';

describe('createRouter', () => {
  describe('answers', () => {
    it('lists the environments', async () => {
      const { app } = await startRouter();
      const res = await request(app).get('/environments');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: environments });
    });

    it('returns the configuration of a visible entity', async () => {
      const { app } = await startRouter();
      const res = await request(app).get(`${entityPath}/config`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        entityRef: 'component:default/payments-api',
        environments,
        gitops: {
          repo: 'https://git.example.com/acme/gitops.git',
          path: 'apps/payments-api',
        },
      });
    });

    it('passes the entity and the caller to the state service', async () => {
      const { app, deployState } = await startRouter();
      const res = await request(app).get(`${entityPath}/state`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(entityState);
      expect(deployState.getEntityState).toHaveBeenCalledWith(
        { kind: 'component', namespace: 'default', name: 'payments-api' },
        expect.objectContaining({
          principal: expect.objectContaining({ type: 'user' }),
        }),
      );
    });

    it('hands the history query to the state service, numbers as numbers', async () => {
      const { app, deployState } = await startRouter();
      const res = await request(app).get(
        `${entityPath}/history?environment=prod&limit=20&cursor=abc`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual(historyPage);
      expect(deployState.getEntityHistory).toHaveBeenCalledWith(
        { kind: 'component', namespace: 'default', name: 'payments-api' },
        expect.anything(),
        { environment: 'prod', limit: 20, cursor: 'abc' },
      );
    });

    it('hands the fleet query to the fleet service', async () => {
      const { app, fleet } = await startRouter();
      const owner = encodeURIComponent('group:default/team-payments');
      const res = await request(app).get(`/fleet?owner=${owner}&limit=5`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(fleetPage);
      expect(fleet.getFleet).toHaveBeenCalledWith(expect.anything(), {
        owner: 'group:default/team-payments',
        system: undefined,
        environment: undefined,
        limit: 5,
        cursor: undefined,
      });
    });

    it('hands search, attention, sort and order to the fleet service', async () => {
      const { app, fleet } = await startRouter();
      const res = await request(app).get(
        '/fleet?q=%20pay%20&attention=true&sort=staging.age&order=desc',
      );
      expect(res.status).toBe(200);
      expect(fleet.getFleet).toHaveBeenCalledWith(expect.anything(), {
        owner: undefined,
        system: undefined,
        environment: undefined,
        limit: undefined,
        cursor: undefined,
        q: 'pay',
        attention: true,
        sort: 'staging.age',
        order: 'desc',
      });
      await request(app).get('/fleet?attention=false&q=%20');
      expect(fleet.getFleet).toHaveBeenLastCalledWith(
        expect.anything(),
        expect.objectContaining({ attention: false }),
      );
      expect(
        (fleet.getFleet.mock.calls.at(-1) as unknown[])[1],
      ).not.toHaveProperty('q');
    });

    it('creates, versions and lists policies', async () => {
      const { app } = await startRouter();
      const created = await request(app)
        .put('/policies/default')
        .send({ policy, expectedVersion: 0, comment: 'first' });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        name: 'default',
        version: 1,
        createdBy: 'user:default/mock',
        comment: 'first',
      });
      await request(app)
        .put('/policies/default')
        .send({ policy, expectedVersion: 1 })
        .expect(200);
      const list = await request(app).get('/policies');
      expect(list.body.items.map((p: any) => p.version)).toEqual([2]);
      const one = await request(app).get('/policies/default');
      expect(one.body.version).toBe(2);
      const versions = await request(app).get('/policies/default/versions');
      expect(versions.body.items.map((p: any) => p.version)).toEqual([2, 1]);
    });

    it('answers 409 when the policy changed since it was read', async () => {
      const { app } = await startRouter();
      await request(app)
        .put('/policies/default')
        .send({ policy, expectedVersion: 0 })
        .expect(200);
      const stale = await request(app)
        .put('/policies/default')
        .send({ policy, expectedVersion: 0 });
      expect(stale.status).toBe(409);
      expect(stale.body.error.name).toBe('ConflictError');
    });

    it('has no state, history or fleet routes without their services', async () => {
      const { app } = await startRouter({
        deployState: undefined,
        fleet: undefined,
      });
      expect((await request(app).get(`${entityPath}/state`)).status).toBe(404);
      expect((await request(app).get(`${entityPath}/history`)).status).toBe(
        404,
      );
      expect((await request(app).get('/fleet')).status).toBe(404);
    });
  });

  describe('not found', () => {
    it('answers 404 for an entity the catalog does not return', async () => {
      const { app } = await startRouter();
      const res = await request(app).get(
        '/entities/component/default/unknown/config',
      );
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({
        name: 'NotFoundError',
        message: 'Entity component:default/unknown not found',
      });
    });

    /** A state read of the entity whose state service throws `error`. */
    async function stateReadThrowing(error: Error, name = 'payments-api') {
      const { app } = await startRouter({
        deployState: {
          getEntityState: async () => {
            throw error;
          },
          getEntityHistory: async () => historyPage,
        },
      });
      return request(app).get(`/entities/component/default/${name}/state`);
    }

    it('answers 404 when the state service does not find the entity', async () => {
      const res = await stateReadThrowing(
        new NotFoundError('Entity component:default/gone not found'),
        'gone',
      );
      expect(res.status).toBe(404);
      expect(res.body.error.name).toBe('NotFoundError');
    });

    it('answers 503 (retry), not 500, when the database cannot be reached', async () => {
      // What the load benchmark saw while PostgreSQL restarted: node-postgres'
      // connection refused, and knex's pool giving up.
      const refused = Object.assign(
        new Error('connect ECONNREFUSED 127.0.0.1:5432'),
        { code: 'ECONNREFUSED' },
      );
      const shuttingDown = Object.assign(
        new Error('terminating connection due to administrator command'),
        { code: '57P01' },
      );
      const pool = new Error(
        'Knex: Timeout acquiring a connection. The pool is probably full.',
      );
      for (const error of [refused, shuttingDown, pool]) {
        const res = await stateReadThrowing(error);
        expect(res.status).toBe(503);
        expect(res.body.error).toMatchObject({
          name: 'ServiceUnavailableError',
          message: expect.stringMatching(
            /^The database could not be reached; nothing was changed, try again/,
          ),
        });
      }
      // Any other failure stays what it was.
      expect((await stateReadThrowing(new Error('a bug'))).status).toBe(500);
    });

    it('answers 404 for an unknown policy', async () => {
      const { app } = await startRouter();
      const res = await request(app).get('/policies/unknown');
      expect(res.status).toBe(404);
      expect(res.body.error.name).toBe('NotFoundError');
    });
  });

  describe('validation at the edge', () => {
    it.each([
      ['`..` as the namespace', '/entities/component/../payments-api/state'],
      ['`..` as the name', '/entities/component/default/../state'],
      ['`.` as the name', '/entities/component/default/./state'],
      [
        'an encoded `..` as the name',
        '/entities/component/default/%2e%2e/state',
      ],
      [
        'an encoded slash in the name',
        '/entities/component/default/a%2Fb/state',
      ],
      [
        'a name ending with a dot',
        '/entities/component/default/payments./state',
      ],
      [
        'a name over 63 characters',
        `/entities/component/default/${'a'.repeat(64)}/state`,
      ],
      [
        'a namespace with an underscore',
        '/entities/component/de_fault/x/state',
      ],
      ['a kind starting with a digit', '/entities/1component/default/x/state'],
    ])(
      'refuses %s with 400 and never asks the catalog or the state (issue 10)',
      async (_what, path) => {
        const { app, deployState } = await startRouter();
        const res = await request(app).get(path);
        expect([400, 404]).toContain(res.status);
        expect(deployState.getEntityState).not.toHaveBeenCalled();
      },
    );

    it.each([
      ['an exponent', '/fleet?limit=1e2'],
      ['hexadecimal', '/fleet?limit=0x10'],
      ['a sign', '/fleet?limit=%2B5'],
      ['a decimal point', '/fleet?limit=5.0'],
      ['a leading space', '/fleet?limit=%205'],
    ])(
      'refuses %s as a query number with 400 (decimal integers only)',
      async (_what, path) => {
        const { app, fleet } = await startRouter();
        const res = await request(app).get(path);
        expect(res.status).toBe(400);
        expect(fleet.getFleet).not.toHaveBeenCalled();
      },
    );

    it('accepts a decimal query number', async () => {
      const { app, fleet } = await startRouter();
      const res = await request(app).get('/fleet?limit=25');
      expect(res.status).toBe(200);
      expect(fleet.getFleet).toHaveBeenCalledWith(
        expect.anything(),
        expect.objectContaining({ limit: 25 }),
      );
    });

    it.each([
      ['a name with a space', `/entities/component/default/bad%20name/config`],
      ['a kind with a dot', `/entities/com.ponent/default/x/state`],
      ['a policy name that is not a DNS label', '/policies/Not_A_Label'],
    ])('refuses %s in the path with 400', async (_what, path) => {
      const { app, deployState } = await startRouter();
      const res = await request(app).get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(typeof res.body.error.message).toBe('string');
      expect(deployState.getEntityState).not.toHaveBeenCalled();
    });

    it.each([
      ['a limit below 1', '/fleet?limit=0'],
      ['a limit above 500', '/fleet?limit=501'],
      ['a limit that is not a number', '/fleet?limit=many'],
      ['an unknown parameter', '/fleet?colour=blue'],
      ['an environment that is not a DNS label', '/fleet?environment=Prod!'],
      ['a sort by a column that does not exist', '/fleet?sort=colour'],
      [
        'a sort by an environment column that does not exist',
        '/fleet?sort=prod.colour',
      ],
      ['an order other than asc or desc', '/fleet?order=up'],
      ['an attention flag other than true or false', '/fleet?attention=yes'],
      ['an over-long search', `/fleet?q=${'x'.repeat(101)}`],
      [
        'an over-long cursor',
        `${entityPath}/history?cursor=${'x'.repeat(201)}`,
      ],
    ])('refuses %s in the query with 400', async (_what, path) => {
      const { app, fleet, deployState } = await startRouter();
      const res = await request(app).get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(fleet.getFleet).not.toHaveBeenCalled();
      expect(deployState.getEntityHistory).not.toHaveBeenCalled();
    });

    it.each([
      ['without expectedVersion', { policy }],
      ['with a negative expectedVersion', { policy, expectedVersion: -1 }],
      ['with an unknown field', { policy, expectedVersion: 0, force: true }],
      [
        'with a policy that is not an object',
        { policy: 'x', expectedVersion: 0 },
      ],
      [
        'with an over-long comment',
        { policy, expectedVersion: 0, comment: 'x'.repeat(501) },
      ],
    ])('refuses a policy body %s with 400', async (_what, body) => {
      const { app } = await startRouter();
      const res = await request(app).put('/policies/default').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      const list = await request(app).get('/policies');
      expect(list.body.items).toEqual([]);
    });

    it('refuses an invalid policy with the field named (promotionPolicySchema)', async () => {
      const { app } = await startRouter();
      const res = await request(app)
        .put('/policies/default')
        .send({
          policy: { selector: {}, environments: { prod: { mode: 'yolo' } } },
          expectedVersion: 0,
        });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(/environments\.prod\.mode/);
    });
  });

  describe('auth', () => {
    it.each([
      '/environments',
      `${entityPath}/config`,
      `${entityPath}/state`,
      `${entityPath}/history`,
      '/fleet',
      '/policies',
      '/policies/default',
      '/policies/default/versions',
    ])('answers 401 to GET %s without credentials', async path => {
      const { app, deployState, fleet } = await startRouter();
      const res = await request(app)
        .get(path)
        .set('Authorization', mockCredentials.none.header());
      expect(res.status).toBe(401);
      expect(res.body.error.name).toBe('AuthenticationError');
      expect(deployState.getEntityState).not.toHaveBeenCalled();
      expect(fleet.getFleet).not.toHaveBeenCalled();
    });

    it('answers 401 to a policy edit without credentials', async () => {
      const { app } = await startRouter();
      const res = await request(app)
        .put('/policies/default')
        .set('Authorization', mockCredentials.none.header())
        .send({ policy, expectedVersion: 0 });
      expect(res.status).toBe(401);
    });

    it('lets services read but not edit policies', async () => {
      const { app } = await startRouter();
      const service = mockCredentials.service.header();
      expect(
        (await request(app).get('/policies').set('Authorization', service))
          .status,
      ).toBe(200);
      const res = await request(app)
        .put('/policies/default')
        .set('Authorization', service)
        .send({ policy, expectedVersion: 0 });
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
    });

    it('answers 403 to a policy edit the permission policy denies', async () => {
      const { app } = await startRouter({
        policies: PolicyService.create({
          store: memoryPolicyStore(),
          permissions: mockServices.permissions({
            result: AuthorizeResult.DENY,
          }),
          auditor: mockServices.auditor.mock({
            createEvent: async () => ({
              success: async () => {},
              fail: async () => {},
            }),
          }),
        }),
      });
      const res = await request(app)
        .put('/policies/default')
        .send({ policy, expectedVersion: 0 });
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
    });
  });

  describe('webhooks', () => {
    const payload = JSON.stringify({
      repository: { full_name: 'acme/gitops' },
    });

    it('accepts a correctly signed webhook with 202 and hands over the raw bytes', async () => {
      const { app, webhooks } = await startRouter();
      const res = await request(app)
        .post('/webhooks/github')
        .set('Content-Type', 'application/json')
        .set('X-Hub-Signature-256', githubSignature(payload))
        .send(payload);
      expect(res.status).toBe(202);
      expect(webhooks.handle).toHaveBeenCalledWith(
        'github',
        Buffer.from(payload),
      );
    });

    it('answers 401 to a bad signature and handles nothing', async () => {
      const { app, webhooks } = await startRouter();
      const res = await request(app)
        .post('/webhooks/github')
        .set('Content-Type', 'application/json')
        .set('X-Hub-Signature-256', githubSignature(`${payload} `))
        .send(payload);
      expect(res.status).toBe(401);
      expect(res.body.error.name).toBe('AuthenticationError');
      expect(webhooks.handle).not.toHaveBeenCalled();
    });

    it('answers 401 to a source with no secret configured', async () => {
      const { app, webhooks } = await startRouter();
      const res = await request(app)
        .post('/webhooks/argocd')
        .set('X-Slipway-Webhook-Secret', WEBHOOK_SECRET)
        .send(payload);
      expect(res.status).toBe(401);
      expect(webhooks.handle).not.toHaveBeenCalled();
    });

    it('answers 413 to a body over the cap, before verifying it', async () => {
      const { app, webhooks } = await startRouter();
      const big = 'x'.repeat(MAX_WEBHOOK_BYTES + 1);
      const res = await request(app)
        .post('/webhooks/github')
        .set('Content-Type', 'application/json')
        .set('X-Hub-Signature-256', githubSignature(big))
        .send(big);
      expect(res.status).toBe(413);
      expect(webhooks.handle).not.toHaveBeenCalled();
    });

    it('answers 400 to an unknown source', async () => {
      const { app } = await startRouter();
      const res = await request(app).post('/webhooks/jenkins').send(payload);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    });

    it('needs no Backstage credentials (the signature is the check)', async () => {
      const { app } = await startRouter();
      const res = await request(app)
        .post('/webhooks/github')
        .set('Authorization', mockCredentials.none.header())
        .set('Content-Type', 'application/json')
        .set('X-Hub-Signature-256', githubSignature(payload))
        .send(payload);
      expect(res.status).toBe(202);
    });
  });

  describe('promotions', () => {
    const promotion = {
      id: '5f0c2a44-4d4a-4a8e-9a55-7c1f4b1d2e3f',
      entityRef: 'component:default/payments-api',
      environment: 'prod',
      kind: 'promotion' as const,
      artifact: { repository: 'r', digest: `sha256:${'a'.repeat(64)}` },
      state: 'awaiting-approval' as const,
      mode: 'direct' as const,
      requester: 'user:default/guest',
      breakGlass: false,
      policies: [],
      gates: [],
      approvals: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      timeline: [],
    };
    function promotions() {
      return {
        preview: jest.fn(),
        request: jest.fn(async () => promotion),
        rollback: jest.fn(async () => ({
          ...promotion,
          kind: 'rollback' as const,
        })),
        list: jest.fn(async () => ({ items: [promotion] })),
        get: jest.fn(async () => promotion),
        decide: jest.fn(async () => promotion),
        cancel: jest.fn(async () => promotion),
        listFreezes: jest.fn(async () => []),
        freeze: jest.fn(),
        lift: jest.fn(),
      };
    }

    it('requests a promotion for the entity in the path, with 201', async () => {
      const service = promotions();
      const { app } = await startRouter({ promotions: service as any });
      const res = await request(app)
        .post(`${entityPath}/promotions`)
        .set('authorization', mockCredentials.user.header('user:default/guest'))
        .send({
          environment: 'prod',
          artifact: { from: 'upstream' },
          idempotencyKey: 'k-1',
        });
      expect(res.status).toBe(201);
      expect(res.body.id).toBe(promotion.id);
      expect(service.request).toHaveBeenCalledWith(
        { kind: 'component', namespace: 'default', name: 'payments-api' },
        {
          environment: 'prod',
          artifact: { from: 'upstream' },
          idempotencyKey: 'k-1',
        },
        expect.objectContaining({
          principal: expect.objectContaining({ type: 'user' }),
        }),
      );
    });

    it.each([
      [
        'a digest that is not sha256',
        { environment: 'prod', artifact: { digest: 'sha256:abc' } },
      ],
      [
        'both a digest and upstream',
        {
          environment: 'prod',
          artifact: { digest: `sha256:${'a'.repeat(64)}`, from: 'upstream' },
        },
      ],
      [
        'an environment that is not a DNS label',
        { environment: 'Prod!', artifact: { from: 'upstream' } },
      ],
      [
        'an unknown field (e.g. the entity in the body)',
        {
          environment: 'prod',
          artifact: { from: 'upstream' },
          entityRef: 'component:default/other',
        },
      ],
      [
        'a bad idempotency key',
        {
          environment: 'prod',
          artifact: { from: 'upstream' },
          idempotencyKey: 'a b',
        },
      ],
    ])(
      'refuses a promotion request with %s with 400 before the service (THREATS 16)',
      async (_what, body) => {
        const service = promotions();
        const { app } = await startRouter({ promotions: service as any });
        const res = await request(app)
          .post(`${entityPath}/promotions`)
          .send(body);
        expect(res.status).toBe(400);
        expect(service.request).not.toHaveBeenCalled();
      },
    );

    it('lets only users change promotions: services get 403', async () => {
      const service = promotions();
      const { app } = await startRouter({ promotions: service as any });
      for (const [method, path, body] of [
        [
          'post',
          `${entityPath}/promotions`,
          { environment: 'prod', artifact: { from: 'upstream' } },
        ],
        [
          'post',
          `${entityPath}/rollbacks`,
          {
            environment: 'prod',
            digest: `sha256:${'a'.repeat(64)}`,
            reason: 'x',
          },
        ],
        [
          'post',
          `/promotions/${promotion.id}/decisions`,
          { decision: 'approve' },
        ],
        ['post', `/promotions/${promotion.id}/cancel`, undefined],
        ['post', '/freezes', { scope: 'global', reason: 'x' }],
      ] as const) {
        const res = await (request(app) as any)
          [method](path)
          .set('authorization', mockCredentials.service.header())
          .send(body);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
      expect(service.request).not.toHaveBeenCalled();
      expect(service.decide).not.toHaveBeenCalled();
    });

    it('requires a reason for a rollback at the edge', async () => {
      const service = promotions();
      const { app } = await startRouter({ promotions: service as any });
      const res = await request(app)
        .post(`${entityPath}/rollbacks`)
        .send({ environment: 'prod', digest: `sha256:${'a'.repeat(64)}` });
      expect(res.status).toBe(400);
      expect(service.rollback).not.toHaveBeenCalled();
    });

    it('lists with a state filter and reads one promotion by id', async () => {
      const service = promotions();
      const { app } = await startRouter({ promotions: service as any });
      const list = await request(app).get(
        '/promotions?state=awaiting-approval&limit=10',
      );
      expect(list.status).toBe(200);
      expect(service.list).toHaveBeenCalledWith(
        expect.objectContaining({ states: ['awaiting-approval'], limit: 10 }),
        expect.anything(),
      );
      expect((await request(app).get('/promotions?state=bogus')).status).toBe(
        400,
      );
      expect(
        (await request(app).get(`/promotions/${promotion.id}`)).body.id,
      ).toBe(promotion.id);
      expect((await request(app).get('/promotions/not-a-uuid')).status).toBe(
        400,
      );
    });
  });
});
