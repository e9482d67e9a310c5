import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { ArtifactState, EntityState } from '@slipway/plugin-slipway-common';
import { ArtifactProvider } from '@slipway/plugin-slipway-node';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import fs from 'node:fs';
import type { Knex } from 'knex';
// The second client of one database: a second backend replica.
// eslint-disable-next-line import/no-extraneous-dependencies
import knexFactory from 'knex';
import {
  ARGOCD_WRITE_TOKEN,
  buildNewImage,
  createPromotionReplica,
  eventually,
  freshClone,
  git,
  PEOPLE,
  FAST_SANDBOX_TIMINGS,
  REGISTRY_HOST,
  renderedImages,
  sandboxAdmin,
  sandboxParts,
  savePolicy,
  tempDir,
} from '../__testUtils__/promotionWiring';

// Integration tests: a sandbox, git clones, kubectl and a database on a
// loaded 2-core machine.
jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
if (
  process.env.SLIPWAY_REQUIRE_POSTGRES &&
  !databases.supports('POSTGRES_15')
) {
  throw new Error(
    'SLIPWAY_REQUIRE_POSTGRES is set but no PostgreSQL 15 is configured',
  );
}

const GITOPS = 'acme/gitops';
const overlayOf = (service: string, environment: string) =>
  `apps/${service}/overlays/${environment}`;
const refOf = (name: string) => ({
  kind: 'component',
  namespace: 'default',
  name,
});
const as = (user: string) => mockCredentials.user(user);
const fakeDigest = (n: number) =>
  `sha256:${n.toString(16).padStart(8, '0').repeat(8)}`;

describe.each(databases.eachSupportedId())(
  'promotions against the sandbox on %s',
  databaseId => {
    let sandbox: Sandbox;
    let dataDir: string;
    let root: string;
    let registryHost: string;
    // The engine's clock: real time plus what a test moved it on by.
    let offsetMs = 0;
    const clock = () => new Date(Date.now() + offsetMs);
    const extraClients: Knex[] = [];

    beforeAll(async () => {
      dataDir = tempDir('slipway-promotions-sandbox-');
      root = tempDir('slipway-promotions-work-');
      sandbox = await createSandbox({
        dataDir,
        basePort: 0,
        log: () => {},
        registryHost: REGISTRY_HOST,
        timings: FAST_SANDBOX_TIMINGS,
      });
      registryHost = REGISTRY_HOST;
    });

    afterAll(async () => {
      for (const client of extraClients) await client.destroy();
      await sandbox?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    });

    afterEach(() => sandbox.faults.clear());

    /** A second client of the database `knex` is on (another replica's). */
    function secondClient(knex: Knex): Knex {
      const client = knexFactory(knex.client.config);
      extraClients.push(client);
      return client;
    }

    let sharedKnex: Knex | undefined;
    async function database(): Promise<Knex> {
      sharedKnex ??= await databases.init(databaseId);
      return sharedKnex;
    }

    async function replica(
      options: Partial<Parameters<typeof createPromotionReplica>[0]> = {},
    ) {
      return createPromotionReplica({
        sandbox,
        knex: await database(),
        cacheDir: tempDir('slipway-promotions-cache-'),
        now: clock,
        ...options,
      });
    }

    async function overlayImages(service: string, environment: string) {
      const dir = await freshClone(sandbox, GITOPS, root);
      return renderedImages(dir, overlayOf(service, environment));
    }

    async function mainLog(): Promise<{ dir: string; messages: string[] }> {
      const dir = await freshClone(sandbox, GITOPS, root);
      // Merge commits of pull requests repeat the PR body: count the changes.
      const text = await git(
        ['log', '--no-merges', '--format=%H%x00%B%x01', 'main'],
        dir,
      );
      return {
        dir,
        messages: text
          .split('\x01')
          .map(s => s.trim())
          .filter(Boolean),
      };
    }

    function trailerCount(messages: string[], promotionId: string): number {
      return messages.filter(m =>
        m
          .split('\n')
          .some(line => line === `Slipway-Promotion: ${promotionId}`),
      ).length;
    }

    async function isAncestor(dir: string, sha: string, of = 'main') {
      try {
        await git(['merge-base', '--is-ancestor', sha, of], dir);
        return true;
      } catch {
        return false;
      }
    }

    const envOf = (state: EntityState, name: string) =>
      state.environments.find(e => e.environment === name)!;

    it('the full journey: dev → staging (soak) → prod (two approvals, pull request, Argo CD sync) → deployed → rollback, every overlay rendered by kubectl kustomize', async () => {
      const { service, policies, parts } = await replica();
      const ref = refOf('payments-api');
      const image = `${registryHost}/acme/payments-api`;
      const before = await parts.deployState.getEntityState(
        ref,
        await mockServicesAuth(),
        { fresh: true },
      );
      const prodBefore = envOf(before, 'prod').desired!.image!;
      expect(prodBefore.digest).toMatch(/^sha256:/);
      await savePolicy(policies, 'payments-journey', {
        selector: { entities: ['component:default/payments-api'] },
        environments: {
          dev: { mode: 'direct', gates: [] },
          staging: {
            mode: 'direct',
            sync: true,
            gates: [{ type: 'soak', upstream: 'dev', minutes: 30 }],
          },
          prod: {
            mode: 'pull-request',
            sync: true,
            gates: [
              {
                type: 'approvals',
                count: 2,
                groups: ['group:default/platform-admins'],
              },
            ],
          },
        },
      });
      const built = await buildNewImage(sandbox, 'payments-api', root);

      // dev: one direct commit; Argo CD auto-syncs it.
      const dev = await service.request(
        ref,
        { environment: 'dev', artifact: { digest: built.digest } },
        as(PEOPLE.guest),
      );
      expect(dev.state).toBe('syncing');
      expect(dev.artifact).toMatchObject({
        digest: built.digest,
        tag: built.tag,
      });
      expect(await overlayImages('payments-api', 'dev')).toEqual([
        `${image}:${built.tag}@${built.digest}`,
      ]);
      await eventually(
        async () => {
          await service.reconcile();
          return (
            (await service.get(dev.id, as(PEOPLE.guest))).state === 'deployed'
          );
        },
        60_000,
        'dev deployed',
      );

      // staging: the soak starts when dev is first seen healthy on the digest.
      const staging = await service.request(
        ref,
        { environment: 'staging', artifact: { from: 'upstream' } },
        as(PEOPLE.guest),
      );
      expect(staging.artifact.digest).toBe(built.digest);
      expect(staging.state).toBe('blocked');
      expect(staging.gates).toEqual([
        expect.objectContaining({ type: 'soak', status: 'pending' }),
      ]);
      await service.reconcile();
      expect((await service.get(staging.id, as(PEOPLE.guest))).state).toBe(
        'blocked',
      );
      // Nothing written while it soaks.
      expect(await overlayImages('payments-api', 'staging')).not.toContain(
        `${image}:${built.tag}@${built.digest}`,
      );
      offsetMs += 29 * 60_000;
      await service.reconcile();
      expect((await service.get(staging.id, as(PEOPLE.guest))).state).toBe(
        'blocked',
      );
      offsetMs += 2 * 60_000;
      await service.reconcile();
      const stagingSyncing = await service.get(staging.id, as(PEOPLE.guest));
      expect(stagingSyncing.state).toBe('syncing');
      expect(stagingSyncing.timeline.at(-1)?.message).toMatch(
        /Argo CD sync of payments-api-staging started/,
      );
      expect(await overlayImages('payments-api', 'staging')).toEqual([
        `${image}:${built.tag}@${built.digest}`,
      ]);
      await eventually(
        async () => {
          await service.reconcile();
          return (
            (await service.get(staging.id, as(PEOPLE.guest))).state ===
            'deployed'
          );
        },
        60_000,
        'staging deployed',
      );

      // prod: two approvals from platform-admins, never the requester; a pull request.
      const prod = await service.request(
        ref,
        { environment: 'prod', artifact: { from: 'upstream' } },
        as(PEOPLE.guest),
      );
      expect(prod.state).toBe('awaiting-approval');
      await expect(
        service.decide(prod.id, { decision: 'approve' }, as(PEOPLE.guest)),
      ).rejects.toThrow(/cannot approve their own/);
      const once = await service.decide(
        prod.id,
        { decision: 'approve', comment: 'looks good' },
        as(PEOPLE.alice),
      );
      expect(once.state).toBe('awaiting-approval');
      const twice = await service.decide(
        prod.id,
        { decision: 'approve' },
        as(PEOPLE.dave),
      );
      expect({ state: twice.state, error: twice.error }).toEqual({
        state: 'pr-open',
        error: undefined,
      });
      expect(twice.pullRequest).toMatchObject({
        branch: `slipway/promotion-${prod.id}`,
        url: expect.stringMatching(/\/pull\/\d+$/),
      });
      // Not on main until merged.
      expect(await overlayImages('payments-api', 'prod')).toEqual([
        `${image}:${prodBefore.tag}@${prodBefore.digest}`,
      ]);
      await sandboxAdmin(
        sandbox,
        'POST',
        `/admin/repos/${GITOPS}/pulls/${twice.pullRequest!.number}/merge`,
        {},
      );
      await service.reconcile();
      const prodSyncing = await service.get(prod.id, as(PEOPLE.guest));
      expect(prodSyncing.state).toBe('syncing');
      expect(prodSyncing.commit?.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(prodSyncing.timeline.map(e => e.state)).toEqual(
        expect.arrayContaining(['pr-open', 'committed', 'syncing']),
      );
      expect(await overlayImages('payments-api', 'prod')).toEqual([
        `${image}:${built.tag}@${built.digest}`,
      ]);
      await eventually(
        async () => {
          await service.reconcile();
          return (
            (await service.get(prod.id, as(PEOPLE.guest))).state === 'deployed'
          );
        },
        60_000,
        'prod deployed',
      );
      // "Deployed" by the Deploy tab's rule.
      const deployed = await parts.deployState.getEntityState(
        ref,
        await mockServicesAuth(),
        { fresh: true },
      );
      expect(envOf(deployed, 'prod')).toMatchObject({
        deployed: true,
        desired: { image: { digest: built.digest, tag: built.tag } },
      });

      // Rollback of prod with a reason: a new commit, history kept.
      const rollback = await service.rollback(
        ref,
        {
          environment: 'prod',
          digest: prodBefore.digest!,
          reason: 'Error rate up after the release',
        },
        as(PEOPLE.guest),
      );
      expect(rollback.kind).toBe('rollback');
      expect(rollback.state).toBe('awaiting-approval');
      await service.decide(
        rollback.id,
        { decision: 'approve' },
        as(PEOPLE.erin),
      );
      const rollbackOpen = await service.decide(
        rollback.id,
        { decision: 'approve' },
        as(PEOPLE.alice),
      );
      expect(rollbackOpen.state).toBe('pr-open');
      await sandboxAdmin(
        sandbox,
        'POST',
        `/admin/repos/${GITOPS}/pulls/${
          rollbackOpen.pullRequest!.number
        }/merge`,
        {},
      );
      await service.reconcile();
      const rolledBack = await service.get(rollback.id, as(PEOPLE.guest));
      expect(rolledBack.state).toBe('syncing');
      expect(await overlayImages('payments-api', 'prod')).toEqual([
        `${image}:${prodBefore.tag}@${prodBefore.digest}`,
      ]);
      const { dir, messages } = await mainLog();
      // The promotion's commit is still in main's history: nothing was rewritten.
      expect(await isAncestor(dir, prodSyncing.commit!.sha)).toBe(true);
      expect(await isAncestor(dir, rolledBack.commit!.sha)).toBe(true);
      expect(trailerCount(messages, prod.id)).toBe(1);
      expect(trailerCount(messages, rollback.id)).toBe(1);
      expect(
        messages.find(m => m.includes(`Slipway-Promotion: ${rollback.id}`)),
      ).toContain('Error rate up after the release');
      await eventually(
        async () => {
          await service.reconcile();
          return (
            (await service.get(rollback.id, as(PEOPLE.guest))).state ===
            'deployed'
          );
        },
        60_000,
        'rollback deployed',
      );
    });

    it('serialises 20 concurrent promotions from two replicas: the newest wins, no lost or duplicated commit, never a force push (THREATS 19)', async () => {
      const first = await database();
      // PostgreSQL: each replica has its own client, as two backends would.
      // SQLite cannot be shared by two clients in one process (a second
      // writer blocks the event loop on the file lock until SQLITE_BUSY), so
      // there the two engines share one client: the lease still serialises them.
      const second = databaseId === 'SQLITE_3' ? first : secondClient(first);
      const a = await replica({ knex: first, registry: false });
      const b = await replica({ knex: second, registry: false });
      const ref = refOf('inventory-api');
      const start = await mainLog();
      const startHead = await git(['rev-parse', 'main'], start.dir);
      const digests = Array.from({ length: 20 }, (_, i) =>
        fakeDigest(1000 + i),
      );
      const results = await Promise.all(
        digests.map((digest, i) =>
          (i % 2 ? b : a).service.request(
            ref,
            { environment: 'dev', artifact: { digest } },
            as(PEOPLE.guest),
          ),
        ),
      );
      const { items } = await a.service.list(
        { entityRef: 'component:default/inventory-api', environment: 'dev' },
        as(PEOPLE.guest),
      );
      const ours = items.filter(p => results.some(r => r.id === p.id));
      expect(ours).toHaveLength(20);
      for (const promotion of ours) {
        expect(['syncing', 'superseded']).toContain(promotion.state);
      }
      const newest = ours[0]; // newest first
      expect(newest.state).toBe('syncing');
      expect(await overlayImages('inventory-api', 'dev')).toEqual([
        `${registryHost}/acme/inventory-api@${newest.artifact.digest}`,
      ]);
      const { dir, messages } = await mainLog();
      const landed = ours.filter(p => p.state === 'syncing');
      for (const promotion of ours) {
        // Exactly one commit per landed promotion, none for superseded ones.
        expect(trailerCount(messages, promotion.id)).toBe(
          promotion.state === 'syncing' ? 1 : 0,
        );
      }
      for (const promotion of landed) {
        expect(await isAncestor(dir, promotion.commit!.sha)).toBe(true);
      }
      // A straight line of exactly the landed commits on top of the old head.
      expect(await isAncestor(dir, startHead)).toBe(true);
      const added = (
        await git(['rev-list', '--first-parent', `${startHead}..main`], dir)
      )
        .split('\n')
        .filter(Boolean);
      expect(added).toHaveLength(landed.length);
      expect(
        await git(['rev-list', '--merges', `${startHead}..main`], dir),
      ).toBe('');
      expect(new Set(added)).toEqual(new Set(landed.map(p => p.commit!.sha)));
      // Landing order = request order (the store's sequence): an older
      // promotion never lands after a newer one.
      const landedInOrder = [...added].reverse();
      const bySha = new Map(landed.map(p => [p.commit!.sha, p]));
      const age = landedInOrder.map(sha =>
        ours.findIndex(p => p.id === bySha.get(sha)!.id),
      ); // index in the newest-first list: must fall
      expect(age).toEqual([...age].sort((x, y) => y - x));
    });

    it('a non-fast-forward race is rebased and retried; "cannot lock ref" is retried (THREATS 19/20)', async () => {
      const { service } = await replica({ registry: false });
      const ref = refOf('inventory-api');
      for (const [index, rules] of [
        [{ vendor: 'git', mode: 'push-race', at: 'advertise', times: 1 }],
        [{ vendor: 'git', mode: 'push-race', at: 'update', times: 1 }],
        [
          {
            vendor: 'git',
            mode: 'push-reject',
            message:
              "cannot lock ref '{ref}': is at {current} but expected {expected}",
            times: 1,
          },
        ],
      ].entries()) {
        sandbox.faults.setRules(
          rules.map(r => ({ ...r, pathPrefix: '/git/acme/gitops.git' })) as any,
        );
        const digest = fakeDigest(2000 + index);
        const promotion = await service.request(
          ref,
          { environment: 'dev', artifact: { digest } },
          as(PEOPLE.guest),
        );
        expect({ state: promotion.state, error: promotion.error }).toEqual({
          state: 'syncing',
          error: undefined,
        });
        // The fault was used up: the first push really was refused.
        expect(sandbox.faults.list()).toEqual([]);
        const { dir, messages } = await mainLog();
        expect(trailerCount(messages, promotion.id)).toBe(1);
        expect(await isAncestor(dir, promotion.commit!.sha)).toBe(true);
        // A race is rebased on the concurrent change, which is kept.
        const parent = await git(
          ['log', '-1', '--format=%s', `${promotion.commit!.sha}^`],
          dir,
        );
        expect(/Concurrent change/.test(parent)).toBe(
          rules[0].mode === 'push-race',
        );
        expect(await overlayImages('inventory-api', 'dev')).toEqual([
          `${registryHost}/acme/inventory-api@${digest}`,
        ]);
      }
    });

    it('a protected main in direct mode: failed with the protected-branch reason, nothing written (THREATS 20)', async () => {
      const { service } = await replica({ registry: false });
      const before = await mainLog();
      const head = await git(['rev-parse', 'main'], before.dir);
      await sandboxAdmin(
        sandbox,
        'PUT',
        `/admin/repos/${GITOPS}/branches/main/protection`,
        { protected: true },
      );
      try {
        const promotion = await service.request(
          refOf('inventory-api'),
          { environment: 'dev', artifact: { digest: fakeDigest(3000) } },
          as(PEOPLE.guest),
        );
        expect(promotion.state).toBe('failed');
        expect(promotion.error).toMatch(
          /Branch main is protected.*use pull-request mode.*GH006/,
        );
        const after = await mainLog();
        expect(await git(['rev-parse', 'main'], after.dir)).toBe(head);
        expect(trailerCount(after.messages, promotion.id)).toBe(0);
      } finally {
        await sandboxAdmin(
          sandbox,
          'PUT',
          `/admin/repos/${GITOPS}/branches/main/protection`,
          { protected: false },
        );
      }
    });

    it('a process killed between the push and the database update: the reconciler of another replica converges to exactly one commit (THREATS 22)', async () => {
      const first = await database();
      const dying = databaseId === 'SQLITE_3' ? first : secondClient(first);
      const built = await buildNewImage(sandbox, 'notifications-worker', root);
      let pushed!: (sha: string) => void;
      const pushedCommit = new Promise<string>(resolve => {
        pushed = resolve;
      });
      // Replica A dies right after its push landed: the write returns to no
      // one, so the database never hears of the commit.
      const a = await replica({
        knex: dying,
        wrapWriter: writer => ({
          preview: change => writer.preview(change),
          pullRequestState: (url, pr) => writer.pullRequestState(url, pr),
          changePosition: (change, promotion) =>
            writer.changePosition(change, promotion),
          write: async change => {
            const result = await writer.write(change);
            pushed(result.commitSha!);
            return new Promise<never>(() => {});
          },
        }),
      });
      // Replica B runs the reconciler after the dead holder's lease ran out.
      const b = await replica({
        knex: first,
        lockNow: () => Date.now() + 61_000,
      });
      const ref = refOf('notifications-worker');
      void a.service
        .request(
          ref,
          { environment: 'dev', artifact: { digest: built.digest } },
          as(PEOPLE.guest),
        )
        .catch(() => undefined);
      const sha = await pushedCommit;
      if (dying !== first) await dying.destroy();
      const [left] = await b.store.listOpen({
        entityRef: 'component:default/notifications-worker',
        environment: 'dev',
      });
      expect(left.state).toBe('executing');
      expect(left.commit).toBeUndefined();
      let log = await mainLog();
      expect(trailerCount(log.messages, left.id)).toBe(1);

      await b.service.reconcile();
      const after = await b.service.get(left.id, as(PEOPLE.guest));
      expect(after.state).toBe('syncing');
      expect(after.commit?.sha).toBe(sha);
      expect(after.timeline.map(e => e.message)).toContain(
        'Found the commit of an earlier attempt',
      );
      log = await mainLog();
      expect(trailerCount(log.messages, left.id)).toBe(1);
      expect(await overlayImages('notifications-worker', 'dev')).toEqual([
        `${registryHost}/acme/notifications-worker:${built.tag}@${built.digest}`,
      ]);
      await eventually(
        async () => {
          await b.service.reconcile();
          return (
            (await b.service.get(left.id, as(PEOPLE.guest))).state ===
            'deployed'
          );
        },
        60_000,
        'deployed after the crash',
      );
      log = await mainLog();
      expect(trailerCount(log.messages, left.id)).toBe(1);
    });

    it('Argo CD "another operation is already in progress" during the sync: waits and syncs, never terminates the other operation (THREATS 23)', async () => {
      const calls: { method: string; url: string; status: number }[] = [];
      let foreign = 0;
      let foreignStatus: number | undefined;
      const recordingFetch: typeof fetch = async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        const method = (init?.method ?? 'GET').toUpperCase();
        if (
          method === 'POST' &&
          /\/applications\/checkout-web-staging\/sync$/.test(url) &&
          foreign++ === 0
        ) {
          // Someone else starts a sync a moment before the engine's.
          const res = await fetch(url, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${ARGOCD_WRITE_TOKEN}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ prune: false }),
          });
          foreignStatus = res.status;
        }
        const res = await fetch(input, init);
        if (url.startsWith(sandbox.urls.argocd)) {
          calls.push({ method, url, status: res.status });
        }
        return res;
      };
      const { service, policies } = await replica({ fetch: recordingFetch });
      await savePolicy(policies, 'checkout-sync', {
        selector: { entities: ['component:default/checkout-web'] },
        environments: { staging: { mode: 'direct', sync: true, gates: [] } },
      });
      const promotion = await service.request(
        refOf('checkout-web'),
        { environment: 'staging', artifact: { from: 'upstream' } },
        as(PEOPLE.guest),
      );
      expect(foreignStatus).toBe(200);
      expect(promotion.state).toBe('syncing');
      expect(promotion.timeline.at(-1)?.message).toMatch(
        /Argo CD sync of checkout-web-staging started/,
      );
      const syncs = calls.filter(
        c => c.method === 'POST' && /\/sync$/.test(c.url),
      );
      // The engine's first sync met the other operation (400), the second went through.
      expect(syncs.map(c => c.status)).toEqual([400, 200]);
      expect(calls.filter(c => c.method === 'DELETE')).toEqual([]);
      await eventually(
        async () => {
          await service.reconcile();
          return (
            (await service.get(promotion.id, as(PEOPLE.guest))).state ===
            'deployed'
          );
        },
        60_000,
        'staging deployed',
      );
    });

    it('a tag re-pushed to another digest between request and execution: the digest resolved at request is written (THREATS 24)', async () => {
      const parts = sandboxParts(sandbox, tempDir('slipway-promotions-cache-'));
      const harbor = parts.providers.artifacts[0];
      // The sandbox registry cannot re-point a tag (see the report); this
      // registry answers as Harbor does after a re-push: the tag has moved.
      const moved = new Map<string, ArtifactState>();
      const movedFrom = new Map<string, string>();
      const retagging: ArtifactProvider = {
        id: harbor.id,
        kind: 'artifacts',
        supports: r => harbor.supports(r),
        listArtifacts: async (r, c) =>
          (await harbor.listArtifacts(r, c)).map(a =>
            movedFrom.has(a.image.digest!)
              ? { ...a, image: { ...a.image, tag: undefined } }
              : moved.get(a.image.digest!) ?? a,
          ),
        getArtifact: async (r, c) => {
          const tag = r.image.tag;
          const byTag = tag
            ? [...moved.values()].find(a => a.image.tag === tag)
            : undefined;
          if (byTag) return byTag;
          const found = await harbor.getArtifact(r, c);
          if (!found) return found;
          if (movedFrom.has(found.image.digest!)) {
            return { ...found, image: { ...found.image, tag: undefined } };
          }
          return moved.get(found.image.digest!) ?? found;
        },
      };
      parts.providers.artifacts.splice(0, 1, retagging);
      const { service, policies } = await replica({ parts });
      await savePolicy(policies, 'orders-approval', {
        selector: { entities: ['component:default/orders-service'] },
        environments: {
          staging: {
            mode: 'direct',
            gates: [
              {
                type: 'approvals',
                count: 1,
                groups: ['group:default/platform-admins'],
              },
            ],
          },
        },
      });
      const ref = refOf('orders-service');
      // dev runs a new build; staging is asked for "what runs in dev".
      const first = await buildNewImage(sandbox, 'orders-service', root);
      expect(
        (
          await service.request(
            ref,
            { environment: 'dev', artifact: { digest: first.digest } },
            as(PEOPLE.guest),
          )
        ).state,
      ).toBe('syncing');
      const requested = await service.request(
        ref,
        { environment: 'staging', artifact: { from: 'upstream' } },
        as(PEOPLE.guest),
      );
      expect(requested.state).toBe('awaiting-approval');
      const pinned = requested.artifact;
      expect(pinned).toMatchObject({ digest: first.digest, tag: first.tag });

      // Meanwhile: a new build, its tag re-pushed as the old tag, and dev moved on.
      const built = await buildNewImage(sandbox, 'orders-service', root);
      const newer = await harbor.getArtifact(
        {
          repositorySlug: 'acme/orders-service',
          image: {
            repository: `${registryHost}/acme/orders-service`,
            digest: built.digest,
          },
        },
        { signal: AbortSignal.timeout(10_000) },
      );
      moved.set(built.digest, {
        ...newer!,
        image: { ...newer!.image, tag: pinned.tag },
      });
      movedFrom.set(pinned.digest, pinned.tag!);
      const dev = await service.request(
        ref,
        { environment: 'dev', artifact: { digest: built.digest } },
        as(PEOPLE.guest),
      );
      expect(dev.state).toBe('syncing');

      const approved = await service.decide(
        requested.id,
        { decision: 'approve' },
        as(PEOPLE.alice),
      );
      expect(approved.state).toBe('syncing');
      expect(approved.artifact.digest).toBe(pinned.digest);
      expect(await overlayImages('orders-service', 'staging')).toEqual([
        `${registryHost}/acme/orders-service:${pinned.tag}@${pinned.digest}`,
      ]);
    });

    async function mockServicesAuth() {
      // The engine reads state with its own service credentials.
      return mockCredentials.service();
    }
  },
);
