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

  describe('exact verdicts', () => {
    type EnvironmentVerdict = ReturnType<typeof environmentVerdict>;
    const T1 = '2026-01-01T00:01:00Z';
    const T2 = '2026-01-01T00:02:00Z';
    const T5 = '2026-01-01T00:05:00Z';
    const nothingRuns = {
      syncStatus: 'OutOfSync' as const,
      healthStatus: 'Missing' as const,
      images: [],
      lastSyncedAt: undefined,
    };
    const committedAt = (at: string) => ({
      path: 'apps/app/overlays/prod',
      image: { repository: REPO, tag: SHA, digest: DIGEST },
      commit: { sha: 'c'.repeat(40), committedAt: at },
    });
    const failingSource = (
      kind: 'gitops' | 'delivery',
      fetchedAt?: string,
    ): SourceReport => ({
      source: kind === 'gitops' ? 'gitops' : 'argocd:main',
      kind,
      status: 'error',
      fetchedAt,
    });

    it('knows the scaffolder placeholder only without a digest', () => {
      expect(isNeverPromotedImage(undefined)).toBe(true);
      expect(
        isNeverPromotedImage({ repository: REPO, tag: 'scaffolded' }),
      ).toBe(true);
      expect(
        isNeverPromotedImage({
          repository: REPO,
          tag: 'scaffolded',
          digest: DIGEST,
        }),
      ).toBe(false);
      expect(isNeverPromotedImage({ repository: REPO, tag: SHA })).toBe(false);
    });

    it.each<[string, EnvironmentVerdictFacts, EnvironmentVerdict]>([
      [
        'no application and no image',
        env({ desired: { path: 'p' }, live: undefined, deployed: false }),
        {
          kind: 'awaiting-first-deploy',
          label: 'Awaiting first deploy',
          reason:
            'Nothing was promoted to prod yet, and Argo CD has no application here',
          tone: 'unknown',
        },
      ],
      [
        'no application and no desired state at all',
        env({ desired: undefined, live: undefined, deployed: false }),
        {
          kind: 'awaiting-first-deploy',
          label: 'Awaiting first deploy',
          reason:
            'Nothing was promoted to prod yet, and Argo CD has no application here',
          tone: 'unknown',
        },
      ],
      [
        'no application for a real image',
        env({ live: undefined, deployed: false }),
        {
          kind: 'unknown',
          label: 'No Argo CD application',
          reason: `Git sets ${REPO}:${SHA}@${DIGEST} for prod, but Argo CD has no application for it`,
          tone: 'unknown',
        },
      ],
      [
        'no application for the placeholder tag pinned to a digest (a real image)',
        env({
          desired: {
            path: 'p',
            image: { repository: REPO, tag: 'scaffolded', digest: DIGEST },
          },
          live: undefined,
          deployed: false,
        }),
        {
          kind: 'unknown',
          label: 'No Argo CD application',
          reason: `Git sets ${REPO}:scaffolded@${DIGEST} for prod, but Argo CD has no application for it`,
          tone: 'unknown',
        },
      ],
      [
        'an overlay without an image and nothing running',
        env({ desired: { path: 'p' }, deployed: false }, nothingRuns),
        {
          kind: 'awaiting-first-deploy',
          label: 'Awaiting first deploy',
          reason: 'The prod overlay sets no image yet',
          tone: 'unknown',
        },
      ],
      [
        'the placeholder tag while the cluster runs images (drift, not a first deploy)',
        env(
          {
            desired: scaffolded,
            deployed: false,
            drift: {
              drifted: true,
              reasons: [
                `Git wants ${REPO}:scaffolded; the cluster runs ${REPO}@${DIGEST}`,
              ],
            },
          },
          { syncStatus: 'OutOfSync' },
        ),
        {
          kind: 'drifted',
          label: 'Drifted',
          reason: `Git wants ${REPO}:scaffolded; the cluster runs ${REPO}@${DIGEST}`,
          tone: 'warning',
        },
      ],
      [
        'the placeholder tag with images running but resources Missing',
        env(
          { desired: scaffolded, deployed: false },
          { healthStatus: 'Missing' },
        ),
        {
          kind: 'degraded',
          label: 'Missing',
          reason:
            'Argo CD finds the resources of prod missing from the cluster',
          tone: 'error',
        },
      ],
      [
        'the placeholder tag, no images, but Synced and Healthy',
        env({ desired: scaffolded, deployed: false }, { images: [] }),
        {
          kind: 'awaiting-sync',
          label: 'Awaiting sync',
          reason: 'The cluster does not yet run what Git asks for',
          tone: 'warning',
        },
      ],
      [
        'deployed without a recorded sync time',
        env({}, { lastSyncedAt: undefined }),
        {
          kind: 'deployed',
          label: 'Deployed',
          reason: 'The cluster runs what Git asks for, Synced and Healthy',
          tone: 'ok',
        },
      ],
      [
        'deployed, with the backend rule’s reason',
        env({ deployedReason: 'Argo CD runs commit ccccccc, Healthy' }),
        {
          kind: 'deployed',
          label: 'Deployed',
          reason: 'Argo CD runs commit ccccccc, Healthy',
          tone: 'ok',
        },
      ],
      [
        'deployed although Git committed after the last sync (Synced: the commit changed nothing here)',
        env({ desired: committedAt('2026-01-02T00:00:00Z') }),
        {
          kind: 'deployed',
          label: 'Deployed',
          reason: 'The cluster runs what Git asks for, Synced and Healthy',
          tone: 'ok',
        },
      ],
      [
        'a first sync that failed (failed, not awaiting first sync)',
        env(
          { deployed: false },
          {
            ...nothingRuns,
            operation: {
              phase: 'Failed',
              message: 'one or more objects failed to apply',
            },
          },
        ),
        {
          kind: 'failed',
          label: 'Sync failed',
          reason:
            'The last Argo CD sync failed: one or more objects failed to apply',
          tone: 'error',
        },
      ],
      [
        'a sync that errored, without a message',
        env({ deployed: false }, { operation: { phase: 'Error' } }),
        {
          kind: 'failed',
          label: 'Sync failed',
          reason: 'The last Argo CD sync errored',
          tone: 'error',
        },
      ],
      [
        'never synced, auto sync',
        env({ deployed: false, syncMode: 'auto' }, nothingRuns),
        {
          kind: 'awaiting-sync',
          label: 'Awaiting first sync',
          reason: 'Argo CD has not synced prod yet; it syncs on its own',
          tone: 'progress',
        },
      ],
      [
        'never synced, manual sync',
        env({ deployed: false, syncMode: 'manual' }, nothingRuns),
        {
          kind: 'awaiting-sync',
          label: 'Awaiting first sync',
          reason: 'Argo CD has not synced prod yet; prod syncs manually',
          tone: 'warning',
        },
      ],
      [
        'a failed canary analysis',
        env(
          { deployed: false },
          {
            rollout: {
              strategy: 'canary',
              phase: 'Degraded',
              analysis: 'Failed',
            },
          },
        ),
        {
          kind: 'failed',
          label: 'Rollout failed',
          reason: 'The analysis failed',
          tone: 'error',
          progress: { text: 'The analysis failed' },
        },
      ],
      [
        'Degraded',
        env({ deployed: false }, { healthStatus: 'Degraded' }),
        {
          kind: 'degraded',
          label: 'Degraded',
          reason: 'Argo CD reports the application in prod Degraded',
          tone: 'error',
        },
      ],
      [
        'Git changed after the last sync, auto sync',
        env(
          { deployed: false, syncMode: 'auto' },
          { syncStatus: 'OutOfSync', lastSyncedAt: '2025-12-01T00:00:00Z' },
        ),
        {
          kind: 'awaiting-sync',
          label: 'Awaiting sync',
          reason:
            'Git changed prod after the last sync; Argo CD syncs on its own',
          tone: 'progress',
        },
      ],
      [
        'Git changed after the last sync, manual sync',
        env(
          { deployed: false, syncMode: 'manual' },
          { syncStatus: 'OutOfSync', lastSyncedAt: '2025-12-01T00:00:00Z' },
        ),
        {
          kind: 'awaiting-sync',
          label: 'Awaiting sync',
          reason: 'Git changed prod after the last sync; prod syncs manually',
          tone: 'warning',
        },
      ],
      [
        'OutOfSync with the commit exactly at the last sync: drift, both reasons',
        env(
          {
            desired: committedAt(T1),
            deployed: false,
            drift: {
              drifted: true,
              reasons: ['image differs', 'revision differs'],
            },
          },
          { syncStatus: 'OutOfSync', lastSyncedAt: T1 },
        ),
        {
          kind: 'drifted',
          label: 'Drifted',
          reason: 'image differs; revision differs',
          tone: 'warning',
        },
      ],
      [
        'drift without reasons and without a desired state',
        env(
          {
            desired: undefined,
            deployed: false,
            drift: { drifted: true, reasons: [] },
          },
          { syncStatus: 'OutOfSync' },
        ),
        {
          kind: 'drifted',
          label: 'Drifted',
          reason: 'Git and the cluster disagree',
          tone: 'warning',
        },
      ],
      [
        'a sync running on a Healthy application',
        env({ deployed: false }, { operation: { phase: 'Running' } }),
        {
          kind: 'rolling-out',
          label: 'Rolling out',
          reason: 'Argo CD is syncing',
          tone: 'progress',
        },
      ],
      [
        'Progressing',
        env({ deployed: false }, { healthStatus: 'Progressing' }),
        {
          kind: 'rolling-out',
          label: 'Rolling out',
          reason: 'Argo CD reports the application Progressing',
          tone: 'progress',
        },
      ],
      [
        'Suspended',
        env({ deployed: false }, { healthStatus: 'Suspended' }),
        {
          kind: 'degraded',
          label: 'Suspended',
          reason: 'Argo CD reports the application in prod Suspended',
          tone: 'warning',
        },
      ],
      [
        'health Unknown while images run',
        env({ deployed: false }, { healthStatus: 'Unknown' }),
        {
          kind: 'unknown',
          label: 'Unknown',
          reason: 'Argo CD reports sync Synced and health Unknown',
          tone: 'unknown',
        },
      ],
      [
        'sync Unknown',
        env({ deployed: false }, { syncStatus: 'Unknown' }),
        {
          kind: 'unknown',
          label: 'Unknown',
          reason: 'Argo CD reports sync Unknown and health Healthy',
          tone: 'unknown',
        },
      ],
      [
        'Synced and Healthy but not deployed, manual sync',
        env({ deployed: false }),
        {
          kind: 'awaiting-sync',
          label: 'Awaiting sync',
          reason: 'The cluster does not yet run what Git asks for',
          tone: 'warning',
        },
      ],
      [
        'Synced and Healthy but not deployed, auto sync, with the backend rule’s reason',
        env({
          deployed: false,
          syncMode: 'auto',
          deployedReason: 'Argo CD has not reconciled since the last sync',
        }),
        {
          kind: 'awaiting-sync',
          label: 'Awaiting sync',
          reason: 'Argo CD has not reconciled since the last sync',
          tone: 'progress',
        },
      ],
    ])('on current data: %s', (_name, facts, expected) => {
      expect(environmentVerdict(facts, ok)).toStrictEqual(expected);
    });

    it('reads the data alone when no sources are given', () => {
      expect(environmentVerdict(env())).toStrictEqual({
        kind: 'deployed',
        label: 'Deployed',
        reason: 'The cluster runs what Git asks for, Synced and Healthy',
        tone: 'ok',
      });
      expect(environmentVerdict(env(), [])).toStrictEqual(
        environmentVerdict(env()),
      );
    });

    it.each<
      [string, EnvironmentVerdictFacts, SourceReport[], EnvironmentVerdict]
    >([
      [
        'both sources failed and nothing was read: names both, from the oldest fetch',
        env({ live: undefined, deployed: false }),
        [failingSource('gitops', T5), failingSource('delivery', T2)],
        {
          kind: 'unknown',
          label: 'Live state unknown',
          reason:
            'GitOps and Argo CD did not answer, so what runs in prod is unknown',
          tone: 'unknown',
          lastKnownAt: T2,
        },
      ],
      [
        'an empty fetch time is no time',
        env({ live: undefined, deployed: false }),
        [failingSource('gitops', ''), failingSource('delivery', T5)],
        {
          kind: 'unknown',
          label: 'Live state unknown',
          reason:
            'GitOps and Argo CD did not answer, so what runs in prod is unknown',
          tone: 'unknown',
          lastKnownAt: T5,
        },
      ],
      [
        'Argo CD failed without a fetch time and nothing was read',
        env({ live: undefined, deployed: false }),
        [ok[0], failingSource('delivery')],
        {
          kind: 'unknown',
          label: 'Live state unknown',
          reason: 'Argo CD did not answer, so what runs in prod is unknown',
          tone: 'unknown',
        },
      ],
      [
        'Argo CD stale with data read and no last-known verdict',
        env(),
        [ok[0], { ...ok[1], status: 'stale', fetchedAt: T2 }],
        {
          kind: 'unknown',
          label: 'Last known: deployed',
          reason:
            'Argo CD did not answer; the last-known data says: The cluster runs what Git asks for, Synced and Healthy',
          tone: 'unknown',
          lastKnown: { kind: 'deployed', label: 'Deployed' },
          lastKnownAt: T2,
        },
      ],
      [
        'the backend’s last-known verdict names its sources and time, over the answers',
        env(
          {
            deployed: false,
            lastKnown: {
              deployed: false,
              reason: 'Argo CD reported Degraded',
              sources: ['GitOps', 'Argo CD'],
              since: T1,
            },
          },
          { healthStatus: 'Degraded' },
        ),
        [ok[0], failingSource('delivery', T5)],
        {
          kind: 'unknown',
          label: 'Last known: degraded',
          reason:
            'GitOps and Argo CD did not answer; the last-known data says: Argo CD reported Degraded',
          tone: 'unknown',
          lastKnown: { kind: 'degraded', label: 'Degraded' },
          lastKnownAt: T1,
        },
      ],
      [
        'a last-known verdict without live data and without a time',
        env({
          live: undefined,
          deployed: false,
          lastKnown: {
            deployed: true,
            reason: 'carries the overlay',
            sources: ['Argo CD'],
          },
        }),
        [],
        {
          kind: 'unknown',
          label: 'Last known: deployed',
          reason:
            'Argo CD did not answer; the last-known data says: carries the overlay',
          tone: 'unknown',
          lastKnown: { kind: 'deployed', label: 'Deployed' },
        },
      ],
      [
        'a canary on last-known data keeps its progress',
        env(
          {
            deployed: false,
            lastKnown: {
              deployed: false,
              reason: 'canary at 25%',
              sources: ['Argo CD'],
              since: T1,
            },
          },
          {
            rollout: { strategy: 'canary', weight: 25, paused: true },
          },
        ),
        [ok[0], failingSource('delivery', T5)],
        {
          kind: 'unknown',
          label: 'Last known: rolling out 25%',
          reason:
            'Argo CD did not answer; the last-known data says: canary at 25%',
          tone: 'unknown',
          lastKnown: { kind: 'rolling-out', label: 'Rolling out 25%' },
          progress: {
            text: 'Canary: 25% of traffic on the new version, paused',
            percent: 25,
          },
          lastKnownAt: T1,
        },
      ],
    ])(
      'when a source did not answer: %s',
      (_name, facts, sources, expected) => {
        expect(environmentVerdict(facts, sources)).toStrictEqual(expected);
      },
    );

    it('gives each kind its tone, and awaiting sync the tone of its sync mode', () => {
      fc.assert(
        fc.property(factsArb, facts => {
          const { state } = build(facts);
          const verdict = environmentVerdict(state, ok);
          fc.pre(state.lastKnown === undefined);
          const expected: Record<string, string[]> = {
            'awaiting-first-deploy': ['unknown'],
            'awaiting-sync': [
              state.syncMode === 'auto' ? 'progress' : 'warning',
            ],
            'rolling-out': ['progress'],
            deployed: ['ok'],
            degraded: [verdict.label === 'Suspended' ? 'warning' : 'error'],
            drifted: ['warning'],
            failed: ['error'],
            unknown: ['unknown'],
          };
          expect(expected[verdict.kind]).toContain(verdict.tone);
          expect(verdict.label).not.toMatch(/undefined/);
          expect(verdict.reason).not.toMatch(/undefined/);
        }),
      );
    });
  });
});

describe('environmentVerdict names the controller (issue 15)', () => {
  const flux = { controller: 'flux' as const };

  it.each([
    [
      'no Kustomization, never promoted',
      env({ ...flux, live: undefined, desired: scaffolded, deployed: false }),
      'Awaiting first deploy',
      'Nothing was promoted to prod yet, and Flux has no Kustomization here',
    ],
    [
      'no Kustomization for a promoted image',
      env({ ...flux, live: undefined, deployed: false }),
      'No Flux Kustomization',
      `Git sets ${REPO}:${SHA}@${DIGEST} for prod, but Flux has no Kustomization for it`,
    ],
    [
      'never applied, manual',
      env(
        { ...flux, deployed: false },
        { images: [], healthStatus: 'Missing', lastSyncedAt: undefined },
      ),
      'Awaiting first sync',
      'Flux has not applied prod yet; prod reconciles when its source moves or a promotion asks',
    ],
    [
      'never applied, auto',
      env(
        { ...flux, syncMode: 'auto', deployed: false },
        { images: [], healthStatus: 'Missing', lastSyncedAt: undefined },
      ),
      'Awaiting first sync',
      'Flux has not applied prod yet; it reconciles on its own',
    ],
    [
      'a failed reconciliation',
      env(
        { ...flux, deployed: false },
        { operation: { phase: 'Failed', message: 'kustomize build failed' } },
      ),
      'Reconciliation failed',
      'The last Flux reconciliation failed: kustomize build failed',
    ],
    [
      'Degraded',
      env({ ...flux, deployed: false }, { healthStatus: 'Degraded' }),
      'Degraded',
      'Flux reports the Kustomization in prod Degraded',
    ],
    [
      'Missing',
      env({ ...flux, deployed: false }, { healthStatus: 'Missing' }),
      'Missing',
      'Flux finds the resources of prod missing from the cluster',
    ],
    [
      'Git changed after the last reconciliation, manual',
      env(
        { ...flux, deployed: false },
        { syncStatus: 'OutOfSync', lastSyncedAt: '2025-12-31T00:00:00Z' },
      ),
      'Awaiting sync',
      'Git changed prod after the last reconciliation; prod reconciles when its source moves or a promotion asks',
    ],
    [
      'Git changed after the last reconciliation, auto',
      env(
        { ...flux, syncMode: 'auto', deployed: false },
        { syncStatus: 'OutOfSync', lastSyncedAt: '2025-12-31T00:00:00Z' },
      ),
      'Awaiting sync',
      'Git changed prod after the last reconciliation; Flux reconciles on its own',
    ],
    [
      'reconciling',
      env({ ...flux, deployed: false }, { operation: { phase: 'Running' } }),
      'Rolling out',
      'Flux is reconciling',
    ],
    [
      'Progressing',
      env({ ...flux, deployed: false }, { healthStatus: 'Progressing' }),
      'Rolling out',
      'Flux reports the Kustomization Progressing',
    ],
    [
      'Suspended',
      env({ ...flux, deployed: false }, { healthStatus: 'Suspended' }),
      'Suspended',
      'Flux reports the Kustomization in prod Suspended',
    ],
    [
      'unknown',
      env({ ...flux, deployed: false }, { syncStatus: 'Unknown' }),
      'Unknown',
      'Flux reports sync Unknown and health Healthy',
    ],
  ])('%s', (_, facts, label, reason) => {
    expect(environmentVerdict(facts, ok)).toMatchObject({ label, reason });
  });

  it('takes the controller from the live state when the environment names none', () => {
    expect(
      environmentVerdict(
        env(
          { deployed: false },
          { controller: 'flux', healthStatus: 'Degraded' },
        ),
        ok,
      ).reason,
    ).toBe('Flux reports the Kustomization in prod Degraded');
  });

  it('names the Flux source when it did not answer', () => {
    expect(
      environmentVerdict(env({ ...flux, live: undefined }), [
        { kind: 'gitops', status: 'ok' },
        { kind: 'delivery', status: 'error' },
      ]).reason,
    ).toBe('Flux did not answer, so what runs in prod is unknown');
  });
});

describe('environmentVerdict: a controller that applied the placeholder overlay (Flux, issue 15)', () => {
  const placeholder = `${REPO}:scaffolded`;

  it('is awaiting its first deploy while only the placeholder image runs', () => {
    expect(
      environmentVerdict(
        env(
          { controller: 'flux', desired: scaffolded, deployed: true },
          { images: [placeholder], healthStatus: 'Healthy' },
        ),
        ok,
      ),
    ).toMatchObject({
      kind: 'awaiting-first-deploy',
      label: 'Awaiting first deploy',
      reason:
        'The prod overlay still has the scaffolded placeholder tag; the first build that passes sets the real image',
      tone: 'unknown',
    });
  });

  it('is not awaiting when a real image runs beside it, nor when the placeholder is pinned to a digest', () => {
    expect(
      environmentVerdict(
        env(
          { desired: scaffolded, deployed: false },
          { images: [placeholder, `${REPO}:${SHA}`] },
        ),
        ok,
      ).kind,
    ).not.toBe('awaiting-first-deploy');
    expect(
      environmentVerdict(
        env(
          { desired: scaffolded, deployed: false },
          { images: [`${placeholder}@${DIGEST}`] },
        ),
        ok,
      ).kind,
    ).not.toBe('awaiting-first-deploy');
  });

  it('is not awaiting when the overlay names a real build, even if the placeholder still runs', () => {
    expect(
      environmentVerdict(
        env({ deployed: false }, { images: [placeholder] }),
        ok,
      ).kind,
    ).not.toBe('awaiting-first-deploy');
  });
});
