import { BuildRun, ImageRef } from '../state';
import { BehindVerdict } from './behindVerdict';
import { isNeverPromotedImage } from './environmentVerdict';

/** An environment, the image its overlay sets and the commit that image was built from. @public */
export interface EnvironmentBuild {
  environment: string;
  image?: ImageRef;
  /** The source commit of the image, when the registry or CI knows it. */
  sourceCommit?: string;
}

/** Whether an environment lags the latest successful build, and which build. @public */
export interface BehindBuildVerdict extends BehindVerdict {
  /** The newest successful build the verdict compared with. */
  build?: BuildRun;
}

const DEFAULT_BRANCHES = ['main', 'master', 'trunk'];

function succeeded(run: BuildRun): boolean {
  return run.status === 'completed' && run.conclusion === 'success';
}

/** `CI #42`, `#42`, `CI`, or the run id: how people name a run. @public */
export function buildRunLabel(run: BuildRun): string {
  if (run.number !== undefined) {
    return run.name ? `${run.name} #${run.number}` : `#${run.number}`;
  }
  if (run.name && /#\d/.test(run.name)) return run.name;
  return run.name ? `${run.name} (run ${run.id})` : `run ${run.id}`;
}

/**
 * Behind the build: a newer successful build exists than the one the
 * environment's image comes from (builds are newest first). Only builds of
 * the branch that built the running image count, or of the default branch
 * when the running image is not among the builds, so a pull request's build
 * never makes an environment behind. An environment that was never
 * promoted is behind any successful build.
 *
 * @public
 */
export function behindBuildVerdict(
  candidate: EnvironmentBuild,
  builds: BuildRun[],
): BehindBuildVerdict {
  const name = candidate.environment;
  const commit = isNeverPromotedImage(candidate.image)
    ? undefined
    : candidate.sourceCommit ?? (candidate.image as ImageRef).tag;
  // -1 when the image's commit is not among the builds (or unknown), so `own` is undefined.
  const ownIndex = builds.findIndex(b => b.commit === commit);
  const own: BuildRun | undefined = builds[ownIndex];
  const branch = own?.branch;
  const sameLine = (run: BuildRun) =>
    branch !== undefined
      ? run.branch === branch
      : run.branch === undefined || DEFAULT_BRANCHES.includes(run.branch);
  const latestIndex = builds.findIndex(b => succeeded(b) && sameLine(b));
  if (latestIndex < 0) {
    return { behind: false, reason: 'No successful build to compare with' };
  }
  const latest = builds[latestIndex];
  const label = buildRunLabel(latest);
  if (commit === undefined) {
    return {
      behind: true,
      reason: `${name} was never promoted; ${label} passed for ${latest.commit.slice(
        0,
        7,
      )}`,
      build: latest,
    };
  }
  if (latest.commit === commit) {
    return {
      behind: false,
      reason: `${name} runs the latest successful build (${label})`,
      build: latest,
    };
  }
  if (own && ownIndex < latestIndex) {
    return {
      behind: false,
      reason: `${name} runs a newer build than the latest successful one`,
      build: latest,
    };
  }
  return {
    behind: true,
    reason: `${name} runs ${commit.slice(
      0,
      7,
    )}; ${label} passed for ${latest.commit.slice(0, 7)}`,
    build: latest,
  };
}
