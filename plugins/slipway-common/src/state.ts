import type { SignerIdentity } from './promotion/gates';
import type { EnvironmentVerdict } from './rules/environmentVerdict';
import { SlipwayEnvironment, SyncMode } from './types';

/**
 * Deploy state DTOs: what the backend's state, history and fleet endpoints
 * return. Allow-listed fields only; never raw upstream objects.
 */

/** Health of one upstream source in a response. @public */
export type SourceStatus =
  | 'ok'
  | 'error'
  | 'stale'
  | 'unconfigured'
  | 'rate-limited'
  /** Only in a streamed state's partial snapshots: not answered yet. */
  | 'pending';

/** The kinds of upstream sources. @public */
export type SourceKind = 'gitops' | 'delivery' | 'ci' | 'artifacts' | 'quality';

/**
 * How one upstream source fared in producing a response. Every source that
 * contributed (or should have) has one, so a failing source is never shown
 * as green and never blanks the others.
 *
 * @public
 */
export interface SourceReport {
  /** Provider id, e.g. `argocd:sandbox`, `github-actions`, `harbor`. */
  source: string;
  kind: SourceKind;
  status: SourceStatus;
  /** When the data shown was fetched from the upstream (ISO 8601). */
  fetchedAt?: string;
  /** Human explanation for anything but `ok`; never contains credentials. */
  message?: string;
  /** For `rate-limited`: when the upstream may be asked again. */
  retryAt?: string;
}

/** An image reference. @public */
export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

/** A git commit, as shown to people. @public */
export interface CommitInfo {
  sha: string;
  message?: string;
  author?: string;
  committedAt?: string;
  url?: string;
}

/** What Git says should run in an environment. @public */
export interface DesiredState {
  /** Folder of the overlay in the GitOps repository. */
  path: string;
  image?: ImageRef;
  /** The GitOps commit that last changed the overlay. */
  commit?: CommitInfo;
  /** Promotion id from the commit's `Slipway-Promotion` trailer, if any. */
  promotionId?: string;
}

/** Blue-green facts of an Argo Rollout: which revision each service serves. @public */
export interface BlueGreenState {
  /** The service that takes production traffic. */
  activeService?: string;
  /** The service that serves the new revision before promotion. */
  previewService?: string;
  /** Pod template hash the active service selects. */
  activeSelector?: string;
  /** Pod template hash the preview service selects. */
  previewSelector?: string;
  /** Pod template hash of the newest revision of the Rollout. */
  currentPodHash?: string;
  /** The Rollout promotes the preview on its own (`autoPromotionEnabled`). */
  autoPromotionEnabled?: boolean;
}

/**
 * How the workload reaches its new version: an Argo Rollout (canary or
 * blue-green) or a plain Deployment. @public
 */
export interface RolloutState {
  strategy: 'canary' | 'blueGreen' | 'deployment';
  /** The Rollout's phase, or the Deployment's health (`Progressing`, `Healthy`, `Degraded`). */
  phase?: string;
  /** 1-based step the rollout is at, and the number of steps. */
  currentStep?: number;
  totalSteps?: number;
  /** Traffic weight to the new version, 0–100. */
  weight?: number;
  paused?: boolean;
  analysis?:
    | 'Pending'
    | 'Running'
    | 'Successful'
    | 'Failed'
    | 'Error'
    | 'Inconclusive';
  /** Why the Rollout is paused, as Argo Rollouts names it (`CanaryPauseStep`, `BlueGreenPause`). */
  pauseReason?: string;
  /** Present for the blue-green strategy. */
  blueGreen?: BlueGreenState;
  message?: string;
}

/** Argo CD sync status. @public */
export type SyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';
/** Argo CD health status. @public */
export type HealthStatus =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Suspended'
  | 'Missing'
  | 'Unknown';

/** The kinds of secret objects whose health the controller reports. @public */
export type SecretKind =
  | 'ExternalSecret'
  | 'SealedSecret'
  | 'SecretStore'
  | 'ClusterSecretStore';

/**
 * Health of one secret object of the application, as the GitOps controller
 * computes it (Argo CD: an ExternalSecret or SecretStore from its `Ready`
 * condition, a SealedSecret from its `Synced` condition; `Progressing`
 * until the operator reports one). @public
 */
export interface SecretHealth {
  kind: SecretKind;
  name: string;
  /** Absent for cluster-scoped objects (ClusterSecretStore). */
  namespace?: string;
  health: HealthStatus;
  /** The condition's message, as the controller reports it (at most 300 characters). */
  message?: string;
}

/** What runs in the cluster, according to the GitOps controller (Argo CD or Flux). @public */
export interface LiveState {
  application: string;
  instance: string;
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  /** Git revision Argo CD last synced. */
  revision?: string;
  images: string[];
  operation?: {
    phase: 'Running' | 'Terminating' | 'Succeeded' | 'Failed' | 'Error';
    startedAt?: string;
    finishedAt?: string;
    message?: string;
    revision?: string;
  };
  lastSyncedAt?: string;
  reconciledAt?: string;
  rollout?: RolloutState;
  /** Link to the Application in the Argo CD UI (or the configured Flux UI). */
  url?: string;
  /** The GitOps controller that reported this state; absent: Argo CD. */
  controller?: 'argocd' | 'flux';
  /** Namespace of the controller's object (Flux: the Kustomization's). */
  namespace?: string;
  /**
   * The application's secret objects and their health, when the controller
   * reports per-object health (Argo CD; at most 20). Absent: not reported
   * (Flux, or no secret objects).
   */
  secrets?: SecretHealth[];
}

/** A CI run. @public */
export interface BuildRun {
  id: string;
  /** Workflow or pipeline name, e.g. `CI`. */
  name?: string;
  /** Run number people quote (GitHub `run_number`, GitLab pipeline `iid`). */
  number?: number;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?:
    | 'success'
    | 'failure'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'neutral'
    | 'action_required'
    | 'stale';
  commit: string;
  branch?: string;
  startedAt?: string;
  completedAt?: string;
  durationSeconds?: number;
  url?: string;
}

/** Vulnerability scan summary of an artifact (worst over all platforms). @public */
export interface ScanSummary {
  scanner: string;
  status: 'Success' | 'Pending' | 'Running' | 'Error' | 'NotScanned';
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  fixable?: number;
  completedAt?: string;
  reportUrl?: string;
}

/** SonarQube quality gate of the source commit. @public */
export interface QualityGate {
  status: 'OK' | 'WARN' | 'ERROR' | 'NONE';
  url?: string;
  conditions?: {
    metric: string;
    status: string;
    actual?: string;
    threshold?: string;
  }[];
}

/** Signatures attached to an artifact. @public */
export interface SignatureState {
  signed: boolean;
  count: number;
  /**
   * Who signed, from the certificates of the artifact's cosign keyless
   * signatures (identity = the certificate's SAN, issuer = Fulcio's issuer
   * extension). Absent when not read or not readable (unknown); `[]` only
   * when the registry lists no signature.
   */
  signers?: SignerIdentity[];
}

/** A built image and what is known about it. @public */
export interface ArtifactState {
  image: ImageRef;
  sourceCommit?: string;
  pushedAt?: string;
  build?: BuildRun;
  scan?: ScanSummary;
  quality?: QualityGate;
  signature?: SignatureState;
  url?: string;
}

/** A verdict from last-known data (a source was stale, failing or rate-limited). @public */
export interface LastKnownVerdict {
  deployed: boolean;
  reason: string;
  /** The sources that were not `ok`: `GitOps`, `Argo CD`. */
  sources: string[];
  /** When the oldest of those sources' data was fetched (ISO 8601). */
  since?: string;
}

/** The state of one entity in one environment. @public */
export interface EnvironmentState {
  environment: string;
  syncMode: SyncMode;
  /** The GitOps controller that deploys it (the entity's annotations); absent: Argo CD. */
  controller?: 'argocd' | 'flux';
  desired?: DesiredState;
  live?: LiveState;
  /** Git and the cluster disagree (image, revision or sync status). */
  drift: { drifted: boolean; reasons: string[] };
  /**
   * True only when the live revision is the desired commit, Argo CD
   * reconciled after the last operation, the application is Healthy, and
   * both the GitOps and the Argo CD source answered `ok` in this response.
   */
  deployed: boolean;
  /** Why `deployed` is what it is (the common rule's reason). */
  deployedReason?: string;
  /**
   * Present when the GitOps or Argo CD source was not `ok`: what the
   * last-known data says, from when (the oldest of those sources' data).
   * Shown as last-known, never green.
   */
  lastKnown?: LastKnownVerdict;
  /** The artifact the desired image points at. */
  artifact?: ArtifactState;
}

/** Response of `GET /entities/{kind}/{namespace}/{name}/state`. @public */
export interface EntityState {
  entityRef: string;
  generatedAt: string;
  environments: EnvironmentState[];
  /** Recent builds of the source repository, newest first. */
  builds: BuildRun[];
  sources: SourceReport[];
}

/** One deployment in an environment's history. @public */
export interface HistoryEntry {
  environment: string;
  source: 'gitops' | 'argocd';
  revision: string;
  image?: ImageRef;
  at: string;
  author?: string;
  message?: string;
  promotionId?: string;
}

/** Response of `GET /entities/{kind}/{namespace}/{name}/history`. @public */
export interface HistoryPage {
  items: HistoryEntry[];
  nextCursor?: string;
  sources: SourceReport[];
}

/** One cell of the fleet view. @public */
export interface FleetCell {
  tag?: string;
  digest?: string;
  syncStatus?: SyncStatus;
  healthStatus?: HealthStatus;
  deployed: boolean;
  /** Present when deployed could not be decided on current data (see EnvironmentState). */
  lastKnown?: LastKnownVerdict;
  /** This environment runs something other than the first environment. */
  behind: boolean;
  /**
   * The verdict is `drifted`: Git and the cluster disagree (the common drift
   * rule) and nothing explains it (a first deploy awaited, a sync awaited).
   */
  drifted?: boolean;
  /** The drift rule's reasons: what Git wants and what the cluster runs. */
  driftReasons?: string[];
  /** A rollout under way, paused or failed, read from Argo CD's list. */
  rollout?: FleetRollout;
  /** When Argo CD last finished deploying this environment (ISO 8601). */
  since?: string;
  /** The environment's one verdict, as the Deploy tab words it (the common `environmentVerdict` rule). */
  verdict: EnvironmentVerdict;
}

/** Rollout state as the fleet marks it. @public */
export type FleetRollout = 'progressing' | 'paused' | 'failed';

/** The newest CI run of a fleet service. @public */
export interface FleetBuild {
  status: 'passed' | 'failed' | 'running' | 'other';
  name?: string;
  url?: string;
  at?: string;
  /** Read from a source that was not `ok` (last-known). */
  lastKnown?: boolean;
}

/** The vulnerability scan of a fleet service's newest artifact. @public */
export interface FleetScan {
  status: ScanSummary['status'];
  critical: number;
  high: number;
  url?: string;
  /** Read from a source that was not `ok` (last-known). */
  lastKnown?: boolean;
}

/** One entity in the fleet view. @public */
export interface FleetRow {
  entityRef: string;
  title?: string;
  owner?: string;
  system?: string;
  cells: Record<string, FleetCell>;
  /** The GitOps controller the entity's annotations name (Flux selector: `flux`). */
  controller?: 'argocd' | 'flux';
  /** A service without delivery annotations (listed after the others). */
  notSetUp?: boolean;
  build?: FleetBuild;
  scan?: FleetScan;
}

/** Columns the fleet sorts by: `name`, `owner`, `system`, `<environment>.state|version|age`. @public */
export type FleetSort = string;

/** Query of `GET /fleet`. @public */
export interface FleetQuery {
  /** Part of the service's name or title (case-insensitive). */
  q?: string;
  owner?: string;
  system?: string;
  environment?: string;
  /** Only services the common `needsAttention` rule flags. */
  attention?: boolean;
  sort?: FleetSort;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

/** A filter value that names nothing in the fleet. @public */
export interface FleetUnknownFilter {
  name: 'owner' | 'system' | 'environment';
  value: string;
}

/** Response of `GET /fleet`. @public */
export interface FleetPage {
  environments: SlipwayEnvironment[];
  items: FleetRow[];
  totalItems: number;
  nextCursor?: string;
  sources: SourceReport[];
  /** Every owner and system of the caller's fleet, for the filters. */
  facets?: { owners: string[]; systems: string[] };
  /** Filter values that match nothing (an unknown environment is ignored). */
  unknownFilters?: FleetUnknownFilter[];
}
