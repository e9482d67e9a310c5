import { EnvironmentState, ImageRef, SourceReport } from '../state';
import { controllerWords } from './controllerWords';
import { imageReference, parseImageReference } from './imageReference';
import { RolloutProgress, rolloutProgress } from './rolloutProgress';

/**
 * The tag the scaffolder writes into every overlay until CI sets the first
 * built commit: an environment whose overlay still says it was never
 * promoted. @public
 */
export const SCAFFOLDED_IMAGE_TAG = 'scaffolded';

/** The kinds of verdict an environment can have. @public */
export type EnvironmentVerdictKind =
  | 'awaiting-first-deploy'
  | 'awaiting-sync'
  | 'rolling-out'
  | 'deployed'
  | 'degraded'
  | 'drifted'
  | 'failed'
  | 'unknown';

/**
 * How a verdict reads at a glance. Only `ok` is green, and only on current
 * data from sources that answered `ok`. @public
 */
export type VerdictTone = 'ok' | 'warning' | 'error' | 'progress' | 'unknown';

/** One coherent verdict for one environment. @public */
export interface EnvironmentVerdict {
  kind: EnvironmentVerdictKind;
  /** Sentence-case label, e.g. `Rolling out 25%`, `Awaiting first deploy`. */
  label: string;
  /** Why, in one or two sentences. */
  reason: string;
  tone: VerdictTone;
  /** A rollout under way: what its strategy says, and how far it is. */
  progress?: { text: string; percent?: number };
  /**
   * Set when the verdict rests on last-known data (a deciding source was
   * not `ok`): when that data was fetched, and what it said.
   */
  lastKnownAt?: string;
  lastKnown?: { kind: EnvironmentVerdictKind; label: string };
}

/** The parts of an environment's state the verdict reads. @public */
export type EnvironmentVerdictFacts = Pick<
  EnvironmentState,
  | 'environment'
  | 'syncMode'
  | 'controller'
  | 'desired'
  | 'live'
  | 'drift'
  | 'deployed'
  | 'deployedReason'
  | 'lastKnown'
>;

/** True for an overlay that was never promoted: no image, or the scaffolder's placeholder tag. @public */
export function isNeverPromotedImage(image: ImageRef | undefined): boolean {
  return (
    !image || (image.tag === SCAFFOLDED_IMAGE_TAG && image.digest === undefined)
  );
}

function verdict(
  kind: EnvironmentVerdictKind,
  label: string,
  reason: string,
  tone: VerdictTone,
  progress?: RolloutProgress,
): EnvironmentVerdict {
  const result: EnvironmentVerdict = { kind, label, reason, tone };
  if (progress) {
    result.progress = { text: progress.text };
    if (progress.percent !== undefined) {
      result.progress.percent = progress.percent;
    }
  }
  return result;
}

function time(iso: string | undefined): number {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? Number.NaN : ms;
}

/** The verdict the data gives, ignoring whether its sources answered. */
function verdictOnData(env: EnvironmentVerdictFacts): EnvironmentVerdict {
  const name = env.environment;
  const live = env.live;
  const words = controllerWords(env.controller ?? live?.controller);
  const image = env.desired?.image;
  const neverPromoted = isNeverPromotedImage(image);
  if (!live) {
    return neverPromoted
      ? verdict(
          'awaiting-first-deploy',
          'Awaiting first deploy',
          `Nothing was promoted to ${name} yet, and ${words.name} has no ${words.object} here`,
          'unknown',
        )
      : verdict(
          'unknown',
          `No ${words.name} ${words.object}`,
          `Git sets ${imageReference(image as ImageRef)} for ${name}, but ${
            words.name
          } has no ${words.object} for it`,
          'unknown',
        );
  }
  const nothingRuns =
    live.images.length === 0 &&
    (live.healthStatus === 'Missing' || live.healthStatus === 'Unknown');
  // A controller that applies every commit (Flux) runs the placeholder
  // overlay too: the placeholder tag names no build, so nothing real runs.
  const onlyPlaceholderRuns =
    live.images.length > 0 &&
    live.images.every(running =>
      isNeverPromotedImage(parseImageReference(running)),
    );
  if (neverPromoted && (nothingRuns || onlyPlaceholderRuns)) {
    return verdict(
      'awaiting-first-deploy',
      'Awaiting first deploy',
      image
        ? `The ${name} overlay still has the scaffolded placeholder tag; the first build that passes sets the real image`
        : `The ${name} overlay sets no image yet`,
      'unknown',
    );
  }
  const neverSynced =
    nothingRuns && !live.lastSyncedAt && live.operation === undefined;
  if (neverSynced) {
    return verdict(
      'awaiting-sync',
      'Awaiting first sync',
      env.syncMode === 'auto'
        ? `${words.name} has not ${words.synced} ${name} yet; it ${words.onItsOwn}`
        : `${words.name} has not ${words.synced} ${name} yet; ${name} ${words.manually}`,
      env.syncMode === 'auto' ? 'progress' : 'warning',
    );
  }
  if (live.operation?.phase === 'Failed' || live.operation?.phase === 'Error') {
    return verdict(
      'failed',
      words.failedLabel,
      `The last ${words.name} ${words.sync} ${
        live.operation.phase === 'Failed' ? 'failed' : 'errored'
      }${live.operation.message ? `: ${live.operation.message}` : ''}`,
      'error',
    );
  }
  const progress = live.rollout ? rolloutProgress(live.rollout) : undefined;
  if (progress?.failed) {
    return verdict('failed', progress.label, progress.text, 'error', progress);
  }
  if (progress?.inProgress) {
    return verdict(
      'rolling-out',
      progress.label,
      progress.text,
      'progress',
      progress,
    );
  }
  if (live.healthStatus === 'Degraded') {
    return verdict(
      'degraded',
      'Degraded',
      `${words.name} reports the ${words.object} in ${name} Degraded`,
      'error',
    );
  }
  if (live.healthStatus === 'Missing') {
    return verdict(
      'degraded',
      'Missing',
      `${words.name} finds the resources of ${name} missing from the cluster`,
      'error',
    );
  }
  const gitChangedAfterSync =
    live.syncStatus === 'OutOfSync' &&
    time(env.desired?.commit?.committedAt) > time(live.lastSyncedAt);
  if (gitChangedAfterSync) {
    return verdict(
      'awaiting-sync',
      'Awaiting sync',
      env.syncMode === 'auto'
        ? `Git changed ${name} after the last ${words.sync}; ${words.name} ${words.onItsOwn}`
        : `Git changed ${name} after the last ${words.sync}; ${name} ${words.manually}`,
      env.syncMode === 'auto' ? 'progress' : 'warning',
    );
  }
  if (env.drift.drifted) {
    return verdict(
      'drifted',
      'Drifted',
      env.drift.reasons.join('; ') || 'Git and the cluster disagree',
      'warning',
    );
  }
  if (
    live.healthStatus === 'Progressing' ||
    live.operation?.phase === 'Running'
  ) {
    return verdict(
      'rolling-out',
      'Rolling out',
      live.operation?.phase === 'Running'
        ? `${words.name} is ${words.syncing}`
        : `${words.name} reports the ${words.object} Progressing`,
      'progress',
      progress,
    );
  }
  if (env.deployed) {
    return verdict(
      'deployed',
      'Deployed',
      env.deployedReason ??
        'The cluster runs what Git asks for, Synced and Healthy',
      'ok',
    );
  }
  if (live.healthStatus === 'Suspended') {
    return verdict(
      'degraded',
      'Suspended',
      `${words.name} reports the ${words.object} in ${name} Suspended`,
      'warning',
    );
  }
  if (live.syncStatus === 'Unknown' || live.healthStatus === 'Unknown') {
    return verdict(
      'unknown',
      'Unknown',
      `${words.name} reports sync ${live.syncStatus} and health ${live.healthStatus}`,
      'unknown',
    );
  }
  return verdict(
    'awaiting-sync',
    'Awaiting sync',
    env.deployedReason ?? 'The cluster does not yet run what Git asks for',
    env.syncMode === 'auto' ? 'progress' : 'warning',
  );
}

const DECIDING_KINDS = ['gitops', 'delivery'] as const;

/**
 * One verdict per environment, for the Deploy tab's card, the pipeline
 * strip and the fleet: awaiting first deploy (never promoted), awaiting
 * sync, rolling out (with progress), deployed, degraded, drifted, failed,
 * or unknown. Built on the `deployed` and drift verdicts the backend
 * computed with the common rules, and on the rollout's real strategy.
 *
 * When the GitOps or the delivery (Argo CD, Flux) source was not `ok` (the state carries
 * `lastKnown`, or `sources` says so), the verdict is `unknown`: it names
 * what the last-known data says and from when, and it is never green.
 *
 * @public
 */
export function environmentVerdict(
  env: EnvironmentVerdictFacts,
  sources?: Pick<SourceReport, 'kind' | 'status' | 'fetchedAt'>[],
): EnvironmentVerdict {
  const onData = verdictOnData(env);
  const failing =
    sources?.filter(
      s =>
        (DECIDING_KINDS as readonly string[]).includes(s.kind) &&
        s.status !== 'ok',
    ) ?? [];
  if (!env.lastKnown && failing.length === 0) return onData;
  const names =
    env.lastKnown?.sources.join(' and ') ??
    failing
      .map(s =>
        s.kind === 'gitops'
          ? 'GitOps'
          : controllerWords(env.controller ?? env.live?.controller).name,
      )
      .join(' and ');
  const since =
    env.lastKnown?.since ??
    failing
      .map(s => s.fetchedAt)
      .filter((t): t is string => Boolean(t))
      .sort()[0];
  if (!env.live && !env.lastKnown) {
    const result: EnvironmentVerdict = {
      kind: 'unknown',
      label: 'Live state unknown',
      reason: `${names} did not answer, so what runs in ${env.environment} is unknown`,
      tone: 'unknown',
    };
    if (since) result.lastKnownAt = since;
    return result;
  }
  // The backend decided "deployed" on the last-known data with the same rule.
  const data =
    env.lastKnown?.deployed === true
      ? { kind: 'deployed' as const, label: 'Deployed' }
      : { kind: onData.kind, label: onData.label };
  const result: EnvironmentVerdict = {
    kind: 'unknown',
    label: `Last known: ${data.label
      .charAt(0)
      .toLocaleLowerCase('en-US')}${data.label.slice(1)}`,
    reason: `${names} did not answer; the last-known data says: ${
      env.lastKnown?.reason ?? onData.reason
    }`,
    tone: 'unknown',
    lastKnown: data,
  };
  if (onData.progress) result.progress = onData.progress;
  if (since) result.lastKnownAt = since;
  return result;
}
