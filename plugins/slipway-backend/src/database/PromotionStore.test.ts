import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseLock } from './DatabaseLock';
import { connectSlipwayDatabase } from './migrate';
import { NewPromotion, PromotionStore } from './PromotionStore';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

function request(overrides: Partial<NewPromotion> = {}): NewPromotion {
  return {
    entityRef: 'component:default/payments-api',
    environment: 'prod',
    kind: 'promotion',
    artifact: {
      repository: 'harbor.example/acme/payments-api',
      digest: DIGEST,
      tag: 'c'.repeat(40),
      sourceCommit: 'c'.repeat(40),
    },
    state: 'requested',
    mode: 'direct',
    requester: 'user:default/guest',
    breakGlass: false,
    policies: [{ name: 'default', version: 2 }],
    gates: [],
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('PromotionStore on %s', id => {
  async function setup(now?: () => number) {
    const knex = await databases.init(id);
    const db = await connectSlipwayDatabase(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    return {
      knex: db,
      store: PromotionStore.create({ db, now }),
      lock: DatabaseLock.create({ db, now }),
    };
  }

  it('stores a promotion with its first event and reads it back', async () => {
    const { store } = await setup();
    const { promotion, created } = await store.create(
      request({ message: 'requested from the Deploy tab' }),
    );
    expect(created).toBe(true);
    expect(promotion).toMatchObject({
      entityRef: 'component:default/payments-api',
      environment: 'prod',
      state: 'requested',
      artifact: { digest: DIGEST },
      policies: [{ name: 'default', version: 2 }],
      breakGlass: false,
      timeline: [
        {
          actor: 'user:default/guest',
          state: 'requested',
          message: 'requested from the Deploy tab',
        },
      ],
    });
    expect(await store.get(promotion.id)).toEqual(promotion);
  });

  it('is idempotent on (requester, key): the same key returns the first promotion', async () => {
    const { store } = await setup();
    const first = await store.create(request({ idempotencyKey: 'k-1' }));
    const again = await store.create(
      request({
        idempotencyKey: 'k-1',
        artifact: { ...request().artifact, digest: OTHER },
      }),
    );
    expect(again.created).toBe(false);
    expect(again.promotion.id).toBe(first.promotion.id);
    expect(again.promotion.artifact.digest).toBe(DIGEST);
    // Another requester with the same key is another promotion.
    const other = await store.create(
      request({ idempotencyKey: 'k-1', requester: 'user:default/bob' }),
    );
    expect(other.created).toBe(true);
    // Concurrent requests with one key make one promotion.
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        store.create(request({ idempotencyKey: 'k-2' })),
      ),
    );
    expect(new Set(racing.map(r => r.promotion.id)).size).toBe(1);
    expect(racing.filter(r => r.created)).toHaveLength(1);
  });

  it('moves state only from an expected state, recording actor and time', async () => {
    const { store } = await setup();
    const { promotion } = await store.create(request());
    const moved = await store.transition(promotion.id, {
      from: ['requested'],
      to: 'executing',
      actor: 'slipway',
      patch: { verdict: 'ready' },
    });
    expect(moved.state).toBe('executing');
    expect(moved.verdict).toBe('ready');
    await expect(
      store.transition(promotion.id, {
        from: ['requested'],
        to: 'executing',
        actor: 'slipway',
      }),
    ).rejects.toThrow(ConflictError);
    const committed = await store.transition(promotion.id, {
      from: ['executing'],
      to: 'committed',
      actor: 'slipway',
      patch: { commit: { sha: 'd'.repeat(40) } },
    });
    expect(committed.commit).toEqual({ sha: 'd'.repeat(40), url: undefined });
    expect(committed.timeline.map(e => e.state)).toEqual([
      'requested',
      'executing',
      'committed',
    ]);
  });

  it('concurrent transitions from one state: exactly one wins', async () => {
    const { store } = await setup();
    const { promotion } = await store.create(request());
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.transition(promotion.id, {
          from: ['requested'],
          to: 'executing',
          actor: `worker-${i}`,
        }),
      ),
    );
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('records one decision per approver (THREATS 17)', async () => {
    const { store } = await setup();
    const { promotion } = await store.create(request());
    const approval = {
      promotionId: promotion.id,
      approver: 'user:default/alice',
      decision: 'approve' as const,
      environment: 'prod',
      digest: DIGEST,
      policies: promotion.policies,
    };
    await store.addApproval(approval);
    await expect(
      store.addApproval({ ...approval, decision: 'reject' }),
    ).rejects.toThrow(ConflictError);
    const read = await store.get(promotion.id);
    expect(read?.approvals).toEqual([
      expect.objectContaining({
        approver: 'user:default/alice',
        decision: 'approve',
      }),
    ]);
    expect((await store.approvals(promotion.id))[0]).toMatchObject({
      digest: DIGEST,
      environment: 'prod',
      policies: [{ name: 'default', version: 2 }],
    });
  });

  it('lists newest first with a cursor, and the open ones oldest first', async () => {
    const { store } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await store.create(
            request({ environment: i % 2 ? 'staging' : 'prod' }),
          )
        ).promotion.id,
      );
    }
    await store.transition(ids[0], {
      from: ['requested'],
      to: 'cancelled',
      actor: 'x',
    });
    const page1 = await store.list({ limit: 2 });
    expect(page1.map(p => p.id)).toEqual([ids[4], ids[3]]);
    const page2 = await store.list({ limit: 2, before: page1[1].seq });
    expect(page2.map(p => p.id)).toEqual([ids[2], ids[1]]);
    expect(
      (await store.list({ limit: 10, environment: 'staging' })).map(p => p.id),
    ).toEqual([ids[3], ids[1]]);
    expect((await store.listOpen()).map(p => p.id)).toEqual(ids.slice(1));
  });

  it('freezes are active until lifted or past their end', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const { store } = await setup(() => now);
    const global = await store.createFreeze({
      scope: 'global',
      reason: 'incident 42',
      createdBy: 'user:default/alice',
    });
    await store.createFreeze({
      scope: 'environment',
      target: 'prod',
      reason: 'quarter end',
      createdBy: 'user:default/alice',
      until: '2026-12-01T11:00:00Z',
    });
    expect((await store.activeFreezes()).map(f => f.scope)).toEqual([
      'global',
      'environment',
    ]);
    now = Date.parse('2026-12-01T11:00:00Z');
    expect((await store.activeFreezes()).map(f => f.scope)).toEqual(['global']);
    const lifted = await store.liftFreeze(global.id, 'user:default/alice');
    expect(lifted.liftedBy).toBe('user:default/alice');
    expect(await store.activeFreezes()).toEqual([]);
    await expect(store.liftFreeze(global.id, 'x')).rejects.toThrow(
      ConflictError,
    );
  });

  it('soak starts when a digest is first seen healthy, and a redeploy or unhealthy resets it (THREATS 29)', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const { store } = await setup(() => now);
    const target = {
      entityRef: 'component:default/payments-api',
      environment: 'staging',
    };
    expect(
      await store.observe({
        ...target,
        digest: DIGEST,
        healthy: false,
        deployment: 'op-1',
      }),
    ).toEqual({ digest: DIGEST, healthySince: undefined });
    now += 60_000;
    expect(
      (
        await store.observe({
          ...target,
          digest: DIGEST,
          healthy: true,
          deployment: 'op-1',
        })
      ).healthySince,
    ).toBe('2026-12-01T10:01:00.000Z');
    now += 60_000;
    expect(
      (
        await store.observe({
          ...target,
          digest: DIGEST,
          healthy: true,
          deployment: 'op-1',
        })
      ).healthySince,
    ).toBe('2026-12-01T10:01:00.000Z');
    now += 60_000; // redeploy of the same digest
    expect(
      (
        await store.observe({
          ...target,
          digest: DIGEST,
          healthy: true,
          deployment: 'op-2',
        })
      ).healthySince,
    ).toBe('2026-12-01T10:03:00.000Z');
    now += 60_000; // degraded
    await store.observe({
      ...target,
      digest: DIGEST,
      healthy: false,
      deployment: 'op-2',
    });
    now += 60_000;
    expect(
      (
        await store.observe({
          ...target,
          digest: DIGEST,
          healthy: true,
          deployment: 'op-2',
        })
      ).healthySince,
    ).toBe('2026-12-01T10:05:00.000Z');
    now += 60_000; // another digest
    expect(
      (
        await store.observe({
          ...target,
          digest: OTHER,
          healthy: true,
          deployment: 'op-2',
        })
      ).healthySince,
    ).toBe('2026-12-01T10:06:00.000Z');
    expect(await store.observation(target.entityRef, 'staging')).toEqual({
      digest: OTHER,
      healthySince: '2026-12-01T10:06:00.000Z',
    });
  });

  it('locks: one holder at a time, expiry frees a crashed holder (THREATS 19)', async () => {
    let now = 1_000_000;
    const { lock } = await setup(() => now);
    const first = await lock.tryAcquire('promote:a|prod', 10_000);
    expect(first).toBeDefined();
    expect(await lock.tryAcquire('promote:a|prod', 10_000)).toBeUndefined();
    expect(await lock.tryAcquire('promote:a|staging', 10_000)).toBeDefined();
    now += 10_000; // the holder crashed; its lease ran out
    const second = await lock.tryAcquire('promote:a|prod', 10_000);
    expect(second).toBeDefined();
    expect(await first!.renew()).toBe(false);
    await first!.release(); // releasing a lost lease does not free the new holder's
    expect(await lock.tryAcquire('promote:a|prod', 10_000)).toBeUndefined();
    await second!.release();
    expect(await lock.tryAcquire('promote:a|prod', 10_000)).toBeDefined();
  });

  it('withLock serialises concurrent work on one key', async () => {
    const { lock } = await setup();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        lock.withLock(
          'promote:b|prod',
          async () => {
            inside += 1;
            most = Math.max(most, inside);
            await new Promise(r => setTimeout(r, 20));
            order.push(i);
            inside -= 1;
          },
          { pollMs: 5 },
        ),
      ),
    );
    expect(most).toBe(1);
    expect(order).toHaveLength(6);
  });

  it('migrates down and up around data', async () => {
    const { knex, store } = await setup();
    await store.create(request());
    const dir = require('node:path').resolve(__dirname, '../../migrations');
    await knex.migrate.rollback({
      directory: dir,
      tableName: 'slipway_knex_migrations',
    });
    expect(await knex.schema.hasTable('slipway_promotions')).toBe(false);
    await knex.migrate.latest({
      directory: dir,
      tableName: 'slipway_knex_migrations',
    });
    expect(await knex.schema.hasTable('slipway_locks')).toBe(true);
  });
});
