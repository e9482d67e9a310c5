import {
  behindVerdict,
  BehindVerdict,
  BuildRun,
  EntityState,
  EnvironmentState,
  Promotion,
  ScanSummary,
} from '@slipway/plugin-slipway-common';
import { shortDigest, shortSha, shortTag } from '../common/format';
import { findSource, isSourceHealthy, Tone } from '../common/status';
import {
  promotionShortStatus,
  promotionStateTone,
  promotionSummary,
} from '../Promotion/promotionStatus';

/** One step of the delivery pipeline strip. */
export interface PipelineStep {
  id: string;
  name: string;
  tone: Tone;
  status: string;
  /** What stands at this step: a short commit, tag or digest. */
  artifact?: string;
  artifactTitle?: string;
  /** Set when this environment runs something other than the first one. */
  behind?: string;
  /** A promotion into this environment in flight or just finished. */
  promotion?: { tone: Tone; status: string; detail: string; id: string };
}

/** Whether `env` lags `first`, by the common "behind" rule over the desired images. */
export function behindFirst(
  env: EnvironmentState,
  first: EnvironmentState | undefined,
): BehindVerdict {
  return behindVerdict(
    { environment: env.environment, image: env.desired?.image },
    first && { environment: first.environment, image: first.desired?.image },
  );
}

export function buildTone(
  build: BuildRun | undefined,
  sourceOk: boolean,
): { tone: Tone; status: string } {
  if (!build) return { tone: 'unknown', status: 'no build found' };
  if (build.status === 'queued') return { tone: 'progress', status: 'queued' };
  if (build.status === 'in_progress') {
    return { tone: 'progress', status: 'running' };
  }
  switch (build.conclusion) {
    case 'success':
      return { tone: sourceOk ? 'ok' : 'unknown', status: 'passed' };
    case 'failure':
    case 'timed_out':
      return { tone: 'error', status: build.conclusion.replace('_', ' ') };
    case undefined:
      return { tone: 'unknown', status: 'completed' };
    default:
      return { tone: 'warning', status: build.conclusion.replace('_', ' ') };
  }
}

export function scanTone(
  scan: ScanSummary | undefined,
  sourceOk: boolean,
): { tone: Tone; status: string } {
  if (!scan) return { tone: 'unknown', status: 'no scan found' };
  switch (scan.status) {
    case 'Pending':
    case 'Running':
      return { tone: 'progress', status: scan.status.toLocaleLowerCase() };
    case 'Error':
      return { tone: 'error', status: 'scan failed' };
    case 'NotScanned':
      return { tone: 'unknown', status: 'not scanned' };
    default:
      if (scan.critical > 0) {
        return { tone: 'error', status: `${scan.critical} critical` };
      }
      if (scan.high > 0)
        return { tone: 'warning', status: `${scan.high} high` };
      return {
        tone: sourceOk ? 'ok' : 'unknown',
        status: 'no critical or high',
      };
  }
}

/** The state of one environment, in one word or phrase and a tone. */
function environmentTone(
  env: EnvironmentState,
  deliveryOk: boolean,
): { tone: Tone; status: string } {
  const live = env.live;
  if (!live) {
    return {
      tone: 'unknown',
      status: deliveryOk ? 'no Argo CD application' : 'live state unknown',
    };
  }
  if (live.healthStatus === 'Degraded' || live.healthStatus === 'Missing') {
    return { tone: 'error', status: live.healthStatus };
  }
  if (live.operation?.phase === 'Failed' || live.operation?.phase === 'Error') {
    return { tone: 'error', status: 'sync failed' };
  }
  const rollout = live.rollout;
  if (
    rollout &&
    (rollout.paused ||
      (rollout.currentStep !== undefined &&
        rollout.totalSteps !== undefined &&
        rollout.currentStep < rollout.totalSteps))
  ) {
    const step =
      rollout.currentStep !== undefined && rollout.totalSteps !== undefined
        ? ` step ${rollout.currentStep} of ${rollout.totalSteps}`
        : '';
    return {
      tone: 'progress',
      status: `${
        rollout.strategy === 'canary' ? 'canary' : 'blue-green'
      }${step}${rollout.paused ? ', paused' : ''}`,
    };
  }
  if (env.drift.drifted) return { tone: 'warning', status: 'drift' };
  if (live.healthStatus === 'Progressing') {
    return { tone: 'progress', status: 'progressing' };
  }
  if (live.syncStatus === 'OutOfSync') {
    return { tone: 'warning', status: 'OutOfSync' };
  }
  if (live.healthStatus === 'Suspended') {
    return { tone: 'warning', status: 'suspended' };
  }
  if (env.lastKnown) {
    return {
      tone: 'unknown',
      status: `last known: ${
        env.lastKnown.deployed ? 'deployed' : 'not deployed'
      }`,
    };
  }
  if (env.deployed) {
    return { tone: deliveryOk ? 'ok' : 'unknown', status: 'deployed' };
  }
  if (live.syncStatus === 'Unknown' || live.healthStatus === 'Unknown') {
    return { tone: 'unknown', status: 'unknown' };
  }
  return { tone: 'warning', status: 'not yet deployed' };
}

function imageLabel(env: EnvironmentState): {
  label?: string;
  title?: string;
} {
  const image = env.desired?.image ?? env.artifact?.image;
  if (!image) return {};
  const label = shortTag(image.tag) ?? shortDigest(image.digest);
  const title = [
    image.repository,
    image.tag && `tag ${image.tag}`,
    image.digest,
  ]
    .filter(Boolean)
    .join(' · ');
  return { label, title };
}

/** commit → build → scan → each environment, in order. */
export function pipelineSteps(
  state: EntityState,
  promotions: Record<string, Promotion | undefined> = {},
): PipelineStep[] {
  const ciOk = isSourceHealthy(findSource(state.sources, 'ci'));
  const artifactsOk = isSourceHealthy(findSource(state.sources, 'artifacts'));
  const deliveryOk = isSourceHealthy(findSource(state.sources, 'delivery'));
  const first = state.environments[0];
  const latestBuild = state.builds[0] ?? first?.artifact?.build;
  const commit = latestBuild?.commit ?? first?.artifact?.sourceCommit;
  // Green only when the source that named the commit answered.
  const commitSourceOk = state.builds[0] ? ciOk : artifactsOk;
  const scanned = first?.artifact;

  const steps: PipelineStep[] = [
    {
      id: 'commit',
      name: 'Commit',
      tone: commit && commitSourceOk ? 'ok' : 'unknown',
      status: commit ? 'latest' : 'unknown',
      artifact: shortSha(commit),
      artifactTitle: commit,
    },
    {
      id: 'build',
      name: 'Build',
      ...buildTone(latestBuild, ciOk),
      artifact: latestBuild ? shortSha(latestBuild.commit) : undefined,
      artifactTitle: latestBuild?.commit,
    },
    {
      id: 'scan',
      name: 'Scan',
      ...scanTone(scanned?.scan, artifactsOk),
      artifact:
        shortTag(scanned?.image.tag) ?? shortDigest(scanned?.image.digest),
      artifactTitle: scanned?.image.digest ?? scanned?.image.tag,
    },
  ];
  for (const env of state.environments) {
    const image = imageLabel(env);
    steps.push({
      id: `env-${env.environment}`,
      name: env.environment,
      ...environmentTone(env, deliveryOk),
      artifact: image.label,
      artifactTitle: image.title,
      behind: behindFirst(env, first).behind ? first.environment : undefined,
      promotion: promotionStep(promotions[env.environment]),
    });
  }
  return steps;
}

function promotionStep(
  promotion: Promotion | undefined,
): PipelineStep['promotion'] {
  if (!promotion) return undefined;
  return {
    id: promotion.id,
    tone: promotionStateTone(promotion.state),
    status: promotionShortStatus(promotion),
    detail: promotionSummary(promotion),
  };
}
