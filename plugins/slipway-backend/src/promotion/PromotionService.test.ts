import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  commitOf,
  createHarness,
  digest,
  ENTITY,
  USERS,
} from './__testUtils__/promotionHarness';

jest.setTimeout(120_000);

const databases = createTestDatabases();

const approvalsPolicy = (count = 2) => ({
  selector: {},
  environments: {
    prod: {
      mode: 'direct' as const,
      gates: [
        {
          type: 'approvals' as const,
          count,
          groups: ['group:default/platform-admins'],
        },
      ],
    },
  },
});

describe.each(databases.eachSupportedId())('PromotionService on %s', id => {
  async function harness(options?: Parameters<typeof createHarness>[1]) {
    return createHarness(await databases.init(id), options);
  }

  it('promotes what runs upstream as one commit, pinned to its digest (THREATS 24)', async () => {
    const h = await harness();
    const promotion = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { from: 'upstream' } },
      h.as(USERS.guest),
    );
    expect(promotion.state).toBe('syncing');
    expect(promotion.artifact).toMatchObject({
      digest: digest('a'),
      tag: commitOf('a'),
    });
    expect(h.writer.commits).toEqual([
      expect.objectContaining({
        promotionId: promotion.id,
        digest: digest('a'),
        path: 'apps/payments-api/overlays/staging',
      }),
    ]);
    expect(promotion.timeline.map(e => e.state)).toEqual([
      'requested',
      'executing',
      'committed',
      'syncing',
    ]);
    // Argo CD deploys it; the reconciler sees it by the Deploy tab's rule.
    h.environments.staging = { digest: digest('a'), deployed: true };
    await h.service.reconcile();
    expect((await h.service.get(promotion.id, h.as(USERS.guest))).state).toBe(
      'deployed',
    );
  });

  it('refuses a promotion without permission with zero git calls (THREATS 16)', async () => {
    const h = await harness({ teamEnvironments: ['dev', 'staging'] });
    await expect(
      h.service.request(
        h.ref,
        { environment: 'staging', artifact: { from: 'upstream' } },
        h.as(USERS.mallory),
      ),
    ).rejects.toThrow(NotAllowedError);
    // A permission that holds for staging does not hold for prod.
    await expect(
      h.service.request(
        h.ref,
        { environment: 'prod', artifact: { from: 'upstream' } },
        h.as(USERS.guest),
      ),
    ).rejects.toThrow(NotAllowedError);
    expect(h.writer.writes).toBe(0);
    expect(h.permissionCalls).toContain(
      'slipway.promotion.create component:default/payments-api#prod',
    );
    // The resource is derived server-side from the path, not from the body.
    expect(h.permissionCalls.every(c => !c.includes('undefined'))).toBe(true);
  });

  it('refuses a preview without permission before any fresh read or registry call (THREATS 16)', async () => {
    const h = await harness({ teamEnvironments: ['dev', 'staging'] });
    h.setArtifactsDown(true); // a registry call would fail differently
    for (const [user, environment] of [
      [USERS.mallory, 'staging'],
      [USERS.guest, 'prod'],
    ] as const) {
      await expect(
        h.service.preview(
          h.ref,
          { environment, artifact: { digest: digest('a') } },
          h.as(user),
        ),
      ).rejects.toThrow(NotAllowedError);
    }
    expect(h.deployState.reads).toBe(0);
    expect(h.permissionCalls).toContain(
      'slipway.promotion.create component:default/payments-api#prod',
    );
  });

  it("a GitOps read that predates the promotion's own commit does not supersede it; a later commit does", async () => {
    const h = await harness();
    const before = h.writer.overlays.get('apps/payments-api/overlays/staging');
    const promotion = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { from: 'upstream' } },
      h.as(USERS.guest),
    );
    expect(promotion.state).toBe('syncing');
    // The reconciler's fresh read was in flight when the commit was pushed:
    // it still answers the overlay from before (found in the e2e suite).
    h.deployState.laggingOverlays.set('apps/payments-api/overlays/staging', {
      digest: before?.digest ?? digest('0'),
    });
    h.writer.lagging = true;
    await h.service.reconcile();
    expect((await h.service.get(promotion.id, h.as(USERS.guest))).state).toBe(
      'syncing',
    );
    // The history shows the promotion's commit as the newest change: still not superseded.
    h.writer.lagging = false;
    await h.service.reconcile();
    expect((await h.service.get(promotion.id, h.as(USERS.guest))).state).toBe(
      'syncing',
    );
    // A later change of the overlay (another promotion's commit) does supersede it.
    h.deployState.laggingOverlays.clear();
    const later = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('b') } },
      h.as(USERS.guest),
    );
    expect(later.state).toBe('syncing');
    await h.service.reconcile();
    const first = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(first.state).toBe('superseded');
  });

  it('is idempotent on the client key', async () => {
    const h = await harness();
    const body = {
      environment: 'staging',
      artifact: { from: 'upstream' as const },
      idempotencyKey: 'click-1',
    };
    const first = await h.service.request(h.ref, body, h.as(USERS.guest));
    const second = await h.service.request(h.ref, body, h.as(USERS.guest));
    expect(second.id).toBe(first.id);
    expect(h.writer.commits).toHaveLength(1);
  });

  it('waits for N distinct eligible approvers, never the requester (THREATS 17)', async () => {
    const h = await harness();
    await h.savePolicy('prod-approvals', approvalsPolicy(2));
    const promotion = await h.service.request(
      h.ref,
      { environment: 'prod', artifact: { digest: digest('a') } },
      h.as(USERS.alice),
    );
    expect(promotion.state).toBe('awaiting-approval');
    expect(promotion.policies).toEqual([
      { name: 'prod-approvals', version: 1 },
    ]);
    await expect(
      h.service.decide(
        promotion.id,
        { decision: 'approve' },
        h.as(USERS.alice),
      ),
    ).rejects.toThrow(/requester cannot approve/);
    await expect(
      h.service.decide(
        promotion.id,
        { decision: 'approve' },
        h.as(USERS.mallory),
      ),
    ).rejects.toThrow(NotAllowedError);
    const one = await h.service.decide(
      promotion.id,
      { decision: 'approve' },
      h.as(USERS.bob),
    );
    expect(one.state).toBe('awaiting-approval');
    await expect(
      h.service.decide(promotion.id, { decision: 'approve' }, h.as(USERS.bob)),
    ).rejects.toThrow(ConflictError);
    expect(h.writer.writes).toBe(0);
    // A third admin approves: two distinct approvers, the promotion runs.
    h.memberships['user:default/dave'] = ['group:default/platform-admins'];
    h.refreshCatalog();
    const done = await h.service.decide(
      promotion.id,
      { decision: 'approve', comment: 'ok' },
      h.as('user:default/dave'),
    );
    expect(done.state).toBe('syncing');
    expect(done.approvals.map(a => a.approver)).toEqual([
      USERS.bob,
      'user:default/dave',
    ]);
  });

  it('re-checks approvers when it executes: one who lost the group no longer counts (THREATS 17)', async () => {
    const h = await harness();
    await h.savePolicy('prod-approvals', approvalsPolicy(1));
    const promotion = await h.service.request(
      h.ref,
      { environment: 'prod', artifact: { digest: digest('a') } },
      h.as(USERS.guest),
    );
    // Freeze so the approval is recorded but nothing executes yet.
    await h.service.freeze(
      { scope: 'environment', target: 'prod', reason: 'audit' },
      h.as(USERS.alice),
    );
    await h.service.decide(
      promotion.id,
      { decision: 'approve' },
      h.as(USERS.bob),
    );
    h.memberships[USERS.bob] = ['group:default/team-storefront'];
    h.refreshCatalog();
    const [freeze] = await h.service.listFreezes();
    await h.service.lift(freeze.id, h.as(USERS.alice));
    await h.service.reconcile();
    const after = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(after.state).toBe('awaiting-approval');
    expect(h.writer.writes).toBe(0);
  });

  it('does not count an approval given for another policy version (THREATS 18)', async () => {
    const h = await harness();
    await h.savePolicy('prod-approvals', approvalsPolicy(2));
    const promotion = await h.service.request(
      h.ref,
      { environment: 'prod', artifact: { digest: digest('a') } },
      h.as(USERS.guest),
    );
    const first = await h.service.decide(
      promotion.id,
      { decision: 'approve' },
      h.as(USERS.bob),
    );
    expect(first.policies).toEqual([{ name: 'prod-approvals', version: 1 }]);
    // The policy changes while the promotion waits: the approval was given
    // under version 1 and no longer counts; the promotion now answers to 2.
    await h.savePolicy('prod-approvals', approvalsPolicy(1));
    await h.service.reconcile();
    const stale = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(stale.state).toBe('awaiting-approval');
    expect(stale.policies).toEqual([{ name: 'prod-approvals', version: 2 }]);
    expect(stale.gates.find(g => g.type === 'approvals')?.reason).toMatch(
      /^0 of 1 approvals/,
    );
    expect(h.writer.writes).toBe(0);
    // Approving again binds the approval to version 2.
    const again = await h.service.decide(
      promotion.id,
      { decision: 'approve' },
      h.as(USERS.bob),
    );
    expect(again.state).toBe('syncing');
    // An approval of one promotion never counts for another (other digest).
    const next = await h.service.request(
      h.ref,
      { environment: 'prod', artifact: { digest: digest('b') } },
      h.as(USERS.guest),
    );
    expect(next.state).toBe('awaiting-approval');
  });

  it('a rejection by an eligible approver fails the promotion', async () => {
    const h = await harness();
    await h.savePolicy('prod-approvals', approvalsPolicy(2));
    const promotion = await h.service.request(
      h.ref,
      { environment: 'prod', artifact: { digest: digest('a') } },
      h.as(USERS.guest),
    );
    const rejected = await h.service.decide(
      promotion.id,
      { decision: 'reject', comment: 'not today' },
      h.as(USERS.bob),
    );
    expect(rejected.state).toBe('failed');
    expect(rejected.error).toBe('Rejected by user:default/bob');
  });

  it('serialises 20 concurrent promotions: the newest request wins, no lost or duplicated commit (THREATS 19)', async () => {
    const h = await harness();
    h.writer.writeDelayMs = 5;
    const digests = 'bcdef0123456789abcde'.split('');
    const results = await Promise.all(
      digests.map((c, i) =>
        new Promise(r => setTimeout(r, i)).then(() =>
          h.service.request(
            h.ref,
            { environment: 'staging', artifact: { digest: digest(c) } },
            h.as(USERS.guest),
          ),
        ),
      ),
    );
    const final = await Promise.all(results.map(p => h.store.getOrThrow(p.id)));
    const newest = final.reduce((a, b) => (a.seq > b.seq ? a : b));
    const overlay = h.writer.overlays.get('apps/payments-api/overlays/staging');
    const landed = final.filter(p => p.state === 'syncing');
    // Every commit belongs to exactly one promotion; none twice.
    const committedIds = h.writer.commits
      .filter(c => c.path.endsWith('staging'))
      .map(c => c.promotionId);
    expect(new Set(committedIds).size).toBe(committedIds.length);
    expect(landed.map(p => p.id).sort()).toEqual([...committedIds].sort());
    // Commits land in request order, and the newest request lands last.
    const seqOf = new Map(final.map(p => [p.id, p.seq]));
    const order = committedIds.map(committed => seqOf.get(committed)!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(newest.state).toBe('syncing');
    expect(overlay?.digest).toBe(newest.artifact.digest);
    for (const p of final) {
      expect(['syncing', 'superseded']).toContain(p.state);
    }
  });

  it('target already at the digest is a recorded no-op (THREATS 21)', async () => {
    const h = await harness();
    const promotion = await h.service.request(
      h.ref,
      { environment: 'dev', artifact: { digest: digest('a') } },
      h.as(USERS.guest),
    );
    expect(promotion.state).toBe('no-op');
    expect(h.writer.commits).toHaveLength(0);
  });

  it('a crash between the push and the database update converges to one commit (THREATS 22)', async () => {
    const h = await harness();
    h.writer.crashAfterCommit = true;
    const promotion = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('b') } },
      h.as(USERS.guest),
    );
    // The write failed after pushing: the commit exists, so the outcome is
    // unknown, not failed; the promotion stays executing for the reconciler.
    const afterCrash = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(afterCrash.state).toBe('executing');
    expect(afterCrash.timeline.at(-1)?.message).toMatch(/outcome unknown/);
    expect(h.writer.commits).toHaveLength(1);
    await h.service.reconcile();
    const after = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(after.state).toBe('syncing');
    expect(after.commit?.sha).toBe(h.writer.commits[0].sha);
    expect(h.writer.commits).toHaveLength(1);
  });

  it('a refused write fails the promotion at once; an unknown outcome fails only after the deploy timeout', async () => {
    const h = await harness();
    h.writer.failWith = new ConflictError('Branch main kept moving');
    const refused = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('b') } },
      h.as(USERS.guest),
    );
    expect(refused.state).toBe('failed');
    h.writer.failWith = new Error('socket hang up');
    const unknown = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('c') } },
      h.as(USERS.guest),
    );
    expect(unknown.state).toBe('executing');
    await h.service.reconcile();
    expect((await h.service.get(unknown.id, h.as(USERS.guest))).state).toBe(
      'executing',
    );
    h.advanceClock(31 * 60_000);
    await h.service.reconcile();
    const gaveUp = await h.service.get(unknown.id, h.as(USERS.guest));
    expect(gaveUp.state).toBe('failed');
    expect(gaveUp.error).toBe('socket hang up');
    expect(h.writer.commits).toHaveLength(0);
  });

  it('an execution whose process died is resumed by the reconciler and finds its commit (THREATS 22)', async () => {
    const h = await harness();
    const { promotion } = await h.store.create({
      entityRef: 'component:default/payments-api',
      environment: 'staging',
      kind: 'promotion',
      artifact: {
        repository: 'harbor.example/acme/payments-api',
        digest: digest('c'),
        tag: commitOf('c'),
      },
      state: 'executing',
      mode: 'direct',
      requester: USERS.guest,
      breakGlass: false,
      policies: [],
      gates: [],
    });
    // The dead process had pushed its commit (with the trailer) before dying.
    h.writer.commits.push({
      sha: 'f'.repeat(40),
      promotionId: promotion.id,
      path: 'apps/payments-api/overlays/staging',
      digest: digest('c'),
    });
    h.writer.overlays.set('apps/payments-api/overlays/staging', {
      digest: digest('c'),
    });
    await h.service.reconcile();
    const after = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(after.state).toBe('syncing');
    expect(after.commit?.sha).toBe('f'.repeat(40));
    expect(h.writer.commits).toHaveLength(1);
  });

  it('scanner down or scan missing fails closed in gated environments (THREATS 25)', async () => {
    const h = await harness();
    await h.savePolicy('scan', {
      selector: {},
      environments: {
        staging: { mode: 'direct', gates: [{ type: 'scan', maxCritical: 0 }] },
      },
    });
    h.setArtifactsDown(true);
    const blocked = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('b') } },
      h.as(USERS.guest),
    );
    expect(blocked.state).toBe('blocked');
    expect(blocked.gates.find(g => g.type === 'scan')?.status).toBe('unknown');
    h.setArtifactsDown(false);
    h.addArtifact('c', { scan: undefined });
    const unscanned = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('c') } },
      h.as(USERS.guest),
    );
    expect(unscanned.state).toBe('blocked');
    expect(h.writer.writes).toBe(0);
  });

  it('the signature gate sees who signed, as the registry reports it; unread signers fail closed (THREATS 27)', async () => {
    const h = await harness();
    const ci =
      'https://github.com/acme/payments-api/.github/workflows/ci.yaml@refs/heads/main';
    const github = 'https://token.actions.githubusercontent.com';
    await h.savePolicy('signed', {
      selector: {},
      environments: {
        staging: {
          mode: 'direct',
          gates: [{ type: 'signature', identity: ci, issuer: github }],
        },
      },
    });
    h.addArtifact('c', {
      signature: {
        signed: true,
        count: 1,
        signers: [{ identity: ci, issuer: github }],
      },
    });
    h.addArtifact('d', {
      signature: {
        signed: true,
        count: 1,
        signers: [{ identity: ci, issuer: 'https://attacker.example' }],
      },
    });
    h.addArtifact('e', { signature: { signed: true, count: 1 } });
    const gateOf = async (c: string) =>
      (
        await h.service.preview(
          h.ref,
          { environment: 'staging', artifact: { digest: digest(c) } },
          h.as(USERS.guest),
        )
      ).gates.find(g => g.type === 'signature');
    expect(await gateOf('c')).toMatchObject({
      status: 'pass',
      reason: `Signed by ${ci}`,
    });
    // Same identity, another issuer: pinned means both.
    expect(await gateOf('d')).toMatchObject({
      status: 'fail',
      reason: `No signature by ${ci} from ${github}`,
    });
    // Signed, but nobody read who signed: unknown, never a pass.
    expect((await gateOf('e'))?.status).toBe('unknown');
    expect(h.writer.writes).toBe(0);
  });

  it('soak starts when the digest is first seen healthy upstream and gates until it has lasted (THREATS 29)', async () => {
    const h = await harness();
    await h.savePolicy('soak', {
      selector: {},
      environments: {
        staging: {
          mode: 'direct',
          gates: [{ type: 'soak', upstream: 'dev', minutes: 30 }],
        },
      },
    });
    const promotion = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { from: 'upstream' } },
      h.as(USERS.guest),
    );
    expect(promotion.state).toBe('blocked');
    const soak = promotion.gates.find(g => g.type === 'soak')!;
    expect(soak.status).toBe('pending');
    expect(soak.changesAt).toBe('2026-12-01T10:30:00.000Z');
    h.advanceClock(29 * 60_000);
    await h.service.reconcile();
    expect((await h.service.get(promotion.id, h.as(USERS.guest))).state).toBe(
      'blocked',
    );
    h.advanceClock(60_000);
    await h.service.reconcile();
    expect((await h.service.get(promotion.id, h.as(USERS.guest))).state).toBe(
      'syncing',
    );
  });

  it('a redeploy upstream restarts the soak', async () => {
    const h = await harness();
    await h.savePolicy('soak', {
      selector: {},
      environments: {
        staging: {
          mode: 'direct',
          gates: [{ type: 'soak', upstream: 'dev', minutes: 30 }],
        },
      },
    });
    const promotion = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { from: 'upstream' } },
      h.as(USERS.guest),
    );
    h.advanceClock(20 * 60_000);
    h.environments.dev = { ...h.environments.dev, finishedAt: 'op-2' };
    await h.service.reconcile();
    h.advanceClock(20 * 60_000);
    await h.service.reconcile();
    const after = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(after.state).toBe('blocked');
    expect(after.gates.find(g => g.type === 'soak')?.reason).toBe(
      'Soaking in dev: 20 of 30 min',
    );
  });

  it('freezes hold promotions until lifted; stop the line covers everything', async () => {
    const h = await harness();
    await expect(
      h.service.freeze(
        { scope: 'global', reason: 'incident' },
        h.as(USERS.guest),
      ),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      h.service.freeze(
        { scope: 'environment', reason: 'x' },
        h.as(USERS.alice),
      ),
    ).rejects.toThrow(InputError);
    const freeze = await h.service.freeze(
      { scope: 'global', reason: 'incident 42' },
      h.as(USERS.alice),
    );
    const promotion = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { from: 'upstream' } },
      h.as(USERS.guest),
    );
    expect(promotion.state).toBe('blocked');
    expect(promotion.gates[0].reason).toBe(
      'Stop the line by user:default/alice: incident 42',
    );
    await h.service.lift(freeze.id, h.as(USERS.alice));
    await h.service.reconcile();
    expect((await h.service.get(promotion.id, h.as(USERS.guest))).state).toBe(
      'syncing',
    );
  });

  it('break-glass needs its own permission and a reason, and is recorded (THREATS 28)', async () => {
    const h = await harness();
    await h.service.freeze(
      { scope: 'environment', target: 'staging', reason: 'quarter end' },
      h.as(USERS.alice),
    );
    await expect(
      h.service.request(
        h.ref,
        {
          environment: 'staging',
          artifact: { from: 'upstream' },
          breakGlass: true,
          reason: 'hotfix',
        },
        h.as(USERS.guest),
      ),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      h.service.request(
        h.ref,
        {
          environment: 'staging',
          artifact: { from: 'upstream' },
          breakGlass: true,
        },
        h.as(USERS.alice),
      ),
    ).rejects.toThrow(/reason/);
    const promotion = await h.service.request(
      h.ref,
      {
        environment: 'staging',
        artifact: { from: 'upstream' },
        breakGlass: true,
        reason: 'CVE hotfix',
      },
      h.as(USERS.alice),
    );
    expect(promotion.breakGlass).toBe(true);
    expect(promotion.state).toBe('syncing');
    expect(
      promotion.timeline.find(e => e.state === 'executing')?.message,
    ).toMatch(/^Break-glass past: Frozen environment staging/);
  });

  it('rolls back with a reason as a new commit; auto-promotion then skips the rolled-back digest (THREATS 30)', async () => {
    const h = await harness();
    await h.savePolicy('auto', {
      selector: {},
      environments: {
        staging: { mode: 'direct', autoPromote: true, gates: [] },
      },
    });
    const forward = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { from: 'upstream' } },
      h.as(USERS.guest),
    );
    h.environments.staging = { digest: digest('a'), deployed: true };
    await h.service.reconcile();
    expect((await h.service.get(forward.id, h.as(USERS.guest))).state).toBe(
      'deployed',
    );
    await expect(
      h.service.rollback(
        h.ref,
        { environment: 'staging', digest: digest('0'), reason: ' ' },
        h.as(USERS.guest),
      ),
    ).rejects.toThrow(/reason/);
    const back = await h.service.rollback(
      h.ref,
      {
        environment: 'staging',
        digest: digest('0'),
        reason: 'payments failing',
      },
      h.as(USERS.guest),
    );
    expect(back.kind).toBe('rollback');
    expect(back.state).toBe('syncing');
    expect(h.writer.commits.map(c => c.digest)).toEqual([
      digest('a'),
      digest('0'),
    ]);
    h.environments.staging = { digest: digest('0'), deployed: true };
    await h.service.reconcile();
    // dev still runs a: auto-promotion must not undo the rollback.
    expect(await h.service.autoPromote([ENTITY])).toEqual([]);
    // A newer build in dev is promoted again.
    h.writer.overlays.set('apps/payments-api/overlays/dev', {
      tag: commitOf('b'),
      digest: digest('b'),
    });
    h.environments.dev = { digest: digest('b'), deployed: true };
    const started = await h.service.autoPromote([ENTITY]);
    expect(started).toHaveLength(1);
    const auto = await h.service.get(started[0], h.as(USERS.guest));
    expect(auto).toMatchObject({
      requester: 'slipway',
      state: 'syncing',
      artifact: { digest: digest('b') },
    });
  });

  it('pull-request mode: one PR per promotion, merge moves it on, close cancels it', async () => {
    const h = await harness();
    await h.savePolicy('pr', {
      selector: {},
      environments: { staging: { mode: 'pull-request', gates: [] } },
    });
    const promotion = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('b') } },
      h.as(USERS.guest),
    );
    expect(promotion.state).toBe('pr-open');
    expect(promotion.pullRequest).toMatchObject({ number: 1, state: 'open' });
    await h.service.reconcile();
    expect(h.writer.pulls).toHaveLength(1);
    const sha = h.writer.merge(1);
    await h.service.reconcile();
    const merged = await h.service.get(promotion.id, h.as(USERS.guest));
    expect(merged).toMatchObject({
      state: 'syncing',
      commit: { sha },
      pullRequest: { state: 'merged' },
    });

    const other = await h.service.request(
      h.ref,
      { environment: 'staging', artifact: { digest: digest('c') } },
      h.as(USERS.guest),
    );
    h.writer.pulls.find(p => p.number === other.pullRequest!.number)!.state =
      'closed';
    await h.service.reconcile();
    expect((await h.service.get(other.id, h.as(USERS.guest))).state).toBe(
      'cancelled',
    );
  });

  it('preview shows gates, policy versions and the exact overlay diff, and writes nothing', async () => {
    const h = await harness();
    await h.savePolicy('scan', {
      selector: {},
      environments: {
        staging: {
          mode: 'pull-request',
          gates: [{ type: 'scan', maxCritical: 0 }, { type: 'ci-passed' }],
        },
      },
    });
    const preview = await h.service.preview(
      h.ref,
      { environment: 'staging', artifact: { from: 'upstream' } },
      h.as(USERS.guest),
    );
    expect(preview).toMatchObject({
      environment: 'staging',
      artifact: { digest: digest('a') },
      mode: 'pull-request',
      policies: [{ name: 'scan', version: 1 }],
      verdict: 'ready',
      overlay: {
        path: 'apps/payments-api/overlays/staging/kustomization.yaml',
        changed: true,
      },
    });
    expect(preview.gates.map(g => `${g.type}:${g.status}`)).toEqual([
      'scan:pass',
      'ci-passed:pass',
    ]);
    expect(preview.overlay.diff).toContain(`+    digest: ${digest('a')}`);
    expect(h.writer.writes).toBe(0);
    expect(await h.store.list({ limit: 10 })).toEqual([]);
  });
});
