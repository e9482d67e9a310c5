import { RolloutState } from '../state';

/** Where a rollout stands, in words people read. @public */
export interface RolloutProgress {
  /** The new version is still on its way (steps left, paused, preview not promoted). */
  inProgress: boolean;
  /** The rollout failed or was aborted. */
  failed: boolean;
  /** Short label, e.g. `Rolling out 25%`, `Awaiting promotion`, `Rolled out`. */
  label: string;
  /** One sentence with what the strategy says, e.g. canary step, weight and pause. */
  text: string;
  /** Share of the way done (traffic weight for a canary), 0–100, when known. */
  percent?: number;
}

const PAUSE_REASONS: Record<string, string> = {
  CanaryPauseStep: 'paused at a canary step',
  BlueGreenPause: 'waiting for promotion',
  InconclusiveAnalysisRun: 'paused: the analysis was inconclusive',
  InconclusiveExperiment: 'paused: the experiment was inconclusive',
};

/**
 * An enum value as people write it: `CanaryPauseStep` → `canary pause step`,
 * `OutOfSync` → `out of sync`. Acronyms stay whole.
 *
 * @public
 */
export function readableEnum(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .replace(/[_-]/g, ' ')
    .split(' ')
    .filter(Boolean)
    .map(word => (/^[A-Z0-9]{2,}$/.test(word) ? word : word.toLowerCase()))
    .join(' ');
}

/** Why a Rollout is paused, readable: `CanaryPauseStep` → `paused at a canary step`. @public */
export function pauseReasonText(reason: string | undefined): string {
  if (!reason) return 'paused';
  return PAUSE_REASONS[reason] ?? `paused (${readableEnum(reason)})`;
}

/**
 * A message from Argo Rollouts made readable: a bare enum (the Rollout's
 * `status.message` is often just `CanaryPauseStep`) becomes words; a sentence
 * is kept.
 *
 * @public
 */
export function readableRolloutMessage(
  message: string | undefined,
): string | undefined {
  if (!message) return undefined;
  if (/^[A-Za-z]+$/.test(message) && /[a-z][A-Z]/.test(message)) {
    return PAUSE_REASONS[message]
      ? capitalise(PAUSE_REASONS[message])
      : capitalise(readableEnum(message));
  }
  return message;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const FAILED_PHASES = ['Degraded', 'Aborted', 'Failed'];

function failedRollout(rollout: RolloutState): string | undefined {
  if (rollout.analysis === 'Failed' || rollout.analysis === 'Error') {
    return `the analysis ${
      rollout.analysis === 'Failed' ? 'failed' : 'errored'
    }`;
  }
  if (rollout.phase && FAILED_PHASES.includes(rollout.phase)) {
    return rollout.strategy === 'deployment'
      ? 'the Deployment is Degraded'
      : `the Rollout is ${rollout.phase}`;
  }
  return undefined;
}

function blueGreenProgress(rollout: RolloutState): RolloutProgress {
  const facts = rollout.blueGreen ?? {};
  const active = facts.activeService ?? 'the active service';
  const preview = facts.previewService ?? 'the preview service';
  const promoted =
    facts.currentPodHash !== undefined
      ? facts.activeSelector === facts.currentPodHash
      : !rollout.paused && rollout.phase === 'Healthy';
  if (promoted) {
    return {
      inProgress: false,
      failed: false,
      label: 'Promoted',
      text: `Blue-green: ${active} serves the new version`,
      percent: 100,
    };
  }
  const previewReady =
    facts.currentPodHash !== undefined &&
    facts.previewSelector === facts.currentPodHash;
  if (rollout.paused || rollout.pauseReason === 'BlueGreenPause') {
    return {
      inProgress: true,
      failed: false,
      label: 'Awaiting promotion',
      text: `Blue-green: ${preview} serves the new version, ${active} still serves the old one; ${
        facts.autoPromotionEnabled
          ? 'promotes on its own'
          : 'waiting for promotion'
      }`,
    };
  }
  return {
    inProgress: true,
    failed: false,
    label: previewReady ? 'Promoting' : 'Starting preview',
    text: previewReady
      ? `Blue-green: ${preview} serves the new version; ${active} switches to it`
      : `Blue-green: the new version is starting behind ${preview}; ${active} serves the old one`,
  };
}

function canaryProgress(rollout: RolloutState): RolloutProgress {
  const hasSteps =
    rollout.currentStep !== undefined && rollout.totalSteps !== undefined;
  const stepsLeft =
    hasSteps &&
    (rollout.currentStep as number) < (rollout.totalSteps as number);
  const weight =
    rollout.weight !== undefined
      ? Math.max(0, Math.min(100, rollout.weight))
      : undefined;
  const inProgress =
    Boolean(rollout.paused) ||
    rollout.phase === 'Progressing' ||
    rollout.phase === 'Paused' ||
    stepsLeft ||
    ((weight ?? 100) < 100 && rollout.phase !== 'Healthy');
  const parts = [
    hasSteps && `step ${rollout.currentStep} of ${rollout.totalSteps}`,
    weight !== undefined && `${weight}% of traffic on the new version`,
    rollout.paused && pauseReasonText(rollout.pauseReason),
  ].filter(Boolean);
  if (!inProgress) {
    return {
      inProgress: false,
      failed: false,
      label: 'Rolled out',
      text: 'Canary: all traffic on the new version',
      percent: 100,
    };
  }
  let label = 'Rolling out';
  if (weight !== undefined) label = `Rolling out ${weight}%`;
  else if (hasSteps) {
    label = `Rolling out, step ${rollout.currentStep} of ${rollout.totalSteps}`;
  }
  return {
    inProgress: true,
    failed: false,
    label,
    text: `Canary${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`,
    percent:
      weight ??
      (hasSteps
        ? Math.round(
            ((rollout.currentStep as number) / (rollout.totalSteps as number)) *
              100,
          )
        : undefined),
  };
}

function deploymentProgress(rollout: RolloutState): RolloutProgress {
  const message = readableRolloutMessage(rollout.message);
  if (rollout.phase === 'Progressing') {
    return {
      inProgress: true,
      failed: false,
      label: 'Rolling out',
      text: `Deployment rolling out${message ? `: ${message}` : ''}`,
    };
  }
  if (rollout.phase === 'Suspended') {
    return {
      inProgress: true,
      failed: false,
      label: 'Rollout paused',
      text: `Deployment rollout paused${message ? `: ${message}` : ''}`,
    };
  }
  return {
    inProgress: false,
    failed: false,
    label: rollout.phase === 'Healthy' ? 'Rolled out' : 'Rollout state unknown',
    text:
      rollout.phase === 'Healthy'
        ? 'Deployment: every replica runs the new version'
        : `Deployment: ${message ?? rollout.phase ?? 'no status'}`,
  };
}

/**
 * Where a rollout stands, from its real strategy: a canary's step, weight
 * and pause; a blue-green's active and preview services and promotion; a
 * Deployment's rollout status. A failed analysis or a Degraded or aborted
 * rollout is failed, whatever else it says.
 *
 * @public
 */
export function rolloutProgress(rollout: RolloutState): RolloutProgress {
  const failure = failedRollout(rollout);
  if (failure) {
    const aborted = rollout.phase === 'Aborted';
    return {
      inProgress: false,
      failed: true,
      label: aborted ? 'Rollout aborted' : 'Rollout failed',
      text: `${capitalise(failure)}${
        rollout.message ? `: ${readableRolloutMessage(rollout.message)}` : ''
      }`,
    };
  }
  if (rollout.strategy === 'blueGreen') return blueGreenProgress(rollout);
  if (rollout.strategy === 'deployment') return deploymentProgress(rollout);
  return canaryProgress(rollout);
}
