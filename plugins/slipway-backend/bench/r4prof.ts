/* eslint-disable */
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_ENVIRONMENTS } from '@slipway/plugin-slipway-node';
import { FakeWorld, memoryCache, serviceEntity } from '../src/__testUtils__/fakeProviders';
import { groupProviders } from '../src/providers/createDefaultProviders';
import { FleetService } from '../src/state/FleetService';
import { SourceCache } from '../src/state/SourceCache';
import { StateProviders } from '../src/state/StateSources';
const N = Number(process.env.N ?? 10000);
async function main() {
  for (let run = 0; run < Number(process.env.RUNS ?? 3); run++) {
    const world = new FakeWorld();
    world.latencyMs = 50;
    const names = Array.from({ length: N }, (_, i) => `svc-${i}`);
    world.apps = names;
    const entities = names.map((name, i) => { const e = serviceEntity(name); e.spec = { ...e.spec, owner: `group:default/team-${i % 40}` }; return e; });
    const catalog = catalogServiceMock({ entities });
    const service = FleetService.create({ catalog, environments: DEFAULT_ENVIRONMENTS, providers: groupProviders(world.providers()) as StateProviders, sources: SourceCache.create({ cache: memoryCache(), timeoutMs: 5_000 }) });
    let t = performance.now();
    const cat = await catalog.getEntities({}, { credentials: mockCredentials.user() } as any);
    const tc = performance.now() - t;
    t = performance.now();
    await service.getFleet(mockCredentials.user(), JSON.parse(process.env.Q ?? "{\"limit\":100}"));
    const cold = performance.now() - t;
    t = performance.now();
    await service.getFleet(mockCredentials.user(), JSON.parse(process.env.Q ?? "{\"limit\":100}"));
    const warm = performance.now() - t;
    console.log(`N=${N} catalog-only=${tc.toFixed(0)} cold=${cold.toFixed(0)} warm=${warm.toFixed(0)} calls=${JSON.stringify(world.calls)}`);
  }
}
main();
