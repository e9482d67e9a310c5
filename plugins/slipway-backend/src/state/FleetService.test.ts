import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  environmentVerdict,
  FleetPage,
  FleetQuery,
  needsAttention,
  overlayPath,
  readEntityDeployConfig,
  RolloutState,
  SCAFFOLDED_IMAGE_TAG,
} from '@slipway/plugin-slipway-common';
import {
  CiProvider,
  DEFAULT_ENVIRONMENTS,
  DeliveryApplication,
  DeliveryProvider,
  GitOpsReaderProvider,
} from '@slipway/plugin-slipway-node';
import {
  FakeWorld,
  memoryCache,
  serviceEntity,
} from '../__testUtils__/fakeProviders';
import { groupProviders } from '../providers/createDefaultProviders';
import { DeployStateService } from './DeployStateService';
import { FleetService } from './FleetService';
import { SourceCache } from './SourceCache';
import { StateProviders } from './StateSources';

// 2,000 generated entities on a loaded 2-core machine.
jest.setTimeout(120_000);

/** Per service and environment: what Argo CD reports differently. */
type Twist = (app: DeliveryApplication) => void;

class VariedWorld extends FakeWorld {
  twists = new Map<string, Twist>();
  failingCi = new Set<string>();
  /** Rollout progress by Application name. */
  rollouts = new Map<string, RolloutState>();
  /** Services whose overlays still hold the scaffolder's placeholder tag. */
  scaffolded = new Set<string>();

  app(name: string, environment: string): DeliveryApplication {
    const app = super.app(name, environment);
    if (this.scaffolded.has(name)) neverSynced(app);
    this.twists.get(`${name}/${environment}`)?.(app);
    return app;
  }

  providers() {
    const providers = super.providers();
    return providers.map(provider => {
      if (provider.kind === 'delivery') {
        const delivery = provider as DeliveryProvider;
        return {
          ...delivery,
          getRollout: async (application, ctx) => {
            await delivery.getRollout(application, ctx); // counts the call
            return this.rollouts.get(application);
          },
        } as DeliveryProvider;
      }
      if (provider.kind === 'gitops') {
        const gitops = provider as GitOpsReaderProvider;
        return {
          ...gitops,
          // A batch reader: one read for the last change of every overlay.
          lastChanges: async (request, ctx) => {
            const [change] = await gitops.history(
              { repoUrl: request.repoUrl, path: request.paths[0], limit: 1 },
              ctx,
            );
            return Object.fromEntries(request.paths.map(p => [p, change]));
          },
          readOverlays: async (request, ctx) => {
            const snapshot = await gitops.readOverlays(request, ctx);
            for (const overlay of Object.values(snapshot.overlays)) {
              const app = overlay?.path.split('/')[1];
              if (overlay?.image && this.scaffolded.has(app ?? '')) {
                overlay.image = {
                  repository: overlay.image.repository,
                  tag: SCAFFOLDED_IMAGE_TAG,
                };
                overlay.treeId = 'scaffolded-tree';
              }
            }
            return snapshot;
          },
        } as GitOpsReaderProvider;
      }
      if (provider.kind !== 'ci') return provider;
      const ci = provider as CiProvider;
      return {
        ...ci,
        listRuns: async (request, ctx) => {
          const runs = await ci.listRuns(request, ctx);
          return this.failingCi.has(request.projectSlug)
            ? [{ ...runs[0], name: 'CI', conclusion: 'failure' as const }]
            : runs;
        },
      } as CiProvider;
    });
  }
}

/** Argo CD's Application of a service never deployed: nothing synced, nothing runs. */
function neverSynced(app: DeliveryApplication) {
  app.live.syncStatus = 'OutOfSync';
  app.live.healthStatus = 'Missing';
  app.live.images = [];
  delete app.live.operation;
  delete app.live.lastSyncedAt;
  app.history = [];
}

const CANARY_AT_25: RolloutState = {
  strategy: 'canary',
  phase: 'Paused',
  currentStep: 2,
  totalSteps: 4,
  weight: 25,
  paused: true,
  pauseReason: 'CanaryPauseStep',
};

function entity(
  name: string,
  spec: Record<string, string> = {},
  metadata: Partial<Entity['metadata']> = {},
): Entity {
  const base = serviceEntity(name);
  return {
    ...base,
    metadata: { ...base.metadata, ...metadata },
    spec: { ...base.spec, ...spec },
  };
}

/** A deployable component without delivery annotations. */
function notSetUp(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations: {} },
    spec: { type: 'service', owner: 'group:default/team-new' },
  };
}

function fleet(
  world: FakeWorld,
  entities: Entity[],
  warmUp = false,
  sources = SourceCache.create({ cache: memoryCache(), timeoutMs: 1_000 }),
  catalog: CatalogService = catalogServiceMock({ entities }),
  catalogPageSize?: number,
) {
  return FleetService.create({
    catalog,
    environments: DEFAULT_ENVIRONMENTS,
    providers: groupProviders(world.providers()) as StateProviders,
    sources,
    warmUp,
    catalogPageSize,
  });
}

const names = (page: FleetPage) =>
  page.items.map(item => item.entityRef.split('/')[1]);

function variedFleet() {
  const world = new VariedWorld();
  world.apps = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
  world.twists.set('bravo/prod', app => {
    app.live.syncStatus = 'OutOfSync';
    app.live.images = ['registry.example.com/acme/payments-api:old'];
  });
  world.twists.set('charlie/staging', app => {
    app.live.healthStatus = 'Degraded';
  });
  world.twists.set('delta/prod', app => {
    app.hasRollout = true;
    app.live.healthStatus = 'Suspended';
  });
  world.rollouts.set('delta-prod', CANARY_AT_25);
  world.twists.set('echo/dev', app => {
    app.live.healthStatus = 'Progressing';
  });
  world.failingCi.add('acme/echo');
  const entities = [
    entity('alpha', { owner: 'group:default/team-a', system: 'shop' }),
    entity('bravo', { owner: 'group:default/team-b', system: 'shop' }),
    entity('charlie', { owner: 'group:default/team-a', system: 'billing' }),
    entity('delta', {}, { title: 'Delta Gateway' }),
    entity('echo', { owner: 'group:default/team-b' }),
    notSetUp('aardvark'),
  ];
  return { world, service: fleet(world, entities, true) };
}

async function getFleet(service: FleetService, query: FleetQuery = {}) {
  return service.getFleet(mockCredentials.user(), query);
}

describe('FleetService: triage', () => {
  it('searches by name or title, case-insensitively', async () => {
    const { service } = variedFleet();
    expect(names(await getFleet(service, { q: 'CHAR' }))).toEqual(['charlie']);
    expect(names(await getFleet(service, { q: 'gateway' }))).toEqual(['delta']);
    expect(names(await getFleet(service, { q: 'zzz' }))).toEqual([]);
  });

  it('marks drift, rollout state and age from the Applications list alone', async () => {
    const { world, service } = variedFleet();
    const page = await getFleet(service);
    const row = (name: string) =>
      page.items.find(item => item.entityRef.endsWith(`/${name}`))!;
    expect(row('bravo').cells.prod).toMatchObject({
      drifted: true,
      driftReasons: expect.arrayContaining(['Argo CD reports OutOfSync']),
    });
    expect(row('alpha').cells.prod.drifted).toBe(false);
    expect(row('delta').cells.prod.rollout).toBe('paused');
    expect(row('echo').cells.dev.rollout).toBe('progressing');
    expect(row('alpha').cells.dev.since).toBe('2026-01-01T00:00:00Z');
    // Progress is read only for the one rollout under way, not per service.
    expect(world.calls.rollout).toBe(1);
  });

  it('lists services not yet set up after the others, whatever the sort', async () => {
    const { service } = variedFleet();
    for (const order of ['asc', 'desc'] as const) {
      const page = await getFleet(service, { sort: 'name', order });
      expect(names(page).at(-1)).toBe('aardvark');
      expect(page.items.at(-1)).toMatchObject({ notSetUp: true, cells: {} });
    }
    expect(
      names(await getFleet(service, { sort: 'name', order: 'desc' })),
    ).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha', 'aardvark']);
  });

  it('filters to services needing attention by the common rule', async () => {
    const { world, service } = variedFleet();
    // CI and scans come from the cache only: the first answer warms it.
    const first = await getFleet(service, { attention: true });
    expect(names(first)).toEqual(['bravo', 'charlie', 'delta']);
    await waitFor(() => world.calls.ci >= 5 && world.calls.artifacts >= 5);
    const page = await getFleet(service, { attention: true });
    expect(names(page)).toEqual(['bravo', 'charlie', 'delta', 'echo']);
    expect(page.items[3].build).toMatchObject({ status: 'failed' });
    expect(page.totalItems).toBe(4);
  });

  it('narrows attention to the chosen environment', async () => {
    const { service } = variedFleet();
    const page = await getFleet(service, {
      attention: true,
      environment: 'prod',
    });
    expect(names(page)).toEqual(['bravo', 'delta']);
    expect(page.environments.map(e => e.name)).toEqual(['prod']);
  });

  it('sorts by owner, then by entity ref, stable across pages', async () => {
    const { service } = variedFleet();
    const page = await getFleet(service, { sort: 'owner' });
    expect(names(page)).toEqual([
      'alpha',
      'charlie',
      'bravo',
      'echo',
      'delta',
      'aardvark',
    ]);
  });

  it('sorts by an environment state, worst first', async () => {
    const { service } = variedFleet();
    const page = await getFleet(service, { sort: 'staging.state' });
    expect(names(page)[0]).toBe('charlie');
    const prod = await getFleet(service, { sort: 'prod.state' });
    expect(names(prod).slice(0, 2)).toEqual(['bravo', 'delta']);
  });

  it('explains unknown filter values instead of answering blank', async () => {
    const { service } = variedFleet();
    const nobody = await getFleet(service, { owner: 'nobody' });
    expect(nobody.items).toEqual([]);
    expect(nobody.unknownFilters).toEqual([{ name: 'owner', value: 'nobody' }]);
    expect(nobody.facets?.owners).toContain('group:default/team-a');
    const moon = await getFleet(service, { environment: 'moon' });
    expect(moon.unknownFilters).toEqual([
      { name: 'environment', value: 'moon' },
    ]);
    expect(moon.environments.map(e => e.name)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(moon.items).toHaveLength(6);
    const known = await getFleet(service, { owner: 'team-a' });
    expect(known.unknownFilters).toBeUndefined();
    expect(names(known)).toEqual(['alpha', 'charlie']);
  });

  it.each([
    ['an environment unknown to the sort', 'moon.state'],
    ['a column that does not exist', 'colour'],
  ])('refuses %s', async (_what, sort) => {
    const { service } = variedFleet();
    await expect(getFleet(service, { sort })).rejects.toThrow(InputError);
  });
});

describe('FleetService: 2,000 services', () => {
  const count = 2_000;
  const all = Array.from(
    { length: count },
    (_, i) => `svc-${String(i).padStart(4, '0')}`,
  );

  function bigFleet() {
    const world = new FakeWorld();
    world.apps = all;
    const entities = all.map((name, i) =>
      entity(name, { owner: `group:default/team-${i % 20}` }),
    );
    return { world, service: fleet(world, entities) };
  }

  it('answers one bounded page, with upstream calls that do not grow', async () => {
    const { world, service } = bigFleet();
    const page = await getFleet(service, { limit: 100 });
    expect(page.totalItems).toBe(count);
    expect(page.items).toHaveLength(100);
    expect(page.nextCursor).toBeDefined();
    // Bounded per page: about 1 KB per service with three environments.
    expect(JSON.stringify(page).length).toBeLessThan(150_000);
    expect(world.calls).toMatchObject({
      gitops: 1,
      delivery: 1,
      ci: 0,
      artifacts: 0,
      rollout: 0,
    });
  });

  it('pages through a sorted, filtered fleet without gaps or repeats', async () => {
    const { service } = bigFleet();
    const seen: string[] = [];
    let cursor: string | undefined;
    const query: FleetQuery = {
      sort: 'owner',
      order: 'desc',
      q: 'svc-1',
      limit: 250,
    };
    do {
      const page = await getFleet(service, { ...query, cursor });
      expect(page.items.length).toBeLessThanOrEqual(250);
      seen.push(...names(page));
      cursor = page.nextCursor;
    } while (cursor);
    const expected = all.filter(n => n.startsWith('svc-1'));
    expect(seen).toHaveLength(expected.length);
    expect(new Set(seen)).toEqual(new Set(expected));
    const full = await getFleet(service, { ...query, limit: 500 });
    const rest = await getFleet(service, {
      ...query,
      limit: 500,
      cursor: full.nextCursor,
    });
    expect([...names(full), ...names(rest)]).toEqual(seen);
  });
});

describe('FleetService: the catalog read page by page', () => {
  const services = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

  /** The in-memory catalog, with each `queryEntities` call recorded and hookable. */
  function pagedCatalog(
    entities: Entity[],
    beforePage?: (page: number) => Promise<void> | void,
  ) {
    const inner = catalogServiceMock({ entities });
    const requests: any[] = [];
    const catalog = {
      getEntities: jest.fn(() => {
        throw new Error('the fleet must not read the catalog in one answer');
      }),
      queryEntities: async (request: any, options: any) => {
        requests.push(request);
        await beforePage?.(requests.length);
        return inner.queryEntities(request, options);
      },
    } as unknown as CatalogService;
    return { catalog, requests };
  }

  it('reads every page with a cursor, asking only for the fields the fleet needs', async () => {
    const world = new FakeWorld();
    world.apps = services;
    const entities = [...services.map(n => entity(n)), notSetUp('aardvark')];
    const { catalog, requests } = pagedCatalog(entities);
    const service = fleet(world, entities, false, undefined, catalog, 2);
    const page = await getFleet(service);
    expect(names(page)).toEqual([...services, 'aardvark']);
    expect(page.totalItems).toBe(6);
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({
      filter: expect.any(Array),
      limit: 2,
      totalItems: 'exclude',
    });
    for (const request of requests.slice(1)) {
      expect(request).toEqual({
        cursor: expect.any(String),
        limit: 2,
        fields: requests[0].fields,
      });
    }
    expect([...requests[0].fields].sort()).toEqual([
      'kind',
      'metadata.annotations',
      'metadata.name',
      'metadata.namespace',
      'metadata.title',
      'spec.owner',
      'spec.system',
      'spec.type',
    ]);
    // Upstream reads stay one per source, however many pages.
    expect(world.calls).toMatchObject({ gitops: 1, delivery: 1 });
  });

  it('starts the Argo CD list while later catalog pages are still being read', async () => {
    const world = new FakeWorld();
    world.apps = services;
    const entities = services.map(n => entity(n));
    const { catalog } = pagedCatalog(entities, async page => {
      // The last page waits until Argo CD has been asked.
      if (page === 3) await waitFor(() => world.calls.delivery === 1);
    });
    const service = fleet(world, entities, false, undefined, catalog, 2);
    const page = await getFleet(service);
    expect(page.items).toHaveLength(5);
    expect(world.calls.delivery).toBe(1);
  });

  it('fails the answer with ServiceUnavailableError naming the page when a page fails, never a partial fleet', async () => {
    const world = new FakeWorld();
    world.apps = services;
    const entities = services.map(n => entity(n));
    const { catalog } = pagedCatalog(entities, page => {
      if (page === 2) throw new Error('catalog restarting');
    });
    const service = fleet(world, entities, false, undefined, catalog, 2);
    const failure = getFleet(service);
    await expect(failure).rejects.toThrow(ServiceUnavailableError);
    await expect(failure).rejects.toThrow(
      /page 2 of the fleet's entities \(2 read before it\): catalog restarting/,
    );
    // Nothing is read from GitOps for a fleet the catalog did not finish.
    expect(world.calls.gitops).toBe(0);
  });

  it('fails rather than loop when the catalog answers with the cursor it was asked for', async () => {
    const world = new FakeWorld();
    const stuck = {
      queryEntities: async (request: any) => ({
        items: [entity('alpha')],
        totalItems: 0,
        pageInfo: { nextCursor: request.cursor ?? 'again' },
      }),
    } as unknown as CatalogService;
    const service = fleet(world, [], false, undefined, stuck, 1);
    await expect(getFleet(service)).rejects.toThrow(ServiceUnavailableError);
  });

  it('gives a row the same cells whichever filter or sort computed them', async () => {
    const { service } = variedFleet();
    const cellsBy = async (query: FleetQuery) =>
      Object.fromEntries(
        (await getFleet(service, query)).items.map(i => [i.entityRef, i.cells]),
      );
    const byName = await cellsBy({});
    for (const query of [
      { sort: 'prod.state' },
      { sort: 'staging.version', order: 'desc' as const },
      { sort: 'attention' },
    ]) {
      const other = await cellsBy(query);
      for (const [ref, cells] of Object.entries(other)) {
        expect({ ref, cells }).toEqual({ ref, cells: byName[ref] });
        // Environment order, not the order the cells were computed in.
        expect([[], ['dev', 'staging', 'prod']]).toContainEqual(
          Object.keys(cells),
        );
      }
    }
  });

  it('reads each overlay at the folder `overlayPath` names, percent signs included', async () => {
    const world = new FakeWorld();
    world.apps = ['alpha', 'bravo', 'charlie'];
    const entities = [
      entity('alpha'),
      serviceEntity('bravo', { 'slipway.dev/gitops-path': './apps//bravo/' }),
      serviceEntity('charlie', { 'slipway.dev/gitops-path': 'apps/c%2525x' }),
    ];
    const asked: string[][] = [];
    const providers = world.providers().map(provider =>
      provider.kind === 'gitops'
        ? ({
            ...provider,
            readOverlays: (request, ctx) => {
              if (!request.revisions) {
                asked.push(request.paths.map(p => p.path));
              }
              return (provider as GitOpsReaderProvider).readOverlays(
                request,
                ctx,
              );
            },
          } as GitOpsReaderProvider)
        : provider,
    );
    const service = FleetService.create({
      catalog: catalogServiceMock({ entities }),
      environments: DEFAULT_ENVIRONMENTS,
      providers: groupProviders(providers) as StateProviders,
      sources: SourceCache.create({ cache: memoryCache(), timeoutMs: 1_000 }),
    });
    const page = await getFleet(service);
    expect(page.items).toHaveLength(3);
    const expected = entities.flatMap(e => {
      const config = readEntityDeployConfig(e, {
        environments: DEFAULT_ENVIRONMENTS,
      });
      return DEFAULT_ENVIRONMENTS.map(env =>
        overlayPath(config.gitops!.path, env.name),
      );
    });
    expect(expected).toContain('apps/c%x/overlays/prod');
    expect(expected).toContain('apps/bravo/overlays/dev');
    expect(asked).toHaveLength(1);
    expect([...asked[0]].sort()).toEqual([...expected].sort());
    for (const item of page.items) {
      expect(item.cells.prod?.tag).toBeDefined();
    }
  });
});

async function waitFor(condition: () => boolean) {
  const until = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

describe('FleetService: one verdict per environment, as the Deploy tab says it', () => {
  function verdictFleet() {
    const world = new VariedWorld();
    world.apps = ['alpha', 'bravo', 'delta', 'echo', 'foxtrot'];
    world.scaffolded.add('foxtrot');
    // Git changed staging (a promotion) after Argo CD's last sync.
    world.twists.set('echo/staging', app => {
      app.live.syncStatus = 'OutOfSync';
      app.live.images = ['registry.example.com/acme/payments-api:old'];
      app.live.lastSyncedAt = '2025-12-01T00:00:00Z';
    });
    world.twists.set('bravo/prod', app => {
      app.live.syncStatus = 'OutOfSync';
      app.live.images = ['registry.example.com/acme/payments-api:old'];
    });
    world.twists.set('delta/prod', app => {
      app.hasRollout = true;
      app.live.healthStatus = 'Suspended';
    });
    world.rollouts.set('delta-prod', CANARY_AT_25);
    const entities = ['alpha', 'bravo', 'delta', 'echo', 'foxtrot'].map(name =>
      entity(name),
    );
    const sources = SourceCache.create({
      cache: memoryCache(),
      timeoutMs: 1_000,
      ttlMs: 0,
    });
    return {
      world,
      entities,
      service: fleet(world, entities, false, sources),
      tab: DeployStateService.create({
        catalog: catalogServiceMock({ entities }),
        environments: DEFAULT_ENVIRONMENTS,
        providers: groupProviders(world.providers()) as StateProviders,
        sources,
      }),
    };
  }

  const cellsOf = (page: FleetPage, name: string) =>
    page.items.find(item => item.entityRef.endsWith(`/${name}`))!.cells;

  it('calls a never-deployed service calm "Awaiting first deploy": not drifted, not in attention', async () => {
    const { service } = verdictFleet();
    const page = await getFleet(service);
    const cells = cellsOf(page, 'foxtrot');
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(cells[environment]).toMatchObject({
        tag: SCAFFOLDED_IMAGE_TAG,
        healthStatus: 'Missing',
        deployed: false,
        drifted: false,
        verdict: {
          kind: 'awaiting-first-deploy',
          label: 'Awaiting first deploy',
          tone: 'unknown',
        },
      });
    }
    const foxtrot = page.items.find(i => i.entityRef.endsWith('/foxtrot'))!;
    expect(needsAttention(foxtrot)).toEqual([]);
    expect(names(await getFleet(service, { attention: true }))).toEqual([
      'bravo',
      'delta',
    ]);
  });

  it('tells a sync awaited after a Git change from drift, by the last commit of each overlay', async () => {
    const { service } = verdictFleet();
    const { staging } = cellsOf(await getFleet(service), 'echo');
    expect(staging).toMatchObject({
      drifted: false,
      verdict: { kind: 'awaiting-sync', label: 'Awaiting sync' },
    });
  });

  it('calls a canary mid-rollout "rolling out" with its progress, not Suspended', async () => {
    const { service } = verdictFleet();
    const { prod } = cellsOf(await getFleet(service), 'delta');
    expect(prod.verdict).toMatchObject({
      kind: 'rolling-out',
      tone: 'progress',
      progress: { percent: 25 },
    });
    expect(prod.verdict.label).toMatch(/25%/);
    expect(prod.rollout).toBe('paused');
  });

  it('gives every cell exactly the verdict the Deploy tab gives the same environment', async () => {
    const { service, tab, entities } = verdictFleet();
    const page = await getFleet(service);
    for (const item of entities) {
      const name = item.metadata.name;
      const state = await tab.getEntityState(
        { kind: 'component', namespace: 'default', name },
        mockCredentials.user(),
      );
      for (const env of state.environments) {
        expect({
          name,
          env: env.environment,
          ...cellsOf(page, name)[env.environment].verdict,
        }).toEqual({
          name,
          env: env.environment,
          ...environmentVerdict(env, state.sources),
        });
      }
    }
  });

  it('sorts an environment by its verdict, worst first', async () => {
    const { service } = verdictFleet();
    const prod = await getFleet(service, { sort: 'prod.state' });
    expect(names(prod)).toEqual(['bravo', 'delta', 'foxtrot', 'alpha', 'echo']);
    expect(prod.items.map(i => i.cells.prod.verdict.kind)).toEqual([
      'drifted',
      'rolling-out',
      'awaiting-first-deploy',
      'deployed',
      'deployed',
    ]);
    const desc = await getFleet(service, { sort: 'prod.state', order: 'desc' });
    // Ties keep the entity ref order, whichever the direction.
    expect(names(desc)).toEqual(['alpha', 'echo', 'foxtrot', 'delta', 'bravo']);
  });

  it('on a stale Argo CD answer says "last known" and unknown, never deployed', async () => {
    const { world, service } = verdictFleet();
    const first = await getFleet(service);
    expect(cellsOf(first, 'alpha').prod.verdict.kind).toBe('deployed');
    world.behaviour.delivery = 'fail';
    const page = await getFleet(service);
    expect(page.sources.find(s => s.kind === 'delivery')?.status).toBe('stale');
    const { prod } = cellsOf(page, 'alpha');
    expect(prod.deployed).toBe(false);
    expect(prod.verdict).toMatchObject({
      kind: 'unknown',
      label: 'Last known: deployed',
      tone: 'unknown',
      lastKnown: { kind: 'deployed' },
    });
    expect(prod.verdict.lastKnownAt).toBeDefined();
    // A never-deployed service stays "never deployed" in what it last knew.
    expect(cellsOf(page, 'foxtrot').dev.verdict).toMatchObject({
      kind: 'unknown',
      lastKnown: { kind: 'awaiting-first-deploy' },
    });
  });
});
