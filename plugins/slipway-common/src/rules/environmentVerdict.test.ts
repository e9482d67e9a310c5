import fc from 'fast-check';
import { EnvironmentState, SourceReport } from '../state';
import {
  environmentVerdict,
  EnvironmentVerdictFacts,
  isNeverPromotedImage,
} from './environmentVerdict';
import {
  healthArb,
  imageArb,
  operationArb,
  syncArb,
  timeArb,
} from './__testUtils__/arbitraries';

const REPO = 'registry.example.com/acme/app';
const SHA = 'a'.repeat(40);
const DIGEST = `sha256:${'1'.repeat(64)}`;

function env(
  overrides: Partial<EnvironmentState> = {},
  live: Partial<NonNullable<EnvironmentState['live']>> = {},
): EnvironmentVerdictFacts {
  return {
    environment: 'prod',
    syncMode: 'manual',
    desired: {
      path: 'apps/app/overlays/prod',
      image: { repository: REPO, tag: SHA, digest: DIGEST },
      commit: { sha: 'c'.repeat(40), committedAt: '2026-01-01T00:00:00Z' },
    },
    live: {
      application: 'app-prod',
      instance: 'main',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      revision: 'c'.repeat(40),
      images: [`${REPO}@${DIGEST}`],
      lastSyncedAt: '2026-01-01T00:01:00Z',
      ...live,
    },
    drift: { drifted: false, reasons: [] },
    deployed: true,
    ...overrides,
  };
}

const ok: SourceReport[] = [
  { source: 'gitops', kind: 'gitops', status: 'ok' },
  { source: 'argocd:main', kind: 'delivery', status: 'ok' },
];

const scaffolded = {
  path: 'apps/app/overlays/dev',
  image: { repository: REPO, tag: 'scaffolded' },
};

describe('environmentVerdict', () => {
  it('is deployed, green, on current data', () => {
    expect(environmentVerdict(env(), ok)).toMatchObject({
      kind: 'deployed',
      label: 'Deployed',
      tone: 'ok',
    });
  });

  it('calls a never-promoted environment calm "Awaiting first deploy", not drift or Missing', () => {
    const verdict = environmentVerdict(
      env(
        {
          desired: scaffolded,
          deployed: false,
          drift: {
            drifted: true,
            reasons: [
              `Git wants ${REPO}:scaffolded; the cluster reports no images`,
            ],
          },
        },
        {
          syncStatus: 'OutOfSync',
          healthStatus: 'Missing',
          images: [],
          revision: undefined,
          lastSyncedAt: undefined,
        },
      ),
      ok,
    );
    expect(verdict).toMatchObject({
      kind: 'awaiting-first-deploy',
      label: 'Awaiting first deploy',
      tone: 'unknown',
    });
    expect(verdict.reason).toMatch(/placeholder tag/);
  });

  it('is awaiting first deploy without an application and without an image', () => {
    expect(
      environmentVerdict(
        env({ desired: { path: 'x' }, live: undefined, deployed: false }),
        ok,
      ).kind,
    ).toBe('awaiting-first-deploy');
    expect(
      environmentVerdict(env({ live: undefined, deployed: false }), ok),
    ).toMatchObject({ kind: 'unknown', label: 'No Argo CD application' });
  });

  it('is awaiting first sync when a real image was set but Argo CD never synced', () => {
    expect(
      environmentVerdict(
        env(
          { deployed: false, syncMode: 'auto' },
          {
            syncStatus: 'OutOfSync',
            healthStatus: 'Missing',
            images: [],
            lastSyncedAt: undefined,
          },
        ),
        ok,
      ),
    ).toMatchObject({
      kind: 'awaiting-sync',
      label: 'Awaiting first sync',
      tone: 'progress',
    });
  });

  it('says "Rolling out 25%" for a canary at 25%, never "Not yet deployed"', () => {
    const verdict = environmentVerdict(
      env(
        { deployed: false },
        {
          healthStatus: 'Suspended',
          rollout: {
            strategy: 'canary',
            phase: 'Paused',
            currentStep: 2,
            totalSteps: 5,
            weight: 25,
            paused: true,
            pauseReason: 'CanaryPauseStep',
          },
        },
      ),
      ok,
    );
    expect(verdict).toMatchObject({
      kind: 'rolling-out',
      label: 'Rolling out 25%',
      tone: 'progress',
      progress: {
        percent: 25,
        text: 'Canary: step 2 of 5, 25% of traffic on the new version, paused at a canary step',
      },
    });
  });

  it('says blue-green awaits promotion, with no canary steps or weights', () => {
    const verdict = environmentVerdict(
      env(
        { deployed: false },
        {
          healthStatus: 'Suspended',
          rollout: {
            strategy: 'blueGreen',
            phase: 'Paused',
            paused: true,
            pauseReason: 'BlueGreenPause',
            blueGreen: {
              activeService: 'app-active',
              previewService: 'app-preview',
              activeSelector: 'old',
              previewSelector: 'new',
              currentPodHash: 'new',
            },
          },
        },
      ),
      ok,
    );
    expect(verdict.label).toBe('Awaiting promotion');
    expect(verdict.progress?.text).toBe(
      'Blue-green: app-preview serves the new version, app-active still serves the old one; waiting for promotion',
    );
    expect(JSON.stringify(verdict)).not.toMatch(/step|%|traffic/);
  });

  it.each([
    [
      { live: { operation: { phase: 'Failed' as const, message: 'boom' } } },
      'failed',
      'Sync failed',
    ],
    [{ live: { healthStatus: 'Degraded' as const } }, 'degraded', 'Degraded'],
    [{ live: { healthStatus: 'Missing' as const } }, 'degraded', 'Missing'],
    [
      {
        live: {
          rollout: {
            strategy: 'canary' as const,
            phase: 'Degraded',
            analysis: 'Failed' as const,
          },
        },
      },
      'failed',
      'Rollout failed',
    ],
    [
      { live: { healthStatus: 'Progressing' as const } },
      'rolling-out',
      'Rolling out',
    ],
    [
      {
        live: {
          rollout: {
            strategy: 'deployment' as const,
            phase: 'Progressing',
            message:
              'Waiting for rollout to finish: 1 of 3 updated replicas are available...',
          },
        },
      },
      'rolling-out',
      'Rolling out',
    ],
    [{ live: { healthStatus: 'Suspended' as const } }, 'degraded', 'Suspended'],
    [{ live: { syncStatus: 'Unknown' as const } }, 'unknown', 'Unknown'],
  ])('%j is %s (%s)', (change, kind, label) => {
    const verdict = environmentVerdict(
      env({ deployed: false }, change.live),
      ok,
    );
    expect(verdict).toMatchObject({ kind, label });
  });

  it('says drift with both sides; a Git change not yet synced is awaiting sync', () => {
    const reasons = [`Git wants ${REPO}:new; the cluster runs ${REPO}:old`];
    expect(
      environmentVerdict(
        env(
          { deployed: false, drift: { drifted: true, reasons } },
          { syncStatus: 'OutOfSync' },
        ),
        ok,
      ),
    ).toMatchObject({ kind: 'drifted', reason: reasons[0], tone: 'warning' });
    expect(
      environmentVerdict(
        env(
          { deployed: false, drift: { drifted: true, reasons } },
          { syncStatus: 'OutOfSync', lastSyncedAt: '2025-12-01T00:00:00Z' },
        ),
        ok,
      ),
    ).toMatchObject({
      kind: 'awaiting-sync',
      label: 'Awaiting sync',
      tone: 'warning',
    });
  });

  it('shows last-known data as last-known, with its time, never green', () => {
    const verdict = environmentVerdict(
      env({
        deployed: false,
        lastKnown: {
          deployed: true,
          reason: 'carries the overlay',
          sources: ['Argo CD'],
          since: '2026-01-01T00:00:00Z',
        },
      }),
      [ok[0], { ...ok[1], status: 'stale' }],
    );
    expect(verdict).toMatchObject({
      kind: 'unknown',
      label: 'Last known: deployed',
      tone: 'unknown',
      lastKnownAt: '2026-01-01T00:00:00Z',
      lastKnown: { kind: 'deployed', label: 'Deployed' },
    });
    expect(verdict.reason).toBe(
      'Argo CD did not answer; the last-known data says: carries the overlay',
    );
  });

  it('says live state unknown when Argo CD failed and nothing was read', () => {
    expect(
      environmentVerdict(env({ live: undefined, deployed: false }), [
        ok[0],
        { ...ok[1], status: 'error', fetchedAt: '2026-01-01T00:00:00Z' },
      ]),
    ).toMatchObject({
      kind: 'unknown',
      label: 'Live state unknown',
      lastKnownAt: '2026-01-01T00:00:00Z',
    });
  });

  const liveArb = fc.record(
    {
      application: fc.constant('app'),
      instance: fc.constant('main'),
      syncStatus: syncArb,
      healthStatus: healthArb,
      images: fc.array(fc.constantFrom(`${REPO}:${SHA}`, `${REPO}:old`), {
        maxLength: 2,
      }),
      lastSyncedAt: timeArb,
      operation: operationArb,
      rollout: fc.record(
        {
          strategy: fc.constantFrom(
            'canary' as const,
            'blueGreen' as const,
            'deployment' as const,
          ),
          phase: fc.constantFrom(
            'Healthy',
            'Progressing',
            'Paused',
            'Degraded',
          ),
          currentStep: fc.integer({ min: 0, max: 6 }),
          totalSteps: fc.integer({ min: 0, max: 6 }),
          weight: fc.integer({ min: 0, max: 100 }),
          paused: fc.boolean(),
          pauseReason: fc.constantFrom('CanaryPauseStep', 'BlueGreenPause'),
        },
        { requiredKeys: ['strategy'] },
      ),
    },
    {
      requiredKeys: [
        'application',
        'instance',
        'syncStatus',
        'healthStatus',
        'images',
      ],
    },
  );
  const statusArb = fc.constantFrom<SourceReport['status']>(
    'ok',
    'error',
    'stale',
    'rate-limited',
    'unconfigured',
  );
  const factsArb = fc.record({
    image: fc.option(
      fc.oneof(imageArb, fc.constant({ repository: REPO, tag: 'scaffolded' })),
      { nil: undefined },
    ),
    live: fc.option(liveArb, { nil: undefined }),
    deployed: fc.boolean(),
    drifted: fc.boolean(),
    lastKnown: fc.option(fc.boolean(), { nil: undefined }),
    gitops: statusArb,
    delivery: statusArb,
    syncMode: fc.constantFrom('auto' as const, 'manual' as const),
  });

  type Facts = typeof factsArb extends fc.Arbitrary<infer T> ? T : never;
  function build(facts: Facts) {
    const state: EnvironmentVerdictFacts = {
      environment: 'dev',
      syncMode: facts.syncMode,
      desired: { path: 'p', image: facts.image },
      live: facts.live as EnvironmentState['live'],
      drift: { drifted: facts.drifted, reasons: facts.drifted ? ['r'] : [] },
      deployed: facts.deployed,
      lastKnown:
        facts.lastKnown === undefined
          ? undefined
          : { deployed: facts.lastKnown, reason: 'r', sources: ['Argo CD'] },
    };
    const sources: SourceReport[] = [
      { source: 'gitops', kind: 'gitops', status: facts.gitops },
      { source: 'argocd:x', kind: 'delivery', status: facts.delivery },
    ];
    return { state, sources };
  }

  it('is green only when deployed on current data from sources that answered ok', () => {
    fc.assert(
      fc.property(factsArb, facts => {
        const { state, sources } = build(facts);
        const verdict = environmentVerdict(state, sources);
        const allOk = sources.every(s => s.status === 'ok');
        expect(
          verdict.tone !== 'ok' ||
            (verdict.kind === 'deployed' &&
              state.deployed &&
              state.lastKnown === undefined &&
              allOk),
        ).toBe(true);
        const unsure = state.lastKnown !== undefined || !allOk;
        expect(
          !unsure || (verdict.kind === 'unknown' && verdict.tone === 'unknown'),
        ).toBe(true);
      }),
    );
  });

  it('always names a sentence-case label and a reason, and never says "Not yet deployed"', () => {
    fc.assert(
      fc.property(factsArb, facts => {
        const { state, sources } = build(facts);
        const verdict = environmentVerdict(state, sources);
        expect(verdict.label).toMatch(/^[A-Z]/);
        expect(verdict.reason).not.toBe('');
        expect(verdict.label).not.toMatch(/not yet deployed/i);
      }),
    );
  });

  it('never calls a never-promoted environment with nothing running drifted, degraded or failed', () => {
    fc.assert(
      fc.property(factsArb, facts => {
        const { state } = build(facts);
        fc.pre(isNeverPromotedImage(state.desired?.image));
        fc.pre(state.lastKnown === undefined);
        fc.pre(
          !state.live ||
            (state.live.images.length === 0 &&
              ['Missing', 'Unknown'].includes(state.live.healthStatus)),
        );
        expect(environmentVerdict(state, ok).kind).toBe(
          'awaiting-first-deploy',
        );
      }),
    );
  });

  it('a canary with traffic left to shift is rolling out, never deployed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        fc.boolean(),
        (weight, deployed) => {
          const verdict = environmentVerdict(
            env(
              { deployed },
              {
                rollout: {
                  strategy: 'canary',
                  phase: 'Paused',
                  weight,
                  paused: true,
                },
              },
            ),
            ok,
          );
          expect(verdict).toMatchObject({
            kind: 'rolling-out',
            label: `Rolling out ${weight}%`,
          });
        },
      ),
    );
  });
});
