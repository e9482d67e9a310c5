/* eslint-disable no-console */
/**
 * Fleet benchmark. Run with `yarn workspace @slipway/plugin-slipway-backend
 * bench:fleet` (prints numbers; not a test).
 *
 * 2,000 set-up services × 3 environments plus 100 not set up, against fake
 * providers with 50 ms latency per upstream call (one Argo CD list, one
 * GitOps read), through the real FleetService and SourceCache. Cold: empty
 * cache. Warm: the same query again inside the cache's fresh window.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FleetQuery } from '@slipway/plugin-slipway-common';
import { DEFAULT_ENVIRONMENTS } from '@slipway/plugin-slipway-node';
import {
  FakeWorld,
  memoryCache,
  serviceEntity,
} from '../src/__testUtils__/fakeProviders';
import { groupProviders } from '../src/providers/createDefaultProviders';
import { FleetService } from '../src/state/FleetService';
import { SourceCache } from '../src/state/SourceCache';
import { StateProviders } from '../src/state/StateSources';

const SERVICES = 2_000;
const NOT_SET_UP = 100;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function fleet() {
  const world = new FakeWorld();
  world.latencyMs = 50;
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${i}`);
  world.apps = names;
  const entities = [
    ...names.map((name, i) => {
      const entity = serviceEntity(name);
      entity.spec = { ...entity.spec, owner: `group:default/team-${i % 40}` };
      return entity;
    }),
    ...Array.from({ length: NOT_SET_UP }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `new-${i}`, namespace: 'default', annotations: {} },
      spec: { type: 'service', owner: 'group:default/team-new' },
    })),
  ];
  const service = FleetService.create({
    catalog: catalogServiceMock({ entities }),
    environments: DEFAULT_ENVIRONMENTS,
    providers: groupProviders(world.providers()) as StateProviders,
    sources: SourceCache.create({ cache: memoryCache(), timeoutMs: 5_000 }),
  });
  return { world, service };
}

async function timed(service: FleetService, query: FleetQuery) {
  const started = performance.now();
  const page = await service.getFleet(mockCredentials.user(), query);
  return {
    ms: performance.now() - started,
    bytes: JSON.stringify(page).length,
    items: page.items.length,
    total: page.totalItems,
  };
}

async function main() {
  const queries: [string, FleetQuery][] = [
    ['first page (100)', { limit: 100 }],
    ['search "svc-1"', { q: 'svc-1', limit: 100 }],
    ['sort by prod.state', { sort: 'prod.state', limit: 100 }],
    ['sort by owner, desc', { sort: 'owner', order: 'desc', limit: 100 }],
    ['needs attention', { attention: true, limit: 100 }],
    ['page 10 (cursor)', { limit: 100 }],
  ];
  console.log(
    `Fleet: ${SERVICES} services × 3 environments + ${NOT_SET_UP} not set up, 50 ms per upstream call, median of ${RUNS}`,
  );
  console.log(
    '| query | cold ms | warm ms | items | total | bytes | upstream calls (cold) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, query] of queries) {
    const cold: number[] = [];
    const warm: number[] = [];
    let last: Awaited<ReturnType<typeof timed>> | undefined;
    let calls = 0;
    for (let run = 0; run < RUNS; run++) {
      const { world, service } = fleet();
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
        world.calls.gitops = 0;
        world.calls.delivery = 0;
      }
      const first = await timed(service, q);
      calls = Object.values(world.calls).reduce((a, b) => a + b, 0);
      cold.push(first.ms);
      last = await timed(service, q);
      warm.push(last.ms);
    }
    console.log(
      `| ${label} | ${median(cold).toFixed(0)} | ${median(warm).toFixed(0)} | ${
        last!.items
      } | ${last!.total} | ${last!.bytes} | ${calls} |`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
