import { CacheService } from '@backstage/backend-plugin-api';
import {
  mockServices,
  ServiceFactoryTester,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gitopsScope } from '@slipway/plugin-slipway-common';
import {
  GitOpsReaderProvider,
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';
import { Knex } from 'knex';
import { memoryCache, serviceEntity } from '../__testUtils__/fakeProviders';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseLock } from '../database/DatabaseLock';
import { connectSlipwayDatabase } from '../database/migrate';
import { ReadLease, SourceCache, SourceSpec } from './SourceCache';
import { StateInvalidator } from './StateInvalidator';

jest.setTimeout(120_000);

const databases = createTestDatabases();

/**
 * A real Redis for the shared cache when the test command started one;
 * with SLIPWAY_REQUIRE_REDIS set, a missing one fails the run instead of
 * silently testing the in-memory store only.
 */
const REDIS_URL = process.env.SLIPWAY_TEST_REDIS_URL;
if (process.env.SLIPWAY_REQUIRE_REDIS && !REDIS_URL) {
  throw new Error(
    'SLIPWAY_REQUIRE_REDIS is set but SLIPWAY_TEST_REDIS_URL is not',
  );
}

const spec: SourceSpec = {
  source: 'argocd:main',
  kind: 'delivery',
  scope: 'delivery:app:payments-api',
  key: 'applications',
};

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** A loader that answers after `ms`, counting its calls (across replicas). */
function slowLoader<T>(value: T, ms = 100) {
  return jest.fn(async (_context: ProviderCallContext) => {
    await sleep(ms);
    return value;
  });
}

/** A loader that only ends when its call is aborted (a hung upstream). */
function hungLoader() {
  return jest.fn(
    (context: ProviderCallContext) =>
      new Promise<never>((_, reject) =>
        context.signal.addEventListener('abort', () =>
          reject(new Error('aborted')),
        ),
      ),
  );
}

async function leaseRows(db: Knex): Promise<number> {
  const [{ count }] = await db('slipway_locks').count({ count: '*' });
  return Number(count);
}

/** Calls `fn` for replica `i % n`, 30 times at once. */
function spread<T>(replicas: SourceCache[], fn: (r: SourceCache) => T): T[] {
  return Array.from({ length: 30 }, (_, i) =>
    fn(replicas[i % replicas.length]),
  );
}

describe.each(databases.eachSupportedId())(
  'SourceCache across three replicas, leases on %s',
  id => {
    async function setup(
      options: {
        ttlMs?: number;
        timeoutMs?: number;
        cache?: CacheService;
      } = {},
    ) {
      const knex = await databases.init(id);
      const db = await connectSlipwayDatabase(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const lock = DatabaseLock.create({ db });
      // One shared cache store and one lease store, three processes' worth of state.
      const cache = options.cache ?? memoryCache();
      const replica = (extra: { timeoutMs?: number; lease?: ReadLease } = {}) =>
        SourceCache.create({
          cache,
          lease: extra.lease ?? lock,
          ttlMs: options.ttlMs ?? 30_000,
          timeoutMs: extra.timeoutMs ?? options.timeoutMs ?? 2_000,
          pollMs: 10,
        });
      return { db, lock, cache, replica };
    }

    it('30 concurrent reads over three replicas cost one upstream call', async () => {
      const { db, replica } = await setup();
      const replicas = [replica(), replica(), replica()];
      const load = slowLoader({ apps: 3 });
      const results = await Promise.all(
        spread(replicas, r => r.run(spec, load)),
      );
      expect(load).toHaveBeenCalledTimes(1);
      expect(results.map(r => r.value)).toEqual(Array(30).fill({ apps: 3 }));
      expect(new Set(results.map(r => r.report.status))).toEqual(
        new Set(['ok']),
      );
      // Every answer carries the one read's time.
      expect(new Set(results.map(r => r.report.fetchedAt)).size).toBe(1);
      await sleep(50);
      expect(await leaseRows(db)).toBe(0);
    });

    it('sequential reads inside the TTL cost nothing more; the next period one call', async () => {
      const { replica } = await setup({ ttlMs: 400 });
      const replicas = [replica(), replica(), replica()];
      const load = slowLoader('v', 20);
      await replicas[0].run(spec, load);
      await sleep(20);
      for (const r of [...replicas, ...replicas]) {
        expect((await r.run(spec, load)).report.status).toBe('ok');
      }
      expect(load).toHaveBeenCalledTimes(1);

      await sleep(450);
      await Promise.all(spread(replicas, r => r.run(spec, load)));
      expect(load).toHaveBeenCalledTimes(2);
    });

    it('fresh reads (promotion gates) bypass the cache and the lease, single-flighted per process', async () => {
      const { replica } = await setup();
      const replicas = [replica(), replica(), replica()];
      const load = slowLoader('fresh', 50);
      await Promise.all(
        spread(replicas, r => r.run({ ...spec, fresh: true }, load)),
      );
      expect(load).toHaveBeenCalledTimes(3);
    });

    it('a holder that fails: waiters with nothing to serve read for themselves, within the timeout', async () => {
      const { replica } = await setup({ timeoutMs: 2_000 });
      const [holder, b, c] = [replica(), replica(), replica()];
      let started: () => void = () => {};
      const holderStarted = new Promise<void>(resolve => {
        started = resolve;
      });
      const failing = jest.fn(async () => {
        started();
        await sleep(100);
        throw new UpstreamError('Argo CD answered 502', { status: 502 });
      });
      const first = holder.run(spec, failing);
      await holderStarted;
      const load = slowLoader('own read', 20);
      const began = Date.now();
      const waiters = await Promise.all([
        ...Array.from({ length: 5 }, () => b.run(spec, load)),
        ...Array.from({ length: 5 }, () => c.run(spec, load)),
      ]);
      expect(Date.now() - began).toBeLessThan(2_000);
      expect((await first).report).toMatchObject({
        status: 'error',
        message: 'Argo CD answered 502',
      });
      expect(waiters.map(r => r.report.status)).toEqual(Array(10).fill('ok'));
      expect(waiters.map(r => r.value)).toEqual(Array(10).fill('own read'));
      // One own read per waiting replica, none before the holder failed.
      expect(load).toHaveBeenCalledTimes(2);
    });

    it('a holder that fails: waiters with a copy serve it as stale, as a failed read would, without asking again', async () => {
      const { replica } = await setup({ ttlMs: 200, timeoutMs: 2_000 });
      const [holder, b, c] = [replica(), replica(), replica()];
      await Promise.all(
        [holder, b, c].map(r => r.run(spec, slowLoader('old', 10))),
      );
      await sleep(250);
      let started: () => void = () => {};
      const holderStarted = new Promise<void>(resolve => {
        started = resolve;
      });
      const first = holder.run(spec, async () => {
        started();
        await sleep(100);
        throw new UpstreamError('Argo CD answered 502', { status: 502 });
      });
      await holderStarted;
      const load = slowLoader('unused');
      const waiters = await Promise.all([b.run(spec, load), c.run(spec, load)]);
      expect(load).not.toHaveBeenCalled();
      for (const result of [await first, ...waiters]) {
        expect(result.value).toBe('old');
        expect(result.report.status).toBe('stale');
        expect(result.report.message).toMatch(
          /^Argo CD answered 502; showing data from /,
        );
      }
    });

    it('a holder that is rate-limited: waiters keep the shared back-off and do not ask', async () => {
      const { replica } = await setup();
      const [holder, b] = [replica(), replica()];
      let started: () => void = () => {};
      const holderStarted = new Promise<void>(resolve => {
        started = resolve;
      });
      const first = holder.run(spec, async () => {
        started();
        await sleep(50);
        throw new UpstreamError('GitHub rate limit', {
          kind: 'rate-limited',
          retryAt: Date.now() + 30_000,
        });
      });
      await holderStarted;
      const load = slowLoader('unused');
      const waiter = await b.run(spec, load);
      expect((await first).report.status).toBe('rate-limited');
      expect(waiter.report.status).toBe('rate-limited');
      expect(load).not.toHaveBeenCalled();
    });

    it('a holder that hangs past its lease: the others fall back to their own read, bounded by their timeout', async () => {
      const { replica } = await setup();
      const stuck = replica({ timeoutMs: 2_500 });
      const hung = hungLoader();
      const first = stuck.run(spec, hung);
      await sleep(50);
      const [b, c] = [replica({ timeoutMs: 300 }), replica({ timeoutMs: 300 })];
      const load = slowLoader('fallback', 20);
      const began = Date.now();
      const results = await Promise.all([b.run(spec, load), c.run(spec, load)]);
      const took = Date.now() - began;
      expect(results.map(r => r.value)).toEqual(['fallback', 'fallback']);
      // The wait (300 ms) and an own read, never the stuck holder’s 2.5 s.
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(1_500);
      expect(await first).toMatchObject({ report: { status: 'error' } });
    });

    it('a holder that died: its lease expires and one waiter takes the read over for all', async () => {
      const { lock, replica } = await setup();
      // The dead replica's lease lasts 200 ms and is never let go.
      const dying = replica({
        timeoutMs: 3_000,
        lease: { tryAcquire: key => lock.tryAcquire(key, 200) },
      });
      const hung = hungLoader();
      const dead = dying.run(spec, hung);
      await sleep(50);
      const [b, c] = [replica(), replica()];
      const load = slowLoader('taken over', 20);
      const began = Date.now();
      const results = await Promise.all([b.run(spec, load), c.run(spec, load)]);
      expect(Date.now() - began).toBeLessThan(2_000);
      expect(results.map(r => r.value)).toEqual(['taken over', 'taken over']);
      expect(load).toHaveBeenCalledTimes(1);
      await dead;
    });

    it('a lease store that is down: every replica reads, as without leases', async () => {
      const { replica } = await setup();
      const broken: ReadLease = {
        tryAcquire: async () => {
          throw new Error('connection refused');
        },
      };
      const replicas = [replica({ lease: broken }), replica({ lease: broken })];
      const load = slowLoader('direct', 20);
      const results = await Promise.all(replicas.map(r => r.run(spec, load)));
      expect(results.map(r => r.report.status)).toEqual(['ok', 'ok']);
      expect(load).toHaveBeenCalledTimes(2);
    });
  },
);

describe('a webhook on one replica reaches the other replicas’ GitOps clones', () => {
  function replicaWithReader(cache: CacheService) {
    const sources = SourceCache.create({ cache, timeoutMs: 1_000 });
    const forgotten: string[] = [];
    const reader: GitOpsReaderProvider & {
      invalidateRepository(name: string): Promise<void>;
    } = {
      id: 'git',
      kind: 'gitops',
      supports: () => true,
      readOverlays: jest.fn(),
      history: jest.fn(),
      invalidateRepository: async name => {
        forgotten.push(name);
      },
    };
    const invalidator = StateInvalidator.create({
      sources,
      gitopsReaders: [reader],
      catalog: catalogServiceMock({
        entities: [serviceEntity('payments-api')],
      }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    return { sources, invalidator, forgotten };
  }

  const gitops: SourceSpec = {
    source: 'git',
    kind: 'gitops',
    scope: gitopsScope('acme/gitops'),
    key: 'overlays',
  };

  it('the other replica forgets its clone before it reads the repository again', async () => {
    const cache = memoryCache();
    const a = replicaWithReader(cache);
    const b = replicaWithReader(cache);
    await b.sources.run(gitops, async () => 'old');
    // First sight of the scope in this process: nothing to trust yet.
    expect(b.forgotten).toEqual(['acme/gitops']);
    await b.sources.run(gitops, async () => 'unused');
    expect(b.forgotten).toEqual(['acme/gitops']);

    await a.invalidator.invalidate([{ repository: 'acme/gitops' }]);
    const order: string[] = [];
    const load = jest.fn(async () => {
      order.push(`read after ${b.forgotten.length} forgets`);
      return 'new';
    });
    expect((await b.sources.run(gitops, load)).value).toBe('new');
    expect(order).toEqual(['read after 2 forgets']);
    // Once per generation, not per read.
    await b.sources.run({ ...gitops, key: 'history' }, async () => 'h');
    expect(b.forgotten).toEqual(['acme/gitops', 'acme/gitops']);
  });

  it('scopes other than a GitOps repository forget no clone', async () => {
    const cache = memoryCache();
    const a = replicaWithReader(cache);
    await a.sources.run(spec, async () => 'apps');
    await a.sources.invalidate([spec.scope]);
    await a.sources.run(spec, async () => 'apps');
    expect(a.forgotten).toEqual([]);
  });
});

(REDIS_URL ? describe : describe.skip)(
  'SourceCache across three replicas on a real Redis (SLIPWAY_TEST_REDIS_URL)',
  () => {
    /** Each replica builds its own cache client, as each backend process does. */
    async function redisCache(): Promise<CacheService> {
      const tester = ServiceFactoryTester.from(mockServices.cache.factory(), {
        dependencies: [
          mockServices.rootConfig.factory({
            data: {
              backend: { cache: { store: 'redis', connection: REDIS_URL } },
            },
          }),
        ],
      });
      return tester.getSubject('slipway');
    }

    it('30 concurrent reads over three replicas cost one upstream call', async () => {
      const [id] = databases.eachSupportedId()[0];
      const knex = await databases.init(id);
      const db = await connectSlipwayDatabase(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const lock = DatabaseLock.create({ db });
      const caches = await Promise.all([
        redisCache(),
        redisCache(),
        redisCache(),
      ]);
      const replicas = caches.map(cache =>
        SourceCache.create({
          cache,
          lease: lock,
          timeoutMs: 2_000,
          pollMs: 10,
        }),
      );
      // A scope of its own: whatever an earlier run left in Redis is not read.
      const fresh = { ...spec, scope: `test:${Date.now()}:${Math.random()}` };
      const load = slowLoader({ apps: ['payments-api-dev'] });
      const results = await Promise.all(
        spread(replicas, r => r.run(fresh, load)),
      );
      expect(load).toHaveBeenCalledTimes(1);
      expect(results.map(r => r.value)).toEqual(
        Array(30).fill({ apps: ['payments-api-dev'] }),
      );
      // A replica that has not read it yet is answered from Redis.
      await sleep(50);
      const late = SourceCache.create({ cache: caches[0], lease: lock });
      expect(await late.run(fresh, load)).toMatchObject({
        report: { status: 'ok' },
      });
      expect(load).toHaveBeenCalledTimes(1);
    });

    it('a batch peek on one replica sees what another read, and its invalidation', async () => {
      const [writer, reader] = await Promise.all([redisCache(), redisCache()]);
      const here = SourceCache.create({ cache: writer });
      const there = SourceCache.create({ cache: reader });
      const run = `${Date.now()}:${Math.random()}`;
      // The fleet's shape: a scope per service, two reads per scope.
      const specs = Array.from({ length: 200 }, (_, i) => [
        {
          source: 'github',
          kind: 'ci' as const,
          scope: `ci:${run}:${i}`,
          key: 'runs',
        },
        {
          source: 'harbor',
          kind: 'artifacts' as const,
          scope: `ci:${run}:${i}`,
          key: 'artifacts',
        },
      ]).flat();
      await Promise.all(
        specs
          .filter((_, i) => i % 4 === 0)
          .map(s => here.run(s, async () => `${s.scope} ${s.key}`)),
      );
      await sleep(200);
      const peeked = await there.peekMany<string>(specs);
      expect(peeked.map(r => r?.value)).toEqual(
        specs.map((s, i) => (i % 4 === 0 ? `${s.scope} ${s.key}` : undefined)),
      );
      expect(
        new Set(peeked.filter(Boolean).map(r => r!.report.status)),
      ).toEqual(new Set(['ok']));
      await here.invalidate([specs[0].scope]);
      const after = await there.peekMany<string>(specs.slice(0, 5));
      expect(after.map(r => r?.value)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        `${specs[4].scope} runs`,
      ]);
    });
  },
);
