import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { PromotionPolicy } from '@slipway/plugin-slipway-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { KnexPolicyStore } from './KnexPolicyStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const policy = (description: string): PromotionPolicy => ({
  description,
  selector: { kinds: ['component'] },
  environments: {
    prod: { mode: 'pull-request', gates: [{ type: 'ci-passed' }] },
  },
});

describe.each(databases.eachSupportedId())('KnexPolicyStore on %s', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await KnexPolicyStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    return { knex, store };
  }

  it('saves versions and reads the latest and the history', async () => {
    const { store } = await createStore();
    const v1 = await store.save({
      name: 'default',
      policy: policy('first'),
      expectedVersion: 0,
      createdBy: 'user:default/alice',
      comment: 'initial',
    });
    expect(v1).toMatchObject({
      name: 'default',
      version: 1,
      comment: 'initial',
    });
    expect(new Date(v1.createdAt).getTime()).toBeGreaterThan(
      Date.now() - 60_000,
    );

    await store.save({
      name: 'default',
      policy: policy('second'),
      expectedVersion: 1,
      createdBy: 'user:default/alice',
    });
    await store.save({
      name: 'strict',
      policy: policy('strict'),
      expectedVersion: 0,
      createdBy: 'user:default/bob',
    });

    const latest = await store.getLatest('default');
    expect(latest?.version).toBe(2);
    expect(latest?.policy.description).toBe('second');
    expect(latest?.comment).toBeUndefined();

    const history = await store.getHistory('default');
    expect(history.map(v => v.version)).toEqual([2, 1]);
    expect(history[1].policy.description).toBe('first');

    const all = await store.listLatest();
    expect(all.map(p => [p.name, p.version])).toEqual([
      ['default', 2],
      ['strict', 1],
    ]);
    expect(await store.getLatest('missing')).toBeUndefined();
  });

  it('refuses a save from a stale version and changes nothing', async () => {
    const { store } = await createStore();
    await store.save({
      name: 'default',
      policy: policy('first'),
      expectedVersion: 0,
      createdBy: 'user:default/alice',
    });
    await expect(
      store.save({
        name: 'default',
        policy: policy('stale'),
        expectedVersion: 0,
        createdBy: 'user:default/bob',
      }),
    ).rejects.toThrow(ConflictError);
    expect((await store.getHistory('default')).length).toBe(1);
  });

  it('lets exactly one of many concurrent editors win', async () => {
    const { store } = await createStore();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.save({
          name: 'racy',
          policy: policy(`editor ${i}`),
          expectedVersion: 0,
          createdBy: `user:default/editor-${i}`,
        }),
      ),
    );
    const won = results.filter(r => r.status === 'fulfilled');
    const lost = results.filter(r => r.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const r of lost) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
    expect((await store.getHistory('racy')).length).toBe(1);
  });

  it('migrates down and up again around existing data', async () => {
    const { knex, store } = await createStore();
    await store.save({
      name: 'default',
      policy: policy('kept'),
      expectedVersion: 0,
      createdBy: 'user:default/alice',
    });
    const config = {
      directory: require('path').resolve(__dirname, '../../migrations'),
      tableName: 'slipway_knex_migrations',
    };
    // Down through every migration, down to before the policies table.
    await knex.migrate.rollback(config, true);
    expect(await knex.schema.hasTable('slipway_policy_versions')).toBe(false);
    await knex.migrate.latest(config);
    expect(await knex.schema.hasTable('slipway_policy_versions')).toBe(true);
    const again = await KnexPolicyStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    expect(await again.listLatest()).toEqual([]);
  });
});
