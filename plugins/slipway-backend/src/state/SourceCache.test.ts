import { CacheService } from '@backstage/backend-plugin-api';
import { SourceReport, SourceStatus } from '@slipway/plugin-slipway-common';
import { UpstreamError } from '@slipway/plugin-slipway-node';
import { mergeReports, SourceCache, SourceSpec } from './SourceCache';

/** A clock the test moves by hand. */
function clock(start = Date.UTC(2026, 0, 1)) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

/** An in-memory CacheService that expires on the test's clock and records writes. */
function fakeCache(now: () => number) {
  const store = new Map<string, { value: unknown; expires: number }>();
  const sets: { key: string; value: unknown; ttl?: number }[] = [];
  const cache = {
    async get(key: string) {
      const entry = store.get(key);
      if (!entry || entry.expires <= now()) return undefined;
      return entry.value;
    },
    async set(key: string, value: unknown, options?: { ttl?: number }) {
      sets.push({ key, value, ttl: options?.ttl });
      store.set(key, { value, expires: now() + (options?.ttl ?? 60_000) });
    },
    async delete(key: string) {
      store.delete(key);
    },
    withOptions: () => cache,
  };
  return { cache: cache as unknown as CacheService, sets, store };
}

/** Lets the deferred write to the shared cache happen. */
const flush = () => new Promise(resolve => setImmediate(resolve));

const spec: SourceSpec = {
  source: 'argocd:main',
  kind: 'delivery',
  scope: 'argocd:main',
  key: 'apps',
};

function setup(options: { ttlMs?: number; timeoutMs?: number } = {}) {
  const time = clock();
  const shared = fakeCache(time.now);
  const sources = SourceCache.create({
    cache: shared.cache,
    ttlMs: options.ttlMs ?? 30_000,
    staleTtlMs: 3_600_000,
    timeoutMs: options.timeoutMs ?? 1_000,
    now: time.now,
  });
  return { time, shared, sources };
}

function counter<T>(value: T | (() => T)) {
  const load = jest.fn(async () =>
    typeof value === 'function' ? (value as () => T)() : value,
  );
  return load;
}

describe('mergeReports: the worst status wins', () => {
  const report = (
    status: SourceStatus,
    extra: Partial<SourceReport> = {},
  ): SourceReport => ({
    source: 'harbor',
    kind: 'artifacts',
    status,
    ...extra,
  });

  const worstFirst: SourceStatus[] = [
    'error',
    'rate-limited',
    'stale',
    'unconfigured',
    'ok',
  ];

  it.each(
    worstFirst.flatMap((worse, i) =>
      worstFirst.slice(i + 1).map(better => [worse, better] as const),
    ),
  )('%s beats %s, in either order', (worse, better) => {
    const bad = report(worse, {
      message: `${worse} message`,
      retryAt: '2026-01-01T00:01:00.000Z',
    });
    const good = report(better, { message: `${better} message` });
    for (const reports of [
      [bad, good],
      [good, bad],
    ]) {
      expect(mergeReports(reports)).toEqual([
        expect.objectContaining({
          status: worse,
          message: `${worse} message`,
          retryAt: '2026-01-01T00:01:00.000Z',
        }),
      ]);
    }
  });

  it('keeps an equal status and its first message', () => {
    expect(
      mergeReports([
        report('error', { message: 'first' }),
        report('error', { message: 'second' }),
      ]),
    ).toEqual([report('error', { message: 'first' })]);
  });

  it('keeps one report per source, in the order they first appear', () => {
    const merged = mergeReports([
      { source: 'github', kind: 'ci', status: 'ok' },
      { source: 'harbor', kind: 'artifacts', status: 'ok' },
      { source: 'github', kind: 'ci', status: 'error', message: 'down' },
    ]);
    expect(merged.map(r => [r.source, r.status])).toEqual([
      ['github', 'error'],
      ['harbor', 'ok'],
    ]);
  });

  it('dates the merged answer by its oldest part', () => {
    const older = '2026-01-01T00:00:00.000Z';
    const newer = '2026-01-01T00:05:00.000Z';
    for (const reports of [
      [report('ok', { fetchedAt: older }), report('ok', { fetchedAt: newer })],
      [report('ok', { fetchedAt: newer }), report('ok', { fetchedAt: older })],
      [report('ok'), report('ok', { fetchedAt: older })],
      [report('ok', { fetchedAt: older }), report('ok')],
    ]) {
      expect(mergeReports(reports)[0].fetchedAt).toBe(older);
    }
  });

  it('does not change the reports it is given', () => {
    const first = report('ok', { fetchedAt: '2026-01-01T00:05:00.000Z' });
    mergeReports([
      first,
      report('error', {
        message: 'down',
        fetchedAt: '2026-01-01T00:00:00.000Z',
      }),
    ]);
    expect(first).toEqual(
      report('ok', { fetchedAt: '2026-01-01T00:05:00.000Z' }),
    );
  });
});

describe('SourceCache', () => {
  it('reads once and serves the answer as ok, dated, until the TTL ends', async () => {
    const { time, sources } = setup({ ttlMs: 30_000 });
    const load = counter({ apps: 1 });
    const started = new Date(time.now()).toISOString();

    const first = await sources.run(spec, load);
    expect(first).toEqual({
      value: { apps: 1 },
      report: {
        source: 'argocd:main',
        kind: 'delivery',
        status: 'ok',
        fetchedAt: started,
      },
    });

    time.advance(29_999);
    expect(await sources.run(spec, load)).toEqual(first);
    expect(load).toHaveBeenCalledTimes(1);

    time.advance(1);
    const again = await sources.run(spec, load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(again.report.fetchedAt).toBe(new Date(time.now()).toISOString());
  });

  it('uses the TTL of the read when it names one', async () => {
    const { time, sources } = setup({ ttlMs: 30_000 });
    const load = counter('x');
    await sources.run({ ...spec, ttlMs: 1_000 }, load);
    time.advance(1_000);
    await sources.run({ ...spec, ttlMs: 1_000 }, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps different keys and scopes apart', async () => {
    const { sources } = setup();
    await sources.run(spec, counter('a'));
    expect(
      (await sources.run({ ...spec, key: 'other' }, counter('b'))).value,
    ).toBe('b');
    expect(
      (await sources.run({ ...spec, scope: 'argocd:eu' }, counter('c'))).value,
    ).toBe('c');
    expect((await sources.run(spec, counter('z'))).value).toBe('a');
  });

  it('a fresh read always asks the upstream', async () => {
    const { sources } = setup();
    const load = counter('x');
    await sources.run(spec, load);
    await sources.run({ ...spec, fresh: true }, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  describe('when the upstream fails', () => {
    it('serves the last answer marked stale, with its time', async () => {
      const { time, sources } = setup({ ttlMs: 30_000 });
      const fetchedAt = new Date(time.now()).toISOString();
      await sources.run(spec, counter('last known'));
      time.advance(60_000);
      const result = await sources.run(spec, async () => {
        throw new UpstreamError('Argo CD answered 502', { status: 502 });
      });
      expect(result).toEqual({
        value: 'last known',
        report: {
          source: 'argocd:main',
          kind: 'delivery',
          status: 'stale',
          fetchedAt,
          message: `Argo CD answered 502; showing data from ${fetchedAt}`,
        },
      });
    });

    it('fails closed for a fresh read: no stale value', async () => {
      const { time, sources } = setup();
      await sources.run(spec, counter('last known'));
      time.advance(60_000);
      const result = await sources.run({ ...spec, fresh: true }, async () => {
        throw new UpstreamError('Argo CD answered 502');
      });
      expect(result).toEqual({
        report: {
          source: 'argocd:main',
          kind: 'delivery',
          status: 'error',
          message: 'Argo CD answered 502',
        },
      });
    });

    it('reports an error without a value, and never leaks an unclassified message', async () => {
      const { sources } = setup();
      const result = await sources.run(spec, async () => {
        throw new Error('connect ECONNREFUSED token=secret');
      });
      expect(result).toEqual({
        report: {
          source: 'argocd:main',
          kind: 'delivery',
          status: 'error',
          message: 'argocd:main failed',
        },
      });
    });

    it('gives up after the time budget and aborts the call', async () => {
      const { sources } = setup({ timeoutMs: 50 });
      let signal: AbortSignal | undefined;
      const result = await sources.run(spec, context => {
        signal = context.signal;
        return new Promise(() => {});
      });
      expect(result.report).toEqual({
        source: 'argocd:main',
        kind: 'delivery',
        status: 'error',
        message: 'argocd:main did not answer within 50 ms',
      });
      expect(signal?.aborted).toBe(true);
      expect(sources.timeoutMs).toBe(50);
    });
  });

  describe('rate limits', () => {
    const limited = (retryAt?: number) => async () => {
      throw new UpstreamError('GitHub rate limit', {
        kind: 'rate-limited',
        retryAt,
      });
    };

    it('backs off until retryAt, then asks again (back-off expiry)', async () => {
      const { time, shared, sources } = setup({ ttlMs: 0 });
      const retryAt = time.now() + 10_000;
      const first = await sources.run(spec, limited(retryAt));
      expect(first).toEqual({
        report: {
          source: 'argocd:main',
          kind: 'delivery',
          status: 'rate-limited',
          retryAt: new Date(retryAt).toISOString(),
          message: 'GitHub rate limit',
        },
      });
      const backoff = shared.sets.find(s => s.key.startsWith('backoff:'));
      expect(backoff?.ttl).toBe(10_000);

      const load = counter('back');
      time.advance(9_999);
      expect((await sources.run(spec, load)).report.status).toBe(
        'rate-limited',
      );
      expect(load).not.toHaveBeenCalled();

      time.advance(1);
      expect(await sources.run(spec, load)).toMatchObject({
        value: 'back',
        report: { status: 'ok' },
      });
      expect(load).toHaveBeenCalledTimes(1);
    });

    it('waits 15 s when the upstream names no time, and at most a minute', async () => {
      const { time, sources } = setup({ ttlMs: 0 });
      const unnamed = await sources.run(spec, limited(undefined));
      expect(unnamed.report.retryAt).toBe(
        new Date(time.now() + 15_000).toISOString(),
      );
      const far = await sources.run(
        { ...spec, key: 'other' },
        limited(time.now() + 3_600_000),
      );
      expect(far.report.retryAt).toBe(
        new Date(time.now() + 60_000).toISOString(),
      );
    });

    it('stores a back-off whose time has already passed for at least 1 ms', async () => {
      const { time, shared, sources } = setup({ ttlMs: 0 });
      await sources.run(spec, limited(time.now() - 5_000));
      const backoff = shared.sets.find(s => s.key.startsWith('backoff:'));
      expect(backoff?.ttl).toBe(1);
    });

    it('serves the last answer while backing off, but not to a fresh read', async () => {
      const { time, sources } = setup({ ttlMs: 1_000 });
      const fetchedAt = new Date(time.now()).toISOString();
      await sources.run(spec, counter('last known'));
      time.advance(2_000);
      const limitedResult = await sources.run(
        spec,
        limited(time.now() + 10_000),
      );
      expect(limitedResult).toEqual({
        value: 'last known',
        report: expect.objectContaining({ status: 'rate-limited', fetchedAt }),
      });
      const during = await sources.run(spec, counter('unused'));
      expect(during.value).toBe('last known');
      expect(during.report.status).toBe('rate-limited');
      const fresh = await sources.run({ ...spec, fresh: true }, counter('x'));
      expect(fresh).toEqual({
        report: expect.objectContaining({ status: 'rate-limited' }),
      });
      expect(fresh.report.fetchedAt).toBeUndefined();
    });
  });

  it('reads once for concurrent callers (single flight), separately for fresh reads', async () => {
    const { sources } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>(resolve => {
      release = resolve;
    });
    const load = jest.fn(async () => {
      await gate;
      return 'x';
    });
    const results = Promise.all([
      sources.run(spec, load),
      sources.run(spec, load),
      sources.run({ ...spec, fresh: true }, load),
    ]);
    await flush();
    release();
    expect((await results).map(r => r.value)).toEqual(['x', 'x', 'x']);
    expect(load).toHaveBeenCalledTimes(2);

    // The flight ends with the read: a later read asks again.
    await sources.run({ ...spec, fresh: true }, load);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('invalidating a scope makes its entries unreachable, here and on other replicas', async () => {
    const { time, shared, sources } = setup();
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    await sources.run(spec, counter('old'));
    await sources.run({ ...spec, scope: 'argocd:eu' }, counter('eu'));
    await flush();

    await sources.invalidate(['argocd:main']);
    expect((await sources.run(spec, counter('new'))).value).toBe('new');
    expect(
      (await sources.run({ ...spec, scope: 'argocd:eu' }, counter('eu2')))
        .value,
    ).toBe('eu');
    await flush();
    expect((await replica.run(spec, counter('unused'))).value).toBe('new');

    const generation = shared.sets.find(s => s.key.startsWith('gen:'));
    expect(generation?.ttl).toBe(2 * 3_600_000);
  });

  it('shares answers with other replicas through the cache, kept for the stale TTL', async () => {
    const { time, shared, sources } = setup();
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    await sources.run(spec, counter('shared'));
    await flush();
    const load = counter('unused');
    expect(await replica.run(spec, load)).toEqual({
      value: 'shared',
      report: {
        source: 'argocd:main',
        kind: 'delivery',
        status: 'ok',
        fetchedAt: new Date(time.now()).toISOString(),
      },
    });
    expect(load).not.toHaveBeenCalled();
    expect(shared.sets.find(s => s.key.startsWith('src:'))?.ttl).toBe(
      3_600_000,
    );
  });

  it('prefers a newer answer from another replica over an older local copy', async () => {
    const { time, shared, sources } = setup({ ttlMs: 30_000 });
    const replica = SourceCache.create({
      cache: shared.cache,
      ttlMs: 30_000,
      now: time.now,
    });
    await sources.run(spec, counter('older'));
    await flush();
    time.advance(10_000);
    await replica.run({ ...spec, fresh: true }, counter('newer'));
    await flush();

    time.advance(25_000); // the local copy is 35 s old, the shared one 25 s
    const load = counter('unused');
    expect(await sources.run(spec, load)).toMatchObject({
      value: 'newer',
      report: { status: 'ok' },
    });
    expect(load).not.toHaveBeenCalled();

    time.advance(60_000);
    const stale = await sources.run(spec, async () => {
      throw new UpstreamError('down');
    });
    expect(stale.value).toBe('newer');
  });

  it('keeps the newer local copy when the shared one is older', async () => {
    const { time, shared, sources } = setup({ ttlMs: 30_000 });
    await sources.run(spec, counter('older'));
    await flush();
    time.advance(10_000);
    await sources.run({ ...spec, fresh: true }, counter('newer'));
    await flush();
    // A slower replica then overwrites the shared copy with an older answer.
    shared.store.forEach((entry, key) => {
      if (key.startsWith('src:')) {
        entry.value = { value: 'older', at: time.now() - 10_000 };
      }
    });
    time.advance(60_000);
    const stale = await sources.run(spec, async () => {
      throw new UpstreamError('down');
    });
    expect(stale.value).toBe('newer');
  });

  it('bounds the local copies, dropping the least recently read first', async () => {
    const time = clock();
    // A cache that keeps nothing: only the local copies answer.
    const forgetful = {
      get: async () => undefined,
      set: async () => {},
      delete: async () => {},
      withOptions: () => forgetful,
    } as unknown as CacheService;
    const sources = SourceCache.create({ cache: forgetful, now: time.now });
    const at = (i: number) => ({ ...spec, key: `k${i}` });
    for (let i = 0; i < 500; i++) await sources.run(at(i), counter(i));
    // Reading k0 again makes it the most recent.
    await sources.run({ ...at(0), fresh: true }, counter(0));
    await sources.run(at(500), counter(500));

    const load = counter(-1);
    expect((await sources.run(at(0), load)).value).toBe(0);
    expect((await sources.run(at(2), load)).value).toBe(2);
    expect((await sources.run(at(500), load)).value).toBe(500);
    expect(load).not.toHaveBeenCalled();
    expect((await sources.run(at(1), load)).value).toBe(-1);
  });

  it('serves a recent answer from memory without reading the shared copy again', async () => {
    const { shared, sources } = setup();
    await sources.run(spec, counter({ large: 'answer' }));
    await flush();
    const get = jest.spyOn(shared.cache, 'get');
    expect((await sources.run(spec, counter('unused'))).value).toEqual({
      large: 'answer',
    });
    expect(get.mock.calls.map(([key]) => key.split(':')[0])).toEqual(['gen']);
  });

  it('never aborts a call that has already answered', async () => {
    const { sources } = setup({ timeoutMs: 20 });
    let signal: AbortSignal | undefined;
    await sources.run(spec, async context => {
      signal = context.signal;
      return 'quick';
    });
    await new Promise(resolve => setTimeout(resolve, 60));
    expect(signal?.aborted).toBe(false);
  });

  it('ends a back-off at retryAt even when the cache keeps the entry longer', async () => {
    const time = clock();
    const store = new Map<string, unknown>();
    const keepsForever = {
      get: async (key: string) => store.get(key),
      set: async (key: string, value: unknown) => {
        store.set(key, value);
      },
      delete: async (key: string) => {
        store.delete(key);
      },
      withOptions: () => keepsForever,
    } as unknown as CacheService;
    const sources = SourceCache.create({
      cache: keepsForever,
      ttlMs: 0,
      now: time.now,
    });
    await sources.run(spec, async () => {
      throw new UpstreamError('rate limit', {
        kind: 'rate-limited',
        retryAt: time.now() + 10_000,
      });
    });
    const load = counter('back');
    time.advance(9_999);
    expect((await sources.run(spec, load)).report.status).toBe('rate-limited');
    time.advance(1);
    expect((await sources.run(spec, load)).report.status).toBe('ok');
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('SourceCache.peek and peekMany: what the cache holds, no upstream read', () => {
  const ci = (project: string): SourceSpec => ({
    source: 'github',
    kind: 'ci',
    scope: `ci:${project}`,
    key: `runs:${project}`,
  });

  it('answers by position: ok inside the fresh window, stale after, undefined when nothing is held', async () => {
    const { time, shared, sources } = setup({ ttlMs: 30_000 });
    await sources.run(ci('a'), counter('runs of a'));
    time.advance(10_000);
    await sources.run(ci('b'), counter('runs of b'));
    await flush();
    time.advance(25_000);
    const replica = SourceCache.create({
      cache: shared.cache,
      now: time.now,
      ttlMs: 30_000,
    });
    for (const cache of [sources, replica]) {
      const [a, nothing, b] = await cache.peekMany<string>([
        ci('a'),
        ci('c'),
        ci('b'),
      ]);
      expect(a).toEqual({
        value: 'runs of a',
        report: {
          source: 'github',
          kind: 'ci',
          status: 'stale',
          fetchedAt: new Date(time.now() - 35_000).toISOString(),
        },
      });
      expect(nothing).toBeUndefined();
      expect(b?.value).toBe('runs of b');
      expect(b?.report.status).toBe('ok');
      expect(await cache.peek(ci('b'))).toEqual(b);
      expect(await cache.peek(ci('c'))).toBeUndefined();
    }
    expect(await sources.peekMany([])).toEqual([]);
  });

  it("reads each scope's generation once, and sees an invalidation made on another replica", async () => {
    const { time, shared, sources } = setup();
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    const runs = { ...ci('a'), key: 'runs:a' };
    const artifacts = { ...ci('a'), kind: 'artifacts' as const, key: 'x:a' };
    await sources.run(runs, counter('runs'));
    await sources.run(artifacts, counter('artifacts'));
    await flush();
    const get = jest.spyOn(shared.cache, 'get');
    const [first, second] = await sources.peekMany<string>([runs, artifacts]);
    expect([first?.value, second?.value]).toEqual(['runs', 'artifacts']);
    // One generation read for the shared scope; both entries from memory.
    expect(get.mock.calls.map(([key]) => key.split(':')[0])).toEqual(['gen']);

    get.mockClear();
    expect(
      (await replica.peekMany<string>([runs, artifacts])).map(r => r?.value),
    ).toEqual(['runs', 'artifacts']);
    expect(get.mock.calls.map(([key]) => key.split(':')[0])).toEqual([
      'gen',
      'src',
      'src',
    ]);

    await replica.invalidate(['ci:a']);
    expect(await sources.peekMany([runs, artifacts, ci('b')])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    get.mockRestore();
  });

  it('runs the scope listeners once per scope at a new generation', async () => {
    const { sources } = setup();
    const noticed: string[] = [];
    sources.onScopeChanged(async scope => {
      noticed.push(scope);
    });
    await sources.peekMany([ci('a'), { ...ci('a'), key: 'other' }, ci('b')]);
    await sources.peekMany([ci('a')]);
    expect(noticed).toEqual(['ci:a', 'ci:b']);
    await sources.invalidate(['ci:a']);
    await sources.peekMany([ci('a'), ci('b')]);
    expect(noticed).toEqual(['ci:a', 'ci:b', 'ci:a']);
  });
});

describe('SourceCache: entries in the shared cache', () => {
  it('are stored as one JSON string (the engine serialises them, not the cache service) and read back by every replica', async () => {
    const { time, shared, sources } = setup();
    const value = { items: [{ name: 'a', at: '2026-01-01T00:00:00.000Z' }] };
    await sources.run(spec, counter(value));
    await flush();
    const stored = shared.sets.find(
      s => s.key.startsWith('src:') && !s.key.startsWith('flight:'),
    );
    expect(typeof stored?.value).toBe('string');
    expect(JSON.parse(stored!.value as string)).toEqual({
      value,
      at: time.now(),
    });
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    const load = counter('not asked');
    const read = await replica.run(spec, load);
    expect(read.value).toEqual(value);
    expect(read.report.status).toBe('ok');
    expect(load).not.toHaveBeenCalled();
  });

  it('reads an entry an older replica stored as an object', async () => {
    const { time, shared, sources } = setup();
    await sources.run(spec, counter('new'));
    await flush();
    const key = shared.sets.find(s => s.key.startsWith('src:'))!.key;
    await shared.cache.set(key, { value: 'old format', at: time.now() } as any);
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    const load = counter('not asked');
    expect((await replica.run(spec, load)).value).toBe('old format');
    expect((await replica.peek(spec))?.value).toBe('old format');
    expect(load).not.toHaveBeenCalled();
  });
});

describe('SourceCache: summaries for views of many entities', () => {
  const runs: SourceSpec = {
    source: 'github',
    kind: 'ci',
    scope: 'ci:acme/a',
    key: 'runs:github:acme/a',
    summary: (value: string[]) => value.slice(0, 1),
  };

  it('stores one summary per scope beside the answer; peekMany with summaries reads it on another replica, the whole value without', async () => {
    const { time, shared, sources } = setup();
    await sources.run(runs, counter(['newest', 'older', 'oldest']));
    await flush();
    expect(
      shared.sets.filter(s => s.key.startsWith('sum:')).map(s => s.value),
    ).toEqual([
      JSON.stringify({
        key: 'runs:github:acme/a',
        at: time.now(),
        value: ['newest'],
      }),
    ]);
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    const [summary] = await replica.peekMany<string[]>([runs], {
      summaries: true,
    });
    expect(summary?.value).toEqual(['newest']);
    expect(summary?.report.status).toBe('ok');
    const [whole] = await replica.peekMany<string[]>([runs]);
    expect(whole?.value).toEqual(['newest', 'older', 'oldest']);
    // One read per summary: no generation read.
    const gets = jest.spyOn(shared.cache, 'get');
    await replica.peekMany([runs, { ...runs, scope: 'ci:acme/b' }], {
      summaries: true,
    });
    expect(gets.mock.calls.map(([key]) => key.split(':')[0])).toEqual([
      'sum',
      'sum',
    ]);
  });

  it("another read's summary in the same scope is a miss, not its data", async () => {
    const { sources, shared, time } = setup();
    await sources.run(runs, counter(['newest']));
    await flush();
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    const other = { ...runs, key: 'runs:gitlab:acme/a' };
    expect(await replica.peekMany([other], { summaries: true })).toEqual([
      undefined,
    ]);
  });

  it('a webhook makes the summary unreachable with its entry', async () => {
    const { sources, shared, time } = setup();
    await sources.run(runs, counter(['newest']));
    await flush();
    await sources.invalidate([runs.scope]);
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    expect(await replica.peekMany([runs], { summaries: true })).toEqual([
      undefined,
    ]);
  });
});

describe('SourceCache: an unreadable shared entry', () => {
  it('is a miss: the upstream is read again and the entry replaced', async () => {
    const { shared, sources, time } = setup();
    await sources.run(spec, counter('first'));
    await flush();
    const key = shared.sets.find(s => s.key.startsWith('src:'))!.key;
    await shared.cache.set(key, '{"value": trunc' as any);
    const replica = SourceCache.create({ cache: shared.cache, now: time.now });
    const load = counter('again');
    const read = await replica.run(spec, load);
    expect(read).toMatchObject({ value: 'again', report: { status: 'ok' } });
    expect(load).toHaveBeenCalledTimes(1);
  });
});
