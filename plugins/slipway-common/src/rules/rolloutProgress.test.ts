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
