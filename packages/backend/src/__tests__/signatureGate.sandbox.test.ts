import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  createPromotionReplica,
  PEOPLE,
  savePolicy,
  tempDir,
  useTestSandbox,
} from '../__testUtils__/promotionWiring';

// Integration test: a sandbox, git and a database on a loaded 2-core machine.
jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** What the sandbox's CI signs with (its "Fulcio" certificate's SAN and issuer). */
const CI_IDENTITY =
  'https://github.com/acme/notifications-worker/.github/workflows/ci.yaml@refs/heads/main';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

describe('the signature gate against the sandbox’s cosign signatures (THREATS 27)', () => {
  const testSandbox = useTestSandbox('slipway-signers');

  it('staging → prod passes when pinned to the CI identity and fails, naming it, when pinned to another', async () => {
    const { service, policies } = await createPromotionReplica({
      sandbox: testSandbox(),
      knex: await databases.init('SQLITE_3'),
      cacheDir: tempDir('slipway-signers-cache-'),
    });
    const ref = {
      kind: 'component',
      namespace: 'default',
      name: 'notifications-worker',
    };
    const as = mockCredentials.user(PEOPLE.guest);
    const pinTo = (identity: string) =>
      savePolicy(policies, 'signed-by-ci', {
        selector: { entities: ['component:default/notifications-worker'] },
        environments: {
          prod: {
            mode: 'direct',
            gates: [{ type: 'signature', identity, issuer: GITHUB_ISSUER }],
          },
        },
      });
    const request = {
      environment: 'prod',
      artifact: { from: 'upstream' as const },
    };

    // Pinned to someone else's workflow: the registry's signer does not match.
    const other =
      'https://github.com/acme/payments-api/.github/workflows/ci.yaml@refs/heads/main';
    await pinTo(other);
    const refused = await service.preview(ref, request, as);
    expect(refused.verdict).toBe('blocked');
    expect(refused.gates).toEqual([
      expect.objectContaining({
        type: 'signature',
        status: 'fail',
        reason: `No signature by ${other} from ${GITHUB_ISSUER}`,
      }),
    ]);

    // Pinned to the sandbox CI's identity: the gate passes and the promotion goes ahead.
    await pinTo(CI_IDENTITY);
    const allowed = await service.preview(ref, request, as);
    expect(allowed.gates).toEqual([
      expect.objectContaining({
        type: 'signature',
        status: 'pass',
        reason: `Signed by ${CI_IDENTITY}`,
      }),
    ]);
    expect(allowed.verdict).toBe('ready');
    const promotion = await service.request(ref, request, as);
    expect(promotion.state).not.toBe('blocked');
    expect(promotion.gates.find(g => g.type === 'signature')?.status).toBe(
      'pass',
    );

    // Harbor down while reading the signature: unknown, fails closed.
    testSandbox().faults.setRules([
      { vendor: 'harbor', pathPrefix: '/v2/', mode: 'error' },
    ]);
    try {
      const unknown = await service.preview(ref, request, as);
      expect(unknown.gates[0]).toMatchObject({
        type: 'signature',
        status: 'unknown',
      });
      expect(unknown.verdict).not.toBe('ready');
    } finally {
      testSandbox().faults.clear();
    }
  });
});
