import { mockCredentials } from '@backstage/backend-test-utils';
import { DEFAULT_ENVIRONMENTS } from '@slipway/plugin-slipway-node';
import { FakeWorld, memoryCache, serviceEntity } from '../src/__testUtils__/fakeProviders';
import { groupProviders } from '../src/providers/createDefaultProviders';
import { FleetService } from '../src/state/FleetService';
import { SourceCache } from '../src/state/SourceCache';
import { StateProviders } from '../src/state/StateSources';

const N = 10000;
const rows = Array.from({ length: N }, (_, i) => JSON.stringify(serviceEntity(`svc-${i}`)));
const catalog: any = {
  async queryEntities(request: any = {}) {
    const offset = 'cursor' in request ? Number(request.cursor) : 0;
    const end = Math.min(offset + request.limit, rows.length);
    return { items: JSON.parse(`[${rows.slice(offset, end).join(',')}]`), totalItems: 0, pageInfo: end < rows.length ? { nextCursor: String(end) } : {} };
  },
};
const world = new FakeWorld();
world.latencyMs = 0;
world.apps = Array.from({ length: N }, (_, i) => `svc-${i}`);
const service = FleetService.create({
  catalog, environments: DEFAULT_ENVIRONMENTS,
  providers: groupProviders(world.providers()) as StateProviders,
  sources: SourceCache.create({ cache: memoryCache(), timeoutMs: 5000, ttlMs: 600000 }),
});
const query = JSON.parse(process.env.Q ?? '{"attention":true}');
(async () => {
  for (let r = 0; r < Number(process.env.R ?? 8); r++) {
    const cpu = process.cpuUsage();
    const s = performance.now();
    await service.getFleet(mockCredentials.user(), query);
    const u = process.cpuUsage(cpu);
    console.log(r, (performance.now() - s).toFixed(0), 'ms wall', ((u.user + u.system) / 1000).toFixed(0), 'ms cpu');
  }
})();
