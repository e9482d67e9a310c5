import fc from 'fast-check';
import {
  pauseReasonText,
  readableEnum,
  readableRolloutMessage,
  rolloutProgress,
} from './rolloutProgress';

describe('readable rollout wording', () => {
  it.each([
    ['CanaryPauseStep', 'canary pause step'],
    ['BlueGreenPause', 'blue green pause'],
    ['OutOfSync', 'out of sync'],
    ['InconclusiveAnalysisRun', 'inconclusive analysis run'],
    ['HTTPError', 'HTTP error'],
  ])('%s reads "%s"', (value, text) => {
    expect(readableEnum(value)).toBe(text);
  });

  it('names the pause reasons Argo Rollouts uses', () => {
    expect(pauseReasonText('CanaryPauseStep')).toBe('paused at a canary step');
    expect(pauseReasonText('BlueGreenPause')).toBe('waiting for promotion');
    expect(pauseReasonText('InconclusiveAnalysisRun')).toBe(
      'paused: the analysis was inconclusive',
    );
    expect(pauseReasonText('SomethingNew')).toBe('paused (something new)');
    expect(pauseReasonText(undefined)).toBe('paused');
  });

  it('turns a bare enum message into words and keeps sentences', () => {
    expect(readableRolloutMessage('CanaryPauseStep')).toBe(
      'Paused at a canary step',
    );
    expect(readableRolloutMessage('Rollout is paused')).toBe(
      'Rollout is paused',
    );
    expect(readableRolloutMessage(undefined)).toBeUndefined();
  });

  it('never lets a raw enum through', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^([A-Z][a-z]{1,6}){2,4}$/), value => {
        expect(readableRolloutMessage(value)).not.toBe(value);
        expect(pauseReasonText(value)).not.toContain(value);
      }),
    );
  });
});

describe('rolloutProgress', () => {
  it('a finished canary is rolled out', () => {
    expect(
      rolloutProgress({
        strategy: 'canary',
        phase: 'Healthy',
        currentStep: 5,
        totalSteps: 5,
        weight: 100,
      }),
    ).toMatchObject({ inProgress: false, failed: false, label: 'Rolled out' });
  });

  it('a canary by steps alone says the step', () => {
    expect(
      rolloutProgress({ strategy: 'canary', currentStep: 2, totalSteps: 5 }),
    ).toMatchObject({
      inProgress: true,
      label: 'Rolling out, step 2 of 5',
      percent: 40,
    });
  });

  it('blue-green: promoted, awaiting promotion, preview starting', () => {
    const blueGreen = {
      activeService: 'a',
      previewService: 'p',
      activeSelector: 'new',
      previewSelector: 'new',
      currentPodHash: 'new',
    };
    expect(
      rolloutProgress({ strategy: 'blueGreen', phase: 'Healthy', blueGreen }),
    ).toMatchObject({ inProgress: false, label: 'Promoted' });
    expect(
      rolloutProgress({
        strategy: 'blueGreen',
        phase: 'Paused',
        paused: true,
        blueGreen: { ...blueGreen, activeSelector: 'old' },
      }),
    ).toMatchObject({ inProgress: true, label: 'Awaiting promotion' });
    expect(
      rolloutProgress({
        strategy: 'blueGreen',
        phase: 'Progressing',
        blueGreen: {
          ...blueGreen,
          activeSelector: 'old',
          previewSelector: 'old',
        },
      }),
    ).toMatchObject({ inProgress: true, label: 'Starting preview' });
    expect(
      rolloutProgress({
        strategy: 'blueGreen',
        phase: 'Paused',
        paused: true,
        blueGreen: {
          ...blueGreen,
          activeSelector: 'old',
          autoPromotionEnabled: true,
        },
      }).text,
    ).toMatch(/promotes on its own$/);
  });

  it('a Deployment reports its rollout status', () => {
    expect(
      rolloutProgress({
        strategy: 'deployment',
        phase: 'Progressing',
        message:
          'Waiting for rollout to finish: 1 of 3 updated replicas are available...',
      }),
    ).toEqual({
      inProgress: true,
      failed: false,
      label: 'Rolling out',
      text: 'Deployment rolling out: Waiting for rollout to finish: 1 of 3 updated replicas are available...',
    });
    expect(
      rolloutProgress({ strategy: 'deployment', phase: 'Healthy' }),
    ).toMatchObject({ inProgress: false, label: 'Rolled out' });
    expect(
      rolloutProgress({ strategy: 'deployment', phase: 'Degraded' }),
    ).toMatchObject({ failed: true, label: 'Rollout failed' });
  });

  it('a failed analysis fails the rollout whatever else it says', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('canary' as const, 'blueGreen' as const),
        fc.constantFrom('Failed' as const, 'Error' as const),
        fc.boolean(),
        (strategy, analysis, paused) => {
          const progress = rolloutProgress({ strategy, analysis, paused });
          expect(progress.failed).toBe(true);
          expect(progress.inProgress).toBe(false);
        },
      ),
    );
  });

  it('keeps the canary weight within 0–100', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 200 }), weight => {
        const progress = rolloutProgress({
          strategy: 'canary',
          weight,
          paused: true,
        });
        expect(progress.percent).toBeGreaterThanOrEqual(0);
        expect(progress.percent).toBeLessThanOrEqual(100);
      }),
    );
  });
});

describe('rollout wording, exactly', () => {
  type Progress = ReturnType<typeof rolloutProgress>;
  type Rollout = Parameters<typeof rolloutProgress>[0];

  it('drops separators at the ends and in runs', () => {
    expect(readableEnum('Out_of__sync_')).toBe('out of sync');
    expect(readableEnum('-Image-pull-back-off')).toBe('image pull back off');
    expect(readableEnum('')).toBe('');
  });

  it('keeps a word whole only when all of it is capitals or digits', () => {
    expect(readableEnum('ERR.timeout')).toBe('err.timeout');
    expect(readableEnum('upstream.ERR')).toBe('upstream.err');
    expect(readableEnum('HTTP_API')).toBe('HTTP API');
  });

  it('treats an empty message as none and keeps sentences that name kinds', () => {
    expect(readableRolloutMessage('')).toBeUndefined();
    expect(
      readableRolloutMessage(
        'ReplicaSet "orders-5d9f" has successfully progressed.',
      ),
    ).toBe('ReplicaSet "orders-5d9f" has successfully progressed.');
    expect(
      readableRolloutMessage(
        'Waiting for ReplicaSet orders-5d9f to become available',
      ),
    ).toBe('Waiting for ReplicaSet orders-5d9f to become available');
    expect(readableRolloutMessage('InconclusiveExperiment')).toBe(
      'Paused: the experiment was inconclusive',
    );
    expect(pauseReasonText('InconclusiveExperiment')).toBe(
      'paused: the experiment was inconclusive',
    );
    expect(readableRolloutMessage('RolloutAborted')).toBe('Rollout aborted');
  });

  const blueGreen = {
    activeService: 'app-active',
    previewService: 'app-preview',
    activeSelector: 'old',
    previewSelector: 'old',
    currentPodHash: 'new',
  };

  it.each<[string, Rollout, Progress]>([
    [
      'a failed analysis',
      { strategy: 'canary', analysis: 'Failed' },
      {
        inProgress: false,
        failed: true,
        label: 'Rollout failed',
        text: 'The analysis failed',
      },
    ],
    [
      'an analysis that errored, with its message',
      {
        strategy: 'canary',
        analysis: 'Error',
        message: 'Metric "success-rate" assessed Error',
      },
      {
        inProgress: false,
        failed: true,
        label: 'Rollout failed',
        text: 'The analysis errored: Metric "success-rate" assessed Error',
      },
    ],
    [
      'a Degraded canary',
      { strategy: 'canary', phase: 'Degraded' },
      {
        inProgress: false,
        failed: true,
        label: 'Rollout failed',
        text: 'The Rollout is Degraded',
      },
    ],
    [
      'a Failed canary',
      { strategy: 'canary', phase: 'Failed' },
      {
        inProgress: false,
        failed: true,
        label: 'Rollout failed',
        text: 'The Rollout is Failed',
      },
    ],
    [
      'an aborted blue-green, with its enum message made readable',
      { strategy: 'blueGreen', phase: 'Aborted', message: 'RolloutAborted' },
      {
        inProgress: false,
        failed: true,
        label: 'Rollout aborted',
        text: 'The Rollout is Aborted: Rollout aborted',
      },
    ],
    [
      'a Degraded Deployment',
      {
        strategy: 'deployment',
        phase: 'Degraded',
        message: 'ProgressDeadlineExceeded',
      },
      {
        inProgress: false,
        failed: true,
        label: 'Rollout failed',
        text: 'The Deployment is Degraded: Progress deadline exceeded',
      },
    ],
    [
      'a paused blue-green without service names',
      { strategy: 'blueGreen', phase: 'Paused', paused: true },
      {
        inProgress: true,
        failed: false,
        label: 'Awaiting promotion',
        text: 'Blue-green: the preview service serves the new version, the active service still serves the old one; waiting for promotion',
      },
    ],
    [
      'a Healthy blue-green without selectors (promoted)',
      { strategy: 'blueGreen', phase: 'Healthy' },
      {
        inProgress: false,
        failed: false,
        label: 'Promoted',
        text: 'Blue-green: the active service serves the new version',
        percent: 100,
      },
    ],
    [
      'a Healthy but paused blue-green without selectors (not promoted)',
      { strategy: 'blueGreen', phase: 'Healthy', paused: true },
      {
        inProgress: true,
        failed: false,
        label: 'Awaiting promotion',
        text: 'Blue-green: the preview service serves the new version, the active service still serves the old one; waiting for promotion',
      },
    ],
    [
      'a Progressing blue-green without selectors (starting preview)',
      { strategy: 'blueGreen', phase: 'Progressing' },
      {
        inProgress: true,
        failed: false,
        label: 'Starting preview',
        text: 'Blue-green: the new version is starting behind the preview service; the active service serves the old one',
      },
    ],
    [
      'a blue-green whose active service selects the new pods, still Progressing',
      {
        strategy: 'blueGreen',
        phase: 'Progressing',
        blueGreen: { ...blueGreen, activeSelector: 'new' },
      },
      {
        inProgress: false,
        failed: false,
        label: 'Promoted',
        text: 'Blue-green: app-active serves the new version',
        percent: 100,
      },
    ],
    [
      'a blue-green whose preview serves the new pods, not paused (promoting)',
      {
        strategy: 'blueGreen',
        phase: 'Progressing',
        blueGreen: { ...blueGreen, previewSelector: 'new' },
      },
      {
        inProgress: true,
        failed: false,
        label: 'Promoting',
        text: 'Blue-green: app-preview serves the new version; app-active switches to it',
      },
    ],
    [
      'a blue-green with a BlueGreenPause reason but no paused flag',
      {
        strategy: 'blueGreen',
        phase: 'Progressing',
        pauseReason: 'BlueGreenPause',
        blueGreen: { ...blueGreen, previewSelector: 'new' },
      },
      {
        inProgress: true,
        failed: false,
        label: 'Awaiting promotion',
        text: 'Blue-green: app-preview serves the new version, app-active still serves the old one; waiting for promotion',
      },
    ],
    [
      'a paused canary by weight alone',
      { strategy: 'canary', weight: 30, paused: true },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out 30%',
        text: 'Canary: 30% of traffic on the new version, paused',
        percent: 30,
      },
    ],
    [
      'a canary by steps alone',
      { strategy: 'canary', currentStep: 2, totalSteps: 5 },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out, step 2 of 5',
        text: 'Canary: step 2 of 5',
        percent: 40,
      },
    ],
    [
      'a paused canary with a step but no step count',
      {
        strategy: 'canary',
        currentStep: 2,
        paused: true,
        pauseReason: 'CanaryPauseStep',
      },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out',
        text: 'Canary: paused at a canary step',
        percent: undefined,
      },
    ],
    [
      'a Progressing canary with a step count but no step',
      { strategy: 'canary', totalSteps: 5, phase: 'Progressing' },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out',
        text: 'Canary',
        percent: undefined,
      },
    ],
    [
      'a canary in phase Paused without the paused flag',
      { strategy: 'canary', phase: 'Paused' },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out',
        text: 'Canary',
        percent: undefined,
      },
    ],
    [
      'a paused canary with nothing else known',
      { strategy: 'canary', paused: true },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out',
        text: 'Canary: paused',
        percent: undefined,
      },
    ],
    [
      'a canary at 50% without a phase',
      { strategy: 'canary', weight: 50 },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out 50%',
        text: 'Canary: 50% of traffic on the new version',
        percent: 50,
      },
    ],
    [
      'a canary at 100% without a phase',
      { strategy: 'canary', weight: 100 },
      {
        inProgress: false,
        failed: false,
        label: 'Rolled out',
        text: 'Canary: all traffic on the new version',
        percent: 100,
      },
    ],
    [
      'a Healthy canary whose last weight was 50%',
      { strategy: 'canary', weight: 50, phase: 'Healthy' },
      {
        inProgress: false,
        failed: false,
        label: 'Rolled out',
        text: 'Canary: all traffic on the new version',
        percent: 100,
      },
    ],
    [
      'a canary with nothing known',
      { strategy: 'canary' },
      {
        inProgress: false,
        failed: false,
        label: 'Rolled out',
        text: 'Canary: all traffic on the new version',
        percent: 100,
      },
    ],
    [
      'a Deployment rolling out without a message',
      { strategy: 'deployment', phase: 'Progressing' },
      {
        inProgress: true,
        failed: false,
        label: 'Rolling out',
        text: 'Deployment rolling out',
      },
    ],
    [
      'a paused Deployment, with its reason made readable',
      {
        strategy: 'deployment',
        phase: 'Suspended',
        message: 'DeploymentPaused',
      },
      {
        inProgress: true,
        failed: false,
        label: 'Rollout paused',
        text: 'Deployment rollout paused: Deployment paused',
      },
    ],
    [
      'a paused Deployment without a message',
      { strategy: 'deployment', phase: 'Suspended' },
      {
        inProgress: true,
        failed: false,
        label: 'Rollout paused',
        text: 'Deployment rollout paused',
      },
    ],
    [
      'a Healthy Deployment',
      { strategy: 'deployment', phase: 'Healthy', message: 'ignored' },
      {
        inProgress: false,
        failed: false,
        label: 'Rolled out',
        text: 'Deployment: every replica runs the new version',
      },
    ],
    [
      'a Deployment in another phase',
      { strategy: 'deployment', phase: 'Pending' },
      {
        inProgress: false,
        failed: false,
        label: 'Rollout state unknown',
        text: 'Deployment: Pending',
      },
    ],
    [
      'a Deployment with a message and no phase',
      { strategy: 'deployment', message: 'MinimumReplicasUnavailable' },
      {
        inProgress: false,
        failed: false,
        label: 'Rollout state unknown',
        text: 'Deployment: Minimum replicas unavailable',
      },
    ],
    [
      'a Deployment with an empty message',
      { strategy: 'deployment', phase: 'Unknown', message: '' },
      {
        inProgress: false,
        failed: false,
        label: 'Rollout state unknown',
        text: 'Deployment: Unknown',
      },
    ],
    [
      'a Deployment with no status',
      { strategy: 'deployment' },
      {
        inProgress: false,
        failed: false,
        label: 'Rollout state unknown',
        text: 'Deployment: no status',
      },
    ],
  ])('%s', (_name, rollout, expected) => {
    expect(rolloutProgress(rollout)).toStrictEqual(expected);
  });

  const rolloutArb: fc.Arbitrary<Rollout> = fc
    .record(
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
          'Suspended',
          'Degraded',
          'Aborted',
          'Pending',
        ),
        currentStep: fc.integer({ min: 0, max: 8 }),
        totalSteps: fc.integer({ min: 1, max: 8 }),
        weight: fc.integer({ min: 0, max: 100 }),
        paused: fc.boolean(),
        analysis: fc.constantFrom(
          'Pending' as const,
          'Running' as const,
          'Successful' as const,
          'Inconclusive' as const,
        ),
        pauseReason: fc.constantFrom(
          'CanaryPauseStep',
          'InconclusiveAnalysisRun',
        ),
        blueGreen: fc.record(
          {
            activeService: fc.constant('app-active'),
            previewService: fc.constant('app-preview'),
            activeSelector: fc.constantFrom('old', 'new'),
            previewSelector: fc.constantFrom('old', 'new'),
            currentPodHash: fc.constant('new'),
            autoPromotionEnabled: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        message: fc.constantFrom(
          'ProgressDeadlineExceeded',
          'Rollout is paused',
          '',
        ),
      },
      { requiredKeys: ['strategy'] },
    )
    .map(rollout => ({
      ...rollout,
      // Argo Rollouts pauses a blue-green only for its promotion.
      ...(rollout.strategy === 'blueGreen' && rollout.pauseReason
        ? { pauseReason: 'BlueGreenPause' }
        : {}),
      // The step is at most the number of steps (at it when finished).
      ...(rollout.currentStep !== undefined && rollout.totalSteps !== undefined
        ? { currentStep: Math.min(rollout.currentStep, rollout.totalSteps) }
        : {}),
    }));

  it('speaks the strategy’s own words, never "undefined", and is never failed and under way at once', () => {
    fc.assert(
      fc.property(rolloutArb, rollout => {
        const progress = rolloutProgress(rollout);
        const words = `${progress.label} ${progress.text}`;
        expect(words).not.toMatch(/undefined|null|NaN/);
        expect(progress.failed && progress.inProgress).toBe(false);
        // A failure quotes Argo Rollouts' own message, whatever it says.
        const own = progress.failed ? '' : words;
        expect(
          rollout.strategy === 'canary' || !/step|traffic|%/.test(own),
        ).toBe(true);
        expect(
          rollout.strategy === 'blueGreen' ||
            !/preview|active|promot/i.test(own),
        ).toBe(true);
        expect(progress.percent ?? 0).toBeGreaterThanOrEqual(0);
        expect(progress.percent ?? 100).toBeLessThanOrEqual(100);
      }),
    );
  });
});
