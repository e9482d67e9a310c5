import fc from 'fast-check';
import { PolicyGate, PromotionPolicy } from '../policy';
import {
  environmentRules,
  policySubjectOf,
  evaluateGate,
  evaluateGates,
  GateFacts,
  gatesVerdict,
  policySelects,
} from './gates';
import { CommitStatus } from './verification';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;
const COMMIT = 'c'.repeat(40);
const POLICY = { name: 'default', version: 3 };
const NOW = new Date('2026-12-01T10:00:00Z');

function facts(overrides: Partial<GateFacts> = {}): GateFacts {
  return {
    now: NOW,
    environment: 'prod',
    requester: 'user:default/guest',
    artifact: { digest: DIGEST, tag: COMMIT, sourceCommit: COMMIT },
    sources: { ci: 'ok', artifacts: 'ok', quality: 'ok', delivery: 'ok' },
    build: {
      id: '1',
      name: 'ci',
      status: 'completed',
      conclusion: 'success',
      commit: COMMIT,
    },
    scan: {
      scanner: 'Trivy',
      status: 'Success',
      critical: 0,
      high: 2,
      medium: 5,
      low: 9,
      unknown: 1,
    },
    quality: { status: 'OK' },
    signers: [
      {
        identity:
          'https://github.com/acme/payments-api/.github/workflows/ci.yml@refs/heads/main',
        issuer: 'https://token.actions.githubusercontent.com',
      },
    ],
    upstream: {
      staging: {
        digest: DIGEST,
        healthy: true,
        healthySince: '2026-12-01T08:00:00Z',
      },
    },
    approvals: [],
    freezes: [],
    ...overrides,
  };
}

function run(gate: PolicyGate, f: GateFacts = facts()) {
  return evaluateGate(gate, POLICY, f);
}

describe('gates', () => {
  describe('ci-passed', () => {
    it('passes for a successful run of the artifact commit', () => {
      expect(run({ type: 'ci-passed' }).status).toBe('pass');
    });
    it('fails for a failed run, waits for a running one', () => {
      const build = facts().build!;
      expect(
        run(
          { type: 'ci-passed' },
          facts({ build: { ...build, conclusion: 'failure' } }),
        ).status,
      ).toBe('fail');
      expect(
        run(
          { type: 'ci-passed' },
          facts({
            build: { ...build, status: 'in_progress', conclusion: undefined },
          }),
        ).status,
      ).toBe('pending');
    });
    it('is unknown for a run of another commit, no run, or a CI source down (THREATS 25)', () => {
      const build = facts().build!;
      expect(
        run(
          { type: 'ci-passed' },
          facts({ build: { ...build, commit: 'd'.repeat(40) } }),
        ).status,
      ).toBe('unknown');
      expect(
        run({ type: 'ci-passed' }, facts({ build: undefined })).status,
      ).toBe('unknown');
      for (const status of [
        'error',
        'stale',
        'rate-limited',
        undefined,
      ] as const) {
        const result = run(
          { type: 'ci-passed' },
          facts({ sources: { ...facts().sources, ci: status } }),
        );
        expect(result.status).toBe('unknown');
      }
    });
  });

  describe('scan (THREATS 25, 26)', () => {
    it('passes within limits and fails above any, unknown severities counted', () => {
      expect(run({ type: 'scan', maxCritical: 0, maxHigh: 2 }).status).toBe(
        'pass',
      );
      const over = run({ type: 'scan', maxHigh: 1, maxUnknown: 0 });
      expect(over.status).toBe('fail');
      expect(over.reason).toBe('Scan finds 2 high (max 1), 1 unknown (max 0)');
    });
    it('a limit equal to the count passes (boundary)', () => {
      expect(run({ type: 'scan', maxLow: 9 }).status).toBe('pass');
      expect(run({ type: 'scan', maxLow: 8 }).status).toBe('fail');
    });
    it('is unknown when not scanned, failed, or the registry is down; pending while scanning', () => {
      const scan = facts().scan!;
      expect(run({ type: 'scan' }, facts({ scan: undefined })).status).toBe(
        'unknown',
      );
      expect(
        run(
          { type: 'scan' },
          facts({ scan: { ...scan, status: 'NotScanned' } }),
        ).status,
      ).toBe('unknown');
      expect(
        run({ type: 'scan' }, facts({ scan: { ...scan, status: 'Error' } }))
          .status,
      ).toBe('unknown');
      expect(
        run({ type: 'scan' }, facts({ scan: { ...scan, status: 'Running' } }))
          .status,
      ).toBe('pending');
      expect(
        run(
          { type: 'scan', maxCritical: 100 },
          facts({ sources: { ...facts().sources, artifacts: 'stale' } }),
        ).status,
      ).toBe('unknown');
    });
  });

  describe('quality-gate', () => {
    it('passes on OK only', () => {
      expect(run({ type: 'quality-gate' }).status).toBe('pass');
      expect(
        run({ type: 'quality-gate' }, facts({ quality: { status: 'ERROR' } }))
          .status,
      ).toBe('fail');
      expect(
        run({ type: 'quality-gate' }, facts({ quality: { status: 'WARN' } }))
          .status,
      ).toBe('fail');
      expect(
        run({ type: 'quality-gate' }, facts({ quality: { status: 'NONE' } }))
          .status,
      ).toBe('unknown');
      expect(
        run(
          { type: 'quality-gate' },
          facts({ sources: { ...facts().sources, quality: 'error' } }),
        ).status,
      ).toBe('unknown');
    });
  });

  describe('signature (THREATS 27)', () => {
    const gate = {
      type: 'signature' as const,
      identity:
        'https://github.com/acme/payments-api/.github/workflows/ci.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    };
    it('passes only for the pinned identity and issuer, never a pattern', () => {
      expect(run(gate).status).toBe('pass');
      expect(
        run({ ...gate, identity: 'https://github.com/acme/.*' }).status,
      ).toBe('fail');
      expect(run({ ...gate, issuer: 'https://evil.example' }).status).toBe(
        'fail',
      );
      const signer = facts().signers![0];
      expect(
        run(
          gate,
          facts({ signers: [{ ...signer, identity: `${signer.identity}x` }] }),
        ).status,
      ).toBe('fail');
    });
    it('fails unsigned, unknown when the registry cannot tell', () => {
      expect(run(gate, facts({ signers: [] })).reason).toBe(
        'The artifact is not signed',
      );
      expect(run(gate, facts({ signers: undefined })).status).toBe('unknown');
    });
  });

  describe('soak (THREATS 29)', () => {
    const gate = { type: 'soak' as const, upstream: 'staging', minutes: 60 };
    it('passes when healthy upstream on the same digest for the soak time', () => {
      expect(run(gate).status).toBe('pass');
    });
    it('is pending while soaking, with when it will pass', () => {
      const result = run(
        gate,
        facts({
          upstream: {
            staging: {
              digest: DIGEST,
              healthy: true,
              healthySince: '2026-12-01T09:30:00Z',
            },
          },
        }),
      );
      expect(result.status).toBe('pending');
      expect(result.changesAt).toBe('2026-12-01T10:30:00.000Z');
      expect(result.reason).toBe('Soaking in staging: 30 of 60 min');
    });
    it('passes exactly at the end of the soak time', () => {
      const result = run(
        gate,
        facts({
          upstream: {
            staging: {
              digest: DIGEST,
              healthy: true,
              healthySince: '2026-12-01T09:00:00Z',
            },
          },
        }),
      );
      expect(result.status).toBe('pass');
    });
    it('fails when upstream runs another digest; waits when not healthy', () => {
      expect(
        run(
          gate,
          facts({
            upstream: {
              staging: {
                digest: OTHER_DIGEST,
                healthy: true,
                healthySince: '2026-11-01T00:00:00Z',
              },
            },
          }),
        ).status,
      ).toBe('fail');
      expect(run(gate, facts({ upstream: {} })).status).toBe('fail');
      expect(
        run(
          gate,
          facts({ upstream: { staging: { digest: DIGEST, healthy: false } } }),
        ).status,
      ).toBe('pending');
    });
    it('never passes from stale Argo CD data', () => {
      expect(
        run(gate, facts({ sources: { ...facts().sources, delivery: 'stale' } }))
          .status,
      ).toBe('unknown');
    });
  });

  describe('approvals (THREATS 17, 18)', () => {
    const gate = {
      type: 'approvals' as const,
      count: 2,
      groups: ['group:default/platform-admins'],
    };
    const approval = (approver: string, extra: object = {}) => ({
      approver,
      ownershipRefs: [approver, 'group:default/platform-admins'],
      decision: 'approve' as const,
      environment: 'prod',
      digest: DIGEST,
      policyName: 'default',
      policyVersion: 3,
      ...extra,
    });

    it('passes with N distinct eligible approvers', () => {
      const result = run(
        gate,
        facts({
          approvals: [approval('user:default/a'), approval('user:default/b')],
        }),
      );
      expect(result.status).toBe('pass');
      expect(result.reason).toBe('Approved by user:default/a, user:default/b');
    });
    it('does not count self-approval, duplicates, or approvers outside the groups', () => {
      const result = run(
        gate,
        facts({
          approvals: [
            approval('user:default/guest'), // the requester
            approval('user:default/a'),
            approval('user:default/a'), // duplicate
            approval('user:default/c', {
              ownershipRefs: ['user:default/c', 'group:default/team-payments'],
            }),
          ],
        }),
      );
      expect(result.status).toBe('pending');
      expect(result.reason).toMatch(/^1 of 2 approvals/);
    });
    it('does not count approvals bound to another digest, environment or policy version (replay)', () => {
      const result = run(
        gate,
        facts({
          approvals: [
            approval('user:default/a'),
            approval('user:default/b', { digest: OTHER_DIGEST }),
            approval('user:default/c', { environment: 'staging' }),
            approval('user:default/d', { policyVersion: 2 }),
            approval('user:default/e', { policyName: 'other' }),
          ],
        }),
      );
      expect(result.status).toBe('pending');
    });
    it('an approver who lost the group no longer counts', () => {
      const result = run(
        gate,
        facts({
          approvals: [
            approval('user:default/a'),
            approval('user:default/b', { ownershipRefs: ['user:default/b'] }),
          ],
        }),
      );
      expect(result.status).toBe('pending');
    });
    it('a rejection by an eligible approver fails; by anyone else it is ignored', () => {
      expect(
        run(
          gate,
          facts({
            approvals: [
              approval('user:default/a'),
              approval('user:default/b'),
              approval('user:default/c', { decision: 'reject' }),
            ],
          }),
        ).status,
      ).toBe('fail');
      expect(
        run(
          gate,
          facts({
            approvals: [
              approval('user:default/a'),
              approval('user:default/b'),
              approval('user:default/x', {
                decision: 'reject',
                ownershipRefs: ['user:default/x'],
              }),
            ],
          }),
        ).status,
      ).toBe('pass');
    });
    it('property: never more counted approvers than distinct eligible non-requesters', () => {
      const people = [
        'user:default/guest',
        'user:default/a',
        'user:default/b',
        'user:default/c',
      ];
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              approver: fc.constantFrom(...people),
              eligible: fc.boolean(),
              bound: fc.boolean(),
            }),
            { maxLength: 12 },
          ),
          entries => {
            const approvals = entries.map(e =>
              approval(e.approver, {
                ownershipRefs: e.eligible
                  ? [e.approver, 'group:default/platform-admins']
                  : [e.approver],
                digest: e.bound ? DIGEST : OTHER_DIGEST,
              }),
            );
            const expected = new Set(
              entries
                .filter(
                  e =>
                    e.eligible &&
                    e.bound &&
                    e.approver !== 'user:default/guest',
                )
                .map(e => e.approver),
            ).size;
            const status = run(gate, facts({ approvals })).status;
            return status === (expected >= 2 ? 'pass' : 'pending');
          },
        ),
      );
    });
  });

  describe('deploy-window and freeze', () => {
    it('fails outside the window with when it opens', () => {
      const result = run({
        type: 'deploy-window',
        timeZone: 'UTC',
        allow: [{ days: ['mon'], start: '08:00', end: '09:00' }],
      });
      expect(result.status).toBe('fail');
      expect(result.changesAt).toBe('2026-12-07T08:00:00.000Z');
    });
    it('a policy freeze always fails with its reason', () => {
      expect(run({ type: 'freeze', reason: 'Black Friday' })).toMatchObject({
        status: 'fail',
        reason: 'Frozen by policy: Black Friday',
      });
    });
  });

  describe('verification (issue 16)', () => {
    const SMOKE = { type: 'verification' as const, check: 'smoke' };
    const CONTEXT = 'slipway/verify/staging/smoke';
    const reported = (
      state: 'pending' | 'success' | 'failure' | 'error',
      digest = DIGEST,
      context = CONTEXT,
    ) => ({ context, state, description: `smoke ${state} for ${digest}` });
    const verified = (
      statuses: CommitStatus[],
      overrides: Partial<GateFacts> = {},
    ) =>
      facts({
        upstreamEnvironment: 'staging',
        sources: { ...facts().sources, verification: 'ok' },
        commitStatuses: statuses,
        ...overrides,
      });

    it('passes when the check succeeded for this digest in the upstream environment', () => {
      expect(run(SMOKE, verified([reported('success')]))).toEqual({
        type: 'verification',
        policy: POLICY,
        status: 'pass',
        reason: 'Smoke verification in staging passed',
      });
    });

    it('waits while the check runs, fails when it failed or errored', () => {
      expect(run(SMOKE, verified([reported('pending')]))).toMatchObject({
        status: 'pending',
        reason: 'Smoke verification in staging is running',
      });
      expect(run(SMOKE, verified([reported('failure')]))).toMatchObject({
        status: 'fail',
        reason: 'Smoke verification in staging failed',
      });
      expect(run(SMOKE, verified([reported('error')]))).toMatchObject({
        status: 'fail',
        reason: 'Smoke verification in staging ended with an error',
      });
    });

    it('reads only the newest status of the context', () => {
      expect(
        run(SMOKE, verified([reported('failure'), reported('success')])).status,
      ).toBe('fail');
      expect(
        run(SMOKE, verified([reported('success'), reported('failure')])).status,
      ).toBe('pass');
    });

    it('fails closed without a status, for another digest or without a digest', () => {
      expect(run(SMOKE, verified([]))).toMatchObject({
        status: 'unknown',
        reason: `No smoke verification in staging reported on commit ${COMMIT.slice(
          0,
          12,
        )}`,
      });
      expect(
        run(SMOKE, verified([], { commitStatuses: undefined })).status,
      ).toBe('unknown');
      expect(
        run(SMOKE, verified([reported('success', OTHER_DIGEST)])),
      ).toMatchObject({
        status: 'unknown',
        reason: `The newest smoke verification in staging is for ${OTHER_DIGEST.slice(
          0,
          19,
        )}, not ${DIGEST.slice(0, 19)}`,
      });
      expect(
        run(
          SMOKE,
          verified([
            { context: CONTEXT, state: 'success', description: 'smoke passed' },
          ]),
        ),
      ).toMatchObject({
        status: 'unknown',
        reason:
          'The newest smoke verification in staging names no image digest',
      });
      // A newer status for another digest hides an older success for this one.
      expect(
        run(
          SMOKE,
          verified([reported('success', OTHER_DIGEST), reported('success')]),
        ).status,
      ).toBe('unknown');
    });

    it('reads the check of the named environment and check only', () => {
      const inDev = reported('success', DIGEST, 'slipway/verify/dev/smoke');
      const k6 = reported('success', DIGEST, 'slipway/verify/staging/k6');
      expect(run(SMOKE, verified([inDev, k6])).status).toBe('unknown');
      expect(
        run({ ...SMOKE, environment: 'dev' }, verified([inDev, k6])),
      ).toMatchObject({
        status: 'pass',
        reason: 'Smoke verification in dev passed',
      });
      expect(
        run({ type: 'verification', check: 'k6' }, verified([inDev, k6]))
          .status,
      ).toBe('pass');
      // GitHub compares contexts case-insensitively.
      expect(
        run(
          SMOKE,
          verified([
            reported('success', DIGEST, 'Slipway/Verify/Staging/Smoke'),
          ]),
        ).status,
      ).toBe('pass');
    });

    it('is unknown when the statuses could not be read or the artifact names no commit', () => {
      for (const verification of [
        'error',
        'unconfigured',
        undefined,
      ] as const) {
        expect(
          run(
            SMOKE,
            verified([reported('success')], {
              sources: { ...facts().sources, verification },
            }),
          ),
        ).toMatchObject({
          status: 'unknown',
          reason: `CI is ${
            verification ?? 'not configured'
          }; the gate cannot be checked`,
        });
      }
      expect(
        run(
          SMOKE,
          verified([reported('success')], {
            artifact: { digest: DIGEST },
          }),
        ),
      ).toMatchObject({
        status: 'unknown',
        reason: 'The artifact names no source commit',
      });
    });

    it('is unknown for the first environment unless the gate names one', () => {
      const first = verified([reported('success')], {
        environment: 'dev',
        upstreamEnvironment: undefined,
      });
      expect(run(SMOKE, first)).toMatchObject({
        status: 'unknown',
        reason:
          'dev has no upstream environment; name the environment smoke runs in',
      });
      expect(run({ ...SMOKE, environment: 'staging' }, first).status).toBe(
        'pass',
      );
    });

    it('a pending verification makes the verdict pending, not awaiting approval', () => {
      expect(
        gatesVerdict([
          run(SMOKE, verified([reported('pending')])),
          {
            type: 'approvals',
            status: 'pending',
            reason: '0 of 1 approvals',
          },
        ]),
      ).toBe('pending');
    });
  });
});

describe('evaluateGates and gatesVerdict', () => {
  it('admin freezes block, and lapse at their end', () => {
    const rules = {
      mode: 'direct' as const,
      autoPromote: false,
      sync: false,
      policies: [],
      gates: [],
    };
    const freeze = {
      id: 'f1',
      reason: 'incident 42',
      createdBy: 'user:default/alice',
      scope: 'global' as const,
      until: '2026-12-01T12:00:00Z',
    };
    const frozen = evaluateGates(rules, facts({ freezes: [freeze] }));
    expect(frozen.verdict).toBe('blocked');
    expect(frozen.results[0].reason).toBe(
      'Stop the line by user:default/alice: incident 42',
    );
    expect(
      evaluateGates(
        rules,
        facts({ freezes: [freeze], now: new Date('2026-12-01T12:00:00Z') }),
      ).verdict,
    ).toBe('ready');
  });

  it('unknown fails closed; approvals alone pending means awaiting approval', () => {
    const r = (type: any, status: any) => ({ type, status, reason: '' });
    expect(gatesVerdict([r('scan', 'unknown')])).toBe('blocked');
    expect(gatesVerdict([r('scan', 'pass'), r('approvals', 'pending')])).toBe(
      'awaiting-approval',
    );
    expect(
      gatesVerdict([r('soak', 'pending'), r('approvals', 'pending')]),
    ).toBe('pending');
    expect(gatesVerdict([r('soak', 'pass')])).toBe('ready');
    expect(gatesVerdict([])).toBe('ready');
  });
});

describe('policy selection (THREATS 31)', () => {
  const policy = (
    selector: PromotionPolicy['selector'],
    prod?: object,
  ): PromotionPolicy => ({
    selector,
    environments: {
      prod: { mode: 'direct', gates: [{ type: 'ci-passed' }], ...prod },
    },
  });
  const subject = {
    entityRef: 'component:default/payments-api',
    kind: 'Component',
    owner: 'group:default/team-payments',
    system: 'system:default/shop',
  };

  it('matches every set list, kinds without case', () => {
    expect(policySelects(policy({}), subject)).toBe(true);
    expect(policySelects(policy({ kinds: ['component'] }), subject)).toBe(true);
    expect(policySelects(policy({ kinds: ['api'] }), subject)).toBe(false);
    expect(
      policySelects(
        policy({
          owners: ['group:default/team-payments'],
          systems: ['system:default/other'],
        }),
        subject,
      ),
    ).toBe(false);
    expect(
      policySelects(policy({ systems: ['system:default/shop'] }), {
        ...subject,
        system: undefined,
      }),
    ).toBe(false);
    expect(
      policySelects(
        policy({ entities: ['component:default/payments-api'] }),
        subject,
      ),
    ).toBe(true);
  });

  it('applies every matching policy: all gates, stricter mode, auto only if all allow', () => {
    const rules = environmentRules(
      [
        {
          name: 'b-team',
          version: 2,
          policy: policy(
            { owners: ['group:default/team-payments'] },
            { mode: 'pull-request', autoPromote: true },
          ),
        },
        {
          name: 'a-base',
          version: 7,
          policy: policy({}, { autoPromote: true }),
        },
        {
          name: 'c-other',
          version: 1,
          policy: policy(
            { owners: ['group:default/other'] },
            { mode: 'pull-request' },
          ),
        },
      ],
      subject,
      'prod',
    );
    expect(rules.mode).toBe('pull-request');
    expect(rules.autoPromote).toBe(true);
    expect(rules.policies).toEqual([
      { name: 'a-base', version: 7 },
      { name: 'b-team', version: 2 },
    ]);
    expect(rules.gates).toHaveLength(2);
    expect(environmentRules([], subject, 'prod')).toMatchObject({
      mode: 'direct',
      autoPromote: false,
      gates: [],
    });
    expect(
      environmentRules(
        [
          { name: 'a', version: 1, policy: policy({}, { autoPromote: true }) },
          { name: 'b', version: 1, policy: policy({}) },
        ],
        subject,
        'prod',
      ).autoPromote,
    ).toBe(false);
  });
});

describe('gates: edges that decide', () => {
  it('ci-passed is unknown when the artifact names no source commit', () => {
    const result = run(
      { type: 'ci-passed' },
      facts({ artifact: { digest: DIGEST } }),
    );
    expect(result).toMatchObject({
      status: 'unknown',
      reason: 'The artifact names no source commit',
    });
  });

  it('ci-passed names the run and its conclusion', () => {
    const build = facts().build!;
    expect(
      run(
        { type: 'ci-passed' },
        facts({ build: { ...build, name: undefined, conclusion: undefined } }),
      ).reason,
    ).toBe('CI run 1 ended without a conclusion');
    expect(
      run(
        { type: 'ci-passed' },
        facts({ build: { ...build, status: 'in_progress' } }),
      ).reason,
    ).toBe('CI run ci is in progress');
  });

  it('soak waits while the upstream is healthy but its start was not observed', () => {
    expect(
      run(
        { type: 'soak', upstream: 'staging', minutes: 10 },
        facts({ upstream: { staging: { digest: DIGEST, healthy: true } } }),
      ).status,
    ).toBe('pending');
  });

  it('a missing source is "not configured" in the reason', () => {
    expect(
      run(
        { type: 'quality-gate' },
        facts({ sources: { ...facts().sources, quality: undefined } }),
      ).reason,
    ).toBe('SonarQube is not configured; the gate cannot be checked');
  });

  it('an unknown gate type fails closed', () => {
    expect(run({ type: 'teleport' } as any)).toMatchObject({
      status: 'unknown',
      reason: 'Unknown gate type',
    });
  });

  it('names the scope and target of an admin freeze', () => {
    const rules = {
      mode: 'direct' as const,
      autoPromote: false,
      sync: false,
      policies: [],
      gates: [],
    };
    const { results } = evaluateGates(
      rules,
      facts({
        freezes: [
          {
            id: 'f',
            reason: 'audit',
            createdBy: 'user:default/alice',
            scope: 'environment',
            target: 'prod',
          },
          {
            id: 'g',
            reason: 'x',
            createdBy: 'user:default/alice',
            scope: 'owner',
          },
        ],
      }),
    );
    expect(results.map(r => r.reason)).toEqual([
      'Frozen environment prod by user:default/alice: audit',
      'Frozen owner by user:default/alice: x',
    ]);
  });

  it('a policy listing entities does not select others', () => {
    const policy: PromotionPolicy = {
      selector: { entities: ['component:default/other'] },
      environments: {},
    };
    expect(
      policySelects(policy, {
        entityRef: 'component:default/payments-api',
        kind: 'Component',
      }),
    ).toBe(false);
  });

  it('sync applies when any applicable policy asks for it', () => {
    const subject = { entityRef: 'component:default/a', kind: 'Component' };
    const env = (sync?: boolean) => ({
      selector: {},
      environments: {
        prod: {
          mode: 'direct' as const,
          gates: [],
          ...(sync === undefined ? {} : { sync }),
        },
      },
    });
    expect(
      environmentRules(
        [{ name: 'a', version: 1, policy: env() }],
        subject,
        'prod',
      ).sync,
    ).toBe(false);
    expect(
      environmentRules(
        [
          { name: 'a', version: 1, policy: env(false) },
          { name: 'b', version: 1, policy: env(true) },
        ],
        subject,
        'prod',
      ).sync,
    ).toBe(true);
  });
});

describe('policySubjectOf', () => {
  const entity = (spec: object) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'shop' },
    spec,
  });

  it('completes short owner and system references', () => {
    expect(
      policySubjectOf(entity({ owner: 'team-payments', system: 'checkout' })),
    ).toEqual({
      entityRef: 'component:shop/payments-api',
      kind: 'Component',
      owner: 'group:default/team-payments',
      system: 'system:default/checkout',
    });
    expect(policySubjectOf(entity({ owner: 'user:default/ada' })).owner).toBe(
      'user:default/ada',
    );
  });

  it('leaves missing, empty, non-string and malformed references out', () => {
    for (const spec of [
      {},
      { owner: '' },
      { owner: 42 },
      { owner: 'group:' },
      { owner: 'group:default/' },
    ]) {
      expect(policySubjectOf(entity(spec)).owner).toBeUndefined();
    }
  });
});
