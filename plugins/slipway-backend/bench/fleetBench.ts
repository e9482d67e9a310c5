/* eslint-disable no-console */
/**
 * Fleet benchmark. Run with `yarn workspace @slipway/plugin-slipway-backend
 * bench:fleet` (prints numbers; not a test). `FLEET_SIZES=2000,10000`,
 * `FLEET_RUNS=5` and `FLEET_QUERIES=<part of a label>` override the sizes,
 * the runs per query and the queries.
 *
 * N set-up services × 3 environments plus N/20 not set up, against fake
 * providers with 50 ms latency per upstream call (one Argo CD list, one
 * GitOps read), through the real FleetService and SourceCache. The catalog
 * answers `queryEntities` page by page from rows serialised beforehand (as
 * a database holds them); each page is parsed from JSON as the catalog
 * client parses a response. Cold: empty cache. Warm: the same query again
 * inside the cache's fresh window. Baseline: only paging through and
 * parsing the same catalog pages, in the same run. Heap: after a full GC
 * before the cold answer, the highest value seen at each catalog page and
 * at the end of the cold answer, and after a full GC once the warm answer
 * is out (what the cache keeps).
 *
 * `FLEET_REDIS_URL=redis://…` puts the shared cache on that Redis (Backstage's
 * cache service, a fresh namespace per run, so every run starts cold) instead
 * of memory; `FLEET_MARKERS=1` first stores every service's CI runs and
 * artifacts in the cache (as the Deploy tab's reads leave them), so the
 * CI and scan markers the fleet peeks are all there to be read.
 */
import { CacheService } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  ServiceFactoryTester,
} from '@backstage/backend-test-utils';
import { QueryEntitiesRequest } from '@backstage/catalog-client';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FleetQuery,
  readEntityDeployConfig,
} from '@slipway/plugin-slipway-common';
import { DEFAULT_ENVIRONMENTS } from '@slipway/plugin-slipway-node';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  FakeWorld,
  memoryCache,
  serviceEntity,
} from '../src/__testUtils__/fakeProviders';
import { groupProviders } from '../src/providers/createDefaultProviders';
import { FleetService } from '../src/state/FleetService';
import { CATALOG_PAGE_SIZE } from '../src/state/readCatalogPages';
import { SourceCache } from '../src/state/SourceCache';
import { StateProviders, StateSources } from '../src/state/StateSources';

const SIZES = (process.env.FLEET_SIZES ?? '2000,10000').split(',').map(Number);
const RUNS = Number(process.env.FLEET_RUNS ?? 5);
/** Only the queries whose label contains this text. */
const ONLY = process.env.FLEET_QUERIES ?? '';
const REDIS_URL = process.env.FLEET_REDIS_URL;
const MARKERS = Boolean(process.env.FLEET_MARKERS);
let namespaces = 0;

/** The shared cache of one run: memory, or a fresh namespace on Redis. */
async function sharedCache(): Promise<CacheService> {
  if (!REDIS_URL) return memoryCache();
  const tester = ServiceFactoryTester.from(mockServices.cache.factory(), {
    dependencies: [
      mockServices.rootConfig.factory({
        data: { backend: { cache: { store: 'redis', connection: REDIS_URL } } },
      }),
    ],
  });
  namespaces++;
  return tester.getSubject(`fleet-bench-${process.pid}-${namespaces}`);
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/** Keeps only the requested fields, as the catalog does before answering. */
function pick(entity: Entity, fields: string[]): unknown {
  const out: Record<string, any> = {};
  for (const field of fields) {
    const path = field.split('.');
    let from: any = entity;
    let to = out;
    for (const [i, key] of path.entries()) {
      if (from?.[key] === undefined) break;
      if (i === path.length - 1) to[key] = from[key];
      else {
        to[key] ??= {};
        to = to[key];
        from = from[key];
      }
    }
  }
  return out;
}

/**
 * A catalog answering `queryEntities` by cursor from pre-serialised rows
 * (every generated entity matches the fleet's filter). Counts pages and
 * samples the heap at each.
 */
function pagedCatalog(entities: Entity[], fields: string[]) {
  const rows = entities.map(e => JSON.stringify(pick(e, fields)));
  const stats = { pages: 0, peakHeap: 0 };
  const catalog = {
    async queryEntities(request: QueryEntitiesRequest = {}) {
      stats.pages++;
      stats.peakHeap = Math.max(stats.peakHeap, process.memoryUsage().heapUsed);
      const offset =
        'cursor' in request ? Number(request.cursor) : request.offset ?? 0;
      const limit = request.limit ?? rows.length;
      const end = Math.min(offset + limit, rows.length);
      const items = JSON.parse(`[${rows.slice(offset, end).join(',')}]`);
      return {
        items,
        totalItems: 0,
        pageInfo: end < rows.length ? { nextCursor: String(end) } : {},
      };
    },
  };
  return { catalog: catalog as unknown as CatalogService, stats };
}

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
  'spec.type',
];

function entitiesOf(services: number): Entity[] {
  return [
    ...Array.from({ length: services }, (_, i) => {
      const entity = serviceEntity(`svc-${i}`);
      entity.spec = { ...entity.spec, owner: `group:default/team-${i % 40}` };
      return entity;
    }),
    ...Array.from({ length: services / 20 }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `new-${i}`, namespace: 'default', annotations: {} },
      spec: { type: 'service', owner: 'group:default/team-new' },
    })),
  ];
}

async function fleet(services: number, entities: Entity[]) {
  const world = new FakeWorld();
  world.latencyMs = 50;
  world.apps = Array.from({ length: services }, (_, i) => `svc-${i}`);
  const { catalog, stats } = pagedCatalog(entities, FIELDS);
  const providers = groupProviders(world.providers()) as StateProviders;
  // A fresh window longer than any run: "page 10" walks nine pages first
  // and must find their reads still fresh on a loaded machine.
  const cache = await sharedCache();
  const sources = SourceCache.create({
    cache,
    timeoutMs: 5_000,
    ttlMs: 600_000,
  });
  if (MARKERS) {
    // What the Deploy tabs' reads leave in the shared cache, for every
    // service, read by another replica (this one holds no copy in memory).
    const state = StateSources.create({
      providers,
      cache: SourceCache.create({ cache, timeoutMs: 5_000, ttlMs: 600_000 }),
    });
    const latency = world.latencyMs;
    world.latencyMs = 0;
    for (const entity of entities) {
      const config = readEntityDeployConfig(entity, {
        environments: DEFAULT_ENVIRONMENTS,
      });
      await Promise.all([state.readRuns(config), state.readArtifacts(config)]);
    }
    await new Promise(resolve => setTimeout(resolve, 500));
    world.latencyMs = latency;
    for (const key of Object.keys(world.calls)) {
      world.calls[key as keyof FakeWorld['calls']] = 0;
    }
  }
  const service = FleetService.create({
    catalog,
    environments: DEFAULT_ENVIRONMENTS,
    providers,
    sources,
  });
  return { world, service, catalog, stats };
}

/** Only paging through and parsing the catalog pages the fleet reads. */
async function baseline(catalog: CatalogService): Promise<number> {
  const started = performance.now();
  let cursor: string | undefined;
  let annotations = 0;
  do {
    const page = await catalog.queryEntities(
      cursor
        ? { cursor, limit: CATALOG_PAGE_SIZE, fields: FIELDS }
        : { limit: CATALOG_PAGE_SIZE, fields: FIELDS },
    );
    for (const entity of page.items) {
      annotations += Object.keys(entity.metadata.annotations ?? {}).length;
    }
    cursor = page.pageInfo.nextCursor;
  } while (cursor);
  if (annotations === 0) throw new Error('no annotations read');
  return performance.now() - started;
}

async function timed(service: FleetService, query: FleetQuery) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const page = await service.getFleet(mockCredentials.user(), query);
  const used = process.cpuUsage(cpu);
  return {
    ms: performance.now() - started,
    /** CPU time of the process meanwhile (less sensitive to the machine's load). */
    cpuMs: (used.user + used.system) / 1000,
    bytes: JSON.stringify(page).length,
    items: page.items.length,
    total: page.totalItems,
  };
}

const QUERIES: [string, FleetQuery][] = [
  ['first page (100)', { limit: 100 }],
  ['search "svc-1"', { q: 'svc-1', limit: 100 }],
  ['sort by prod.state', { sort: 'prod.state', limit: 100 }],
  ['sort by owner, desc', { sort: 'owner', order: 'desc', limit: 100 }],
  ['needs attention', { attention: true, limit: 100 }],
  ['page 10 (cursor)', { limit: 100 }],
];

function callsOf(world: FakeWorld, pages: number): string {
  const c = world.calls;
  return `catalog ${pages} pages, argocd ${c.delivery}, gitops ${c.gitops}, ci ${c.ci}, registry ${c.artifacts}, rollout ${c.rollout}`;
}

async function main() {
  const load = () =>
    os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ');
  console.log(
    `Fleet: N services × 3 environments + N/20 not set up, 50 ms per upstream call, catalog pages of ${CATALOG_PAGE_SIZE}, median of ${RUNS}, cache ${
      REDIS_URL ? 'Redis' : 'memory'
    }${MARKERS ? ', CI and scan markers of every service cached' : ''}; ${
      os.cpus().length
    } CPUs, load average ${load()} at start`,
  );
  console.log(
    '| services | query | cold ms | cold CPU ms | warm ms | baseline ms | cold / baseline | items | total | bytes | upstream calls (cold) | heap MB before / peak / after |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const upstreamBySize = new Map<string, string>();
  for (const services of SIZES) {
    const entities = entitiesOf(services);
    for (const [label, query] of QUERIES.filter(([l]) => l.includes(ONLY))) {
      const cold: number[] = [];
      const coldCpu: number[] = [];
      const warm: number[] = [];
      const base: number[] = [];
      const heap = {
        before: [] as number[],
        peak: [] as number[],
        after: [] as number[],
      };
      let last: Awaited<ReturnType<typeof timed>> | undefined;
      let calls = '';
      let upstream = '';
      let keep: FleetService | undefined;
      for (let run = 0; run < RUNS; run++) {
        const { world, service, catalog, stats } = await fleet(
          services,
          entities,
        );
        base.push(await baseline(catalog));
        let q = query;
        if (label.startsWith('page 10')) {
          // Walk to the 10th page; time that page's answer.
          let cursor: string | undefined;
          for (let i = 0; i < 9; i++) {
            cursor = (await service.getFleet(mockCredentials.user(), {
              ...query,
              cursor,
            }))!.nextCursor;
          }
          q = { ...query, cursor };
          for (const key of Object.keys(world.calls)) {
            world.calls[key as keyof FakeWorld['calls']] = 0;
          }
        }
        gc();
        stats.pages = 0;
        stats.peakHeap = 0;
        const before = process.memoryUsage().heapUsed;
        const first = await timed(service, q);
        stats.peakHeap = Math.max(
          stats.peakHeap,
          process.memoryUsage().heapUsed,
        );
        calls = callsOf(world, stats.pages);
        upstream = JSON.stringify({ ...world.calls });
        cold.push(first.ms);
        coldCpu.push(first.cpuMs);
        last = await timed(service, q);
        warm.push(last.ms);
        gc();
        // The service (and its cache) is still in use here.
        keep = service;
        heap.before.push(before);
        heap.peak.push(stats.peakHeap);
        heap.after.push(process.memoryUsage().heapUsed);
      }
      if (!keep) throw new Error('no run');
      // Upstream calls must not grow with the number of services.
      const seen = upstreamBySize.get(label);
      if (seen !== undefined && seen !== upstream) {
        throw new Error(
          `${label}: upstream calls grew with the fleet: ${seen} → ${upstream}`,
        );
      }
      upstreamBySize.set(label, upstream);
      console.log(
        `| ${services} | ${label} | ${median(cold).toFixed(0)} | ${median(
          coldCpu,
        ).toFixed(0)} | ${median(warm).toFixed(0)} | ${median(base).toFixed(
          0,
        )} | ${(median(cold) / median(base)).toFixed(1)} | ${last!.items} | ${
          last!.total
        } | ${last!.bytes} | ${calls} | ${mb(median(heap.before))} / ${mb(
          median(heap.peak),
        )} / ${mb(median(heap.after))} |`,
      );
    }
  }
  console.log(
    `Upstream calls per query identical at every size: yes. Load average ${load()} at end.`,
  );
}

main().then(
  // Redis clients would keep the process alive.
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
