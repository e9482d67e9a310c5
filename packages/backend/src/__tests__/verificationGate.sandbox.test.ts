import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  createPromotionReplica,
  PEOPLE,
  sandboxAdmin,
  savePolicy,
  tempDir,
  useTestSandbox,
} from '../__testUtils__/promotionWiring';

// Integration test: a sandbox, git and a database on a loaded 2-core machine.
jest.setTimeout(240_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const SERVICE = 'notifications-worker';
const OTHER_DIGEST = `sha256:${'e'.repeat(64)}`;

describe('the verification gate against the sandbox’s commit statuses (issue 16)', () => {
  const testSandbox = useTestSandbox('slipway-verification');

  it('staging → prod: blocks without a result, waits while it runs, goes on success for the digest, blocks for another digest', async () => {
    const { service, policies } = await createPromotionReplica({
      sandbox: testSandbox(),
      knex: await databases.init('SQLITE_3'),
      cacheDir: tempDir('slipway-verification-cache-'),
    });
    const ref = { kind: 'component', namespace: 'default', name: SERVICE };
    const as = mockCredentials.user(PEOPLE.guest);
    await savePolicy(policies, 'verified-in-staging', {
      selector: { entities: [`component:default/${SERVICE}`] },
      environments: {
        prod: {
          mode: 'direct',
          gates: [{ type: 'verification', check: 'smoke' }],
        },
      },
    });
    const request = {
      environment: 'prod',
      artifact: { from: 'upstream' as const },
    };
    /** What the verification workflow reports on the commit that built the image. */
    const report = (state: string, digest: string, commit: string) =>
      sandboxAdmin(
        testSandbox(),
        'POST',
        `/admin/repos/acme/${SERVICE}/verifications`,
        {
          environment: 'staging',
          check: 'smoke',
          state,
          digest,
          ref: commit,
        },
      );

    // No verification reported: unknown, fails closed.
    const unverified = await service.preview(ref, request, as);
    const { digest, sourceCommit } = unverified.artifact;
    expect(sourceCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(unverified.verdict).toBe('blocked');
    expect(unverified.gates).toEqual([
      expect.objectContaining({
        type: 'verification',
        status: 'unknown',
        reason: `No smoke verification in staging reported on commit ${sourceCommit!.slice(
          0,
          12,
        )}`,
      }),
    ]);

    // Running: the request waits, blocked with a pending verdict.
    await report('pending', digest, sourceCommit!);
    const promotion = await service.request(ref, request, as);
    expect(promotion.state).toBe('blocked');
    expect(promotion.verdict).toBe('pending');
    expect(promotion.gates).toEqual([
      expect.objectContaining({
        type: 'verification',
        status: 'pending',
        reason: 'Smoke verification in staging is running',
      }),
    ]);
    await service.reconcile();
    expect((await service.get(promotion.id, as)).state).toBe('blocked');

    // Success for the staging digest: the engine goes ahead on its next pass.
    await report('success', digest, sourceCommit!);
    await service.reconcile();
    const moved = await service.get(promotion.id, as);
    expect(['committed', 'syncing', 'deployed']).toContain(moved.state);
    expect(moved.gates).toEqual([
      expect.objectContaining({
        type: 'verification',
        status: 'pass',
        reason: 'Smoke verification in staging passed',
      }),
    ]);

    // A newer success for another digest (a rebuild of the commit) does not vouch for this one.
    await report('success', OTHER_DIGEST, sourceCommit!);
    const other = await service.preview(ref, request, as);
    expect(other.verdict).toBe('blocked');
    expect(other.gates).toEqual([
      expect.objectContaining({
        type: 'verification',
        status: 'unknown',
        reason: `The newest smoke verification in staging is for ${OTHER_DIGEST.slice(
          0,
          19,
        )}, not ${digest.slice(0, 19)}`,
      }),
    ]);

    // GitHub down while reading the statuses: unknown, fails closed.
    await report('success', digest, sourceCommit!);
    expect((await service.preview(ref, request, as)).verdict).toBe('ready');
    testSandbox().faults.setRules([
      {
        vendor: 'github',
        pathPrefix: `/api/v3/repos/acme/${SERVICE}/commits/`,
        mode: 'error',
      },
    ]);
    try {
      const down = await service.preview(ref, request, as);
      expect(down.verdict).toBe('blocked');
      expect(down.gates[0]).toMatchObject({
        type: 'verification',
        status: 'unknown',
      });
    } finally {
      testSandbox().faults.clear();
    }
  });
});
