import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityState } from '@slipway/plugin-slipway-common';
import {
  DEFAULT_ENVIRONMENTS,
  DeliveryProvider,
  SlipwayProvider,
  slipwayProvidersExtensionPoint,
} from '@slipway/plugin-slipway-node';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import {
  FakeWorld,
  memoryCache,
  serviceEntity,
} from '../__testUtils__/fakeProviders';
import { slipwayPlugin } from '../plugin';
import { ArgoCdProvider } from '../providers/ArgoCdProvider';
import { groupProviders } from '../providers/createDefaultProviders';
import { spec } from '../schema/openapi.generated';
import { DeployStateService } from './DeployStateService';
import { SourceCache } from './SourceCache';

// Starts test backends (SQLite, the whole plugin) on a shared machine.
jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const ref = { kind: 'component', namespace: 'default', name: 'payments-api' };
const STATE = '/api/slipway/entities/component/default/payments-api/state';

/** A promise the test resolves: an upstream that answers when told to. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>(resolve => {
    open = resolve;
  });
  return { open, opened };
}

/** The fake world, with Argo CD's application list held until the gate opens. */
function slowArgoCd(world: FakeWorld, opened: Promise<void>) {
  return world.providers().map(provider => {
    if (provider.kind !== 'delivery') return provider;
    const delivery = provider as DeliveryProvider;
    return {
      ...delivery,
      listApplications: async (selector, context) => {
        await opened;
        return delivery.listApplications(selector, context);
      },
    } as DeliveryProvider;
  });
}

function service(providers: ReturnType<FakeWorld['providers']>) {
  return DeployStateService.create({
    catalog: catalogServiceMock({ entities: [serviceEntity('payments-api')] }),
    environments: DEFAULT_ENVIRONMENTS,
    providers: groupProviders(providers),
    sources: SourceCache.create({
      cache: memoryCache(),
      timeoutMs: 10_000,
      ttlMs: 0,
    }),
  });
}

/**
 * The spec's required properties and enums, checked on a value: each
 * streamed line must be a whole EntityState as the OpenAPI file describes.
 */
function schemaProblems(
  value: unknown,
  schema: any = spec.components.schemas.EntityState,
  at = '',
): string[] {
  const resolved = schema?.$ref
    ? (spec.components.schemas as any)[schema.$ref.split('/').pop()]
    : schema;
  if (!resolved || value === undefined) return [];
  if (resolved.enum && !resolved.enum.includes(value)) {
    return [`${at} ${JSON.stringify(value)} is not one of ${resolved.enum}`];
  }
  if (resolved.type === 'array' && Array.isArray(value)) {
    return value.flatMap((item, index) =>
      schemaProblems(item, resolved.items, `${at}/${index}`),
    );
  }
  if (resolved.type === 'object' && value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const missing = (resolved.required ?? [])
      .filter((key: string) => record[key] === undefined)
      .map((key: string) => `${at}/${key} is required`);
    const extra = resolved.properties
      ? Object.keys(record)
          .filter(key => !(key in resolved.properties))
          .filter(() => resolved.additionalProperties === undefined)
          .map(key => `${at}/${key} is not in the spec`)
      : [];
    return [
      ...missing,
      ...extra,
      ...Object.entries(resolved.properties ?? {}).flatMap(([key, child]) =>
        schemaProblems(record[key], child, `${at}/${key}`),
      ),
    ];
  }
  return [];
}

function statusOf(state: EntityState, kind: string) {
  return state.sources.find(s => s.kind === kind)?.status;
}

describe('the state in parts: Git and CI do not wait for a slow Argo CD', () => {
  it('sends a partial snapshot with Argo CD pending, then the complete state', async () => {
    const world = new FakeWorld();
    const argo = gate();
    const deployState = service(slowArgoCd(world, argo.opened));
    const snapshots: EntityState[] = [];
    const first = gate();
    const done = deployState.streamEntityState(
      ref,
      mockCredentials.user(),
      state => {
        snapshots.push(state);
        first.open();
      },
    );
    // Argo CD has not answered: only what Git, CI, registry and quality said.
    await first.opened;
    const partial = snapshots[0];
    expect(statusOf(partial, 'delivery')).toBe('pending');
    expect(statusOf(partial, 'gitops')).toBe('ok');
    expect(partial.sources.find(s => s.kind === 'delivery')).toMatchObject({
      source: 'argocd:main',
      message: 'Waiting for Argo CD to answer',
    });
    for (const env of partial.environments) {
      expect(env.desired?.image?.digest).toMatch(/^sha256:/);
      // Nothing is decided on what has not answered: no live state, no verdict.
      expect(env.live).toBeUndefined();
      expect(env.deployed).toBe(false);
      expect(env.lastKnown).toBeUndefined();
    }
    expect(schemaProblems(partial)).toEqual([]);

    argo.open();
    const complete = await done;
    expect(snapshots[snapshots.length - 1]).toBe(complete);
    expect(complete.sources.every(s => s.status !== 'pending')).toBe(true);
    expect(statusOf(complete, 'delivery')).toBe('ok');
    expect(complete.environments[0].live?.healthStatus).toBe('Healthy');
    // Every part answered before the last line: CI, registry, quality.
    const beforeLast = snapshots[snapshots.length - 2];
    for (const kind of ['ci', 'artifacts', 'quality']) {
      expect(statusOf(beforeLast, kind)).toBe('ok');
    }
    expect(beforeLast.builds).toHaveLength(1);
    expect(beforeLast.environments[0].artifact?.scan?.scanner).toBe('Trivy');
    expect(schemaProblems(complete)).toEqual([]);
  });

  it('answers the whole state in one snapshot when nothing is pending after Git answers', async () => {
    const world = new FakeWorld();
    const snapshots: EntityState[] = [];
    const state = await service(world.providers()).streamEntityState(
      ref,
      mockCredentials.user(),
      s => snapshots.push(s),
    );
    expect(snapshots[snapshots.length - 1]).toBe(state);
    expect(snapshots.every(s => statusOf(s, 'gitops') === 'ok')).toBe(true);
    expect(state.sources.every(s => s.status === 'ok')).toBe(true);
  });

  it('gives the same complete state streamed and read at once', async () => {
    const world = new FakeWorld();
    const deployState = service(world.providers());
    const streamed = await deployState.streamEntityState(
      ref,
      mockCredentials.user(),
      () => {},
    );
    const read = await deployState.getEntityState(ref, mockCredentials.user());
    const timeless = (state: EntityState) => ({
      ...state,
      generatedAt: '',
      sources: state.sources.map(({ fetchedAt: _, ...rest }) => rest),
    });
    expect(timeless(streamed)).toEqual(timeless(read));
  });
});

describe('GET /state with Accept: application/x-ndjson', () => {
  function fakeModule(providers: ReturnType<FakeWorld['providers']>) {
    return createBackendModule({
      pluginId: 'slipway',
      moduleId: 'fake-providers',
      register(env) {
        env.registerInit({
          deps: { extension: slipwayProvidersExtensionPoint },
          async init({ extension }) {
            extension.addProvider(...providers);
          },
        });
      },
    });
  }

  async function startBackend(providers: ReturnType<FakeWorld['providers']>) {
    const { server } = await startTestBackend({
      features: [
        slipwayPlugin,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        fakeModule(providers),
        catalogServiceMock.factory({
          entities: [serviceEntity('payments-api')],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: { slipway: { state: { sourceTimeoutMs: 10_000 } } },
        }),
      ],
    });
    return server;
  }

  it('flushes the first line before Argo CD answers, and ends with the complete state', async () => {
    const world = new FakeWorld();
    const argo = gate();
    const server = await startBackend(slowArgoCd(world, argo.opened));
    if (!server.listening) {
      await new Promise<void>(resolve => server.listen(0, resolve));
    }
    const port = (server.address() as AddressInfo).port;
    const lines: EntityState[] = [];
    const headers = await new Promise<http.IncomingHttpHeaders>(
      (resolve, reject) => {
        const req = http.get(
          {
            host: '127.0.0.1',
            port,
            path: STATE,
            headers: {
              accept: 'application/x-ndjson',
              'accept-encoding': 'gzip',
              authorization: mockCredentials.user.header(),
            },
          },
          res => {
            let buffered = '';
            res.setEncoding('utf8');
            res.on('data', chunk => {
              buffered += chunk;
              const parts = buffered.split('\n');
              buffered = parts.pop() ?? '';
              for (const part of parts) {
                if (part) lines.push(JSON.parse(part));
              }
              // The first line came while Argo CD still holds its answer.
              if (lines.length > 0) argo.open();
            });
            res.on('end', () => resolve(res.headers));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
      },
    );
    expect(headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(headers['cache-control']).toContain('no-transform');
    expect(headers['content-encoding']).toBeUndefined();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(statusOf(lines[0], 'delivery')).toBe('pending');
    expect(statusOf(lines[0], 'gitops')).toBe('ok');
    const last = lines[lines.length - 1];
    expect(last.sources.every(s => s.status !== 'pending')).toBe(true);
    expect(last.environments[0].live).toBeDefined();
    for (const line of lines) expect(schemaProblems(line)).toEqual([]);
  });

  it('answers plain JSON, complete, to every other client', async () => {
    const world = new FakeWorld();
    const server = await startBackend(world.providers());
    const res = await request(server).get(STATE);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.sources.every((s: any) => s.status === 'ok')).toBe(true);
    expect(schemaProblems(res.body)).toEqual([]);
  });

  it('answers an entity the caller may not see with 404, not a stream', async () => {
    const world = new FakeWorld();
    const server = await startBackend(world.providers());
    const res = await request(server)
      .get(STATE.replace('payments-api', 'hidden'))
      .set('Accept', 'application/x-ndjson');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});

function fixture(name: string): string {
  return fs.readFileSync(
    path.join(__dirname, '..', 'providers', '__fixtures__', name),
    'utf8',
  );
}

/**
 * Argo CD over a fetch that records when each request starts and holds
 * the application list until the test releases it.
 */
function recordingArgoCd(list: Promise<void>, withRollouts = true) {
  const started: string[] = [];
  const fetchImpl = (async (url: string) => {
    const { pathname } = new URL(url);
    started.push(pathname.replace('/api/v1/applications', '') || '/');
    let body: string | undefined;
    if (pathname === '/api/v1/applications') {
      await list;
      const apps = JSON.parse(fixture('argocd-applications.json'));
      if (!withRollouts) {
        for (const item of apps.items) {
          item.status.resources = item.status.resources.filter(
            (r: { kind: string }) => r.kind !== 'Rollout',
          );
        }
      }
      body = JSON.stringify(apps);
    } else if (pathname.endsWith('/resource-tree')) {
      body = fixture('argocd-resource-tree.json');
    } else if (pathname.endsWith('/managed-resources')) {
      body = fixture('argocd-managed-resources.json');
    }
    return body
      ? new Response(body, { headers: { 'content-type': 'application/json' } })
      : new Response('{"message":"not found"}', { status: 404 });
  }) as unknown as typeof fetch;
  const provider = ArgoCdProvider.create({
    instance: 'main',
    url: 'https://argocd.example.com',
    token: 't',
    fetch: fetchImpl,
  });
  return { provider, started };
}

describe('rollouts in one round trip to Argo CD', () => {
  function ordersService(argo: ArgoCdProvider) {
    const world = new FakeWorld();
    const providers: SlipwayProvider[] = [
      ...world.providers().filter(p => p.kind !== 'delivery'),
      argo,
    ];
    return DeployStateService.create({
      catalog: catalogServiceMock({
        entities: [serviceEntity('orders-service')],
      }),
      environments: DEFAULT_ENVIRONMENTS,
      providers: groupProviders(providers),
      sources: SourceCache.create({
        cache: memoryCache(),
        timeoutMs: 10_000,
        ttlMs: 0,
      }),
    });
  }
  const orders = {
    kind: 'component',
    namespace: 'default',
    name: 'orders-service',
  };

  it('asks for every rollout while the application list is still under way', async () => {
    const list = gate();
    const { provider, started } = recordingArgoCd(list.opened);
    const deployState = ordersService(provider);
    // Cold (by the names the convention gives), then by what it last read.
    for (let read = 0; read < 2; read++) {
      started.length = 0;
      const done = deployState.getEntityState(orders, mockCredentials.user());
      // Every request starts before the list answers: one round trip.
      // (Waits for them, bounded: requests after the list would never start.)
      const deadline = Date.now() + 10_000;
      await new Promise<void>(resolve => {
        const check = () =>
          started.length >= 7 || Date.now() > deadline
            ? resolve()
            : setTimeout(check, 5);
        check();
      });
      expect([...started].sort()).toEqual(
        [
          '/',
          ...['dev', 'staging', 'prod'].flatMap(env => [
            `/orders-service-${env}/resource-tree`,
            `/orders-service-${env}/managed-resources`,
          ]),
        ].sort(),
      );
      list.open();
      const state = await done;
      expect(started).toHaveLength(7);
      const prod = state.environments.find(e => e.environment === 'prod')!;
      expect(prod.live?.rollout?.strategy).toBe('canary');
      expect(state.sources.every(s => s.status === 'ok')).toBe(true);
    }
  });

  it('stops asking for rollouts an entity does not have', async () => {
    const list = gate();
    list.open();
    const { provider, started } = recordingArgoCd(list.opened, false);
    const world = new FakeWorld();
    const deployState = DeployStateService.create({
      catalog: catalogServiceMock({
        entities: [serviceEntity('payments-api')],
      }),
      environments: DEFAULT_ENVIRONMENTS,
      providers: groupProviders([
        ...world.providers().filter(p => p.kind !== 'delivery'),
        provider,
      ]),
      sources: SourceCache.create({ cache: memoryCache(), ttlMs: 0 }),
    });
    // The applications manage Deployments only: no rollout to read.
    await deployState.getEntityState(ref, mockCredentials.user());
    started.length = 0;
    await deployState.getEntityState(ref, mockCredentials.user());
    expect(started).toEqual(['/']);
  });
});
