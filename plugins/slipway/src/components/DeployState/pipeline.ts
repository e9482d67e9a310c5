import {
  behindBuildVerdict,
  BehindBuildVerdict,
  behindVerdict,
  BehindVerdict,
  BuildRun,
  buildRunLabel,
  environmentVerdict,
  EntityState,
  EnvironmentState,
  Promotion,
  ScanSummary,
} from '@slipway/plugin-slipway-common';
import { shortDigest, shortSha, shortTag } from '../common/format';
import { findSource, isPending, isSourceHealthy, Tone } from '../common/status';
import {
  promotionShortStatus,
  promotionStateTone,
  promotionSummary,
} from '../Promotion/promotionStatus';

/** An environment whose deciding sources have not answered yet. */
const LOADING_VERDICT = {
  label: 'Loading…',
  reason: 'Waiting for Git and Argo CD to answer',
  tone: 'unknown' as const,
  progress: undefined,
};

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
  behindTitle?: string;
  /** Set on the first environment when a newer build passed than the one it runs. */
  behindBuild?: { label: string; title: string };
  /** A short explanation under the step, e.g. scan and build of different commits. */
  note?: string;
  /** Why the step says what it says (the verdict's reason). */
  title?: string;
  /** A promotion into this environment in flight or just finished. */
  promotion?: { tone: Tone; status: string; detail: string; id: string };
}

/** Whether the first environment lags the latest successful build, by the common rule. */
export function behindLatestBuild(
  env: EnvironmentState,
  builds: BuildRun[],
): BehindBuildVerdict {
  return behindBuildVerdict(
    {
      environment: env.environment,
      image: env.desired?.image,
      sourceCommit: env.artifact?.sourceCommit,
    },
    builds,
  );
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
  const first = state.environments[0];
  const latestBuild = state.builds[0] ?? first?.artifact?.build;
  const commit = latestBuild?.commit ?? first?.artifact?.sourceCommit;
  // Green only when the source that named the commit answered.
  const commitSourceOk = state.builds[0] ? ciOk : artifactsOk;
  const scanned = first?.artifact;

  const scanCommit = scanned?.sourceCommit ?? scanned?.image.tag;
  const differentCommits =
    latestBuild !== undefined &&
    scanCommit !== undefined &&
    scanned?.scan !== undefined &&
    scanCommit !== latestBuild.commit;
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
      note: differentCommits
        ? `Scan of ${shortSha(scanCommit)}, the image Git sets for ${
            first.environment
          }; the latest build (${buildRunLabel(latestBuild)}) is of ${shortSha(
            latestBuild.commit,
          )}`
        : undefined,
    },
  ];
  for (const env of state.environments) {
    const image = imageLabel(env);
    // A streamed state's part still waiting for GitOps or Argo CD is loading.
    const verdict = isPending(state.sources, 'gitops', 'delivery')
      ? LOADING_VERDICT
      : environmentVerdict(env, state.sources);
    const behind = behindFirst(env, first);
    const behindBuild =
      env === first ? behindLatestBuild(env, state.builds) : undefined;
    steps.push({
      id: `env-${env.environment}`,
      name: env.environment,
      tone: verdict.tone,
      status: verdict.label,
      title: verdict.progress
        ? `${verdict.reason}. ${verdict.progress.text}`
        : verdict.reason,
      artifact: image.label,
      artifactTitle: image.title,
      behind: behind.behind ? first.environment : undefined,
      behindTitle: behind.behind ? behind.reason : undefined,
      behindBuild:
        behindBuild?.behind && behindBuild.build
          ? {
              label: `Behind ${buildRunLabel(behindBuild.build)}`,
              title: behindBuild.reason,
            }
          : undefined,
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
