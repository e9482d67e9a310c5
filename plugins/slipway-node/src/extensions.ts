import { createExtensionPoint } from '@backstage/backend-plugin-api';
import {
  ArtifactState,
  BuildRun,
  CommitInfo,
  CommitStatus,
  HealthStatus,
  ImageRef,
  LiveState,
  ProviderKind,
  QualityGate,
  RolloutState,
} from '@slipway/plugin-slipway-common';

/**
 * A provider Slipway reads from: a CI system, a registry or scanner, a
 * quality gate, a delivery engine or a GitOps repository host. Every provider
 * has an id and says which entities it can serve.
 *
 * Providers return allow-listed DTOs only, never raw upstream objects, and
 * report failures by throwing (an `UpstreamError` for a classified failure:
 * rate limit, HTTP status, malformed answer). They honour the abort signal
 * of the call: the state service times out every source on its own.
 *
 * @public
 */
export interface SlipwayProvider {
  /** Stable id, e.g. `github-actions`, `harbor`, `argocd:main`. */
  readonly id: string;
  readonly kind: ProviderKind;
}

/** Per-call context handed to providers. @public */
export interface ProviderCallContext {
  /** Aborted when the source's time budget is spent. */
  signal: AbortSignal;
}

/** One overlay as read from a GitOps repository. @public */
export interface GitOpsOverlay {
  /** Repository-relative folder of the overlay. */
  path: string;
  /** The `images:` entry of the overlay matching the entity's image (or the only one). */
  image?: ImageRef;
  /** Git object id of the overlay folder; equal ids mean equal content. */
  treeId?: string;
}

/** A commit that changed an overlay. @public */
export interface GitOpsChange {
  commit: CommitInfo;
  /** Value of the `Slipway-Promotion` trailer, if any. */
  promotionId?: string;
  /** The image the overlay held after the commit. */
  image?: ImageRef;
}

/** Snapshot of a GitOps repository at the head of its branch. @public */
export interface GitOpsSnapshot {
  /** The commit read. */
  revision: string;
  /** Overlays by path; absent when the folder does not exist. */
  overlays: Record<string, GitOpsOverlay | undefined>;
}

/**
 * Reads desired state from a GitOps repository (GitHub, GitLab, plain git).
 *
 * @public
 */
export interface GitOpsReaderProvider extends SlipwayProvider {
  readonly kind: 'gitops';
  /** True when this reader can read the repository URL. */
  supports(repoUrl: string): boolean;
  /**
   * Reads many overlays of one repository at once (one upstream read for the
   * whole batch). `imageName` picks the `images:` entry.
   */
  readOverlays(
    request: {
      repoUrl: string;
      paths: { path: string; imageName?: string }[];
      /** Also resolve the overlay tree ids at these revisions (for deployed checks). */
      revisions?: string[];
    },
    context: ProviderCallContext,
  ): Promise<
    GitOpsSnapshot & {
      treesAt?: Record<string, Record<string, string | undefined>>;
    }
  >;
  /**
   * The commits that changed a folder, newest first, up to `limit`, as of
   * `revision` (default: head of the branch).
   */
  history(
    request: {
      repoUrl: string;
      path: string;
      imageName?: string;
      limit: number;
      revision?: string;
      /** Also read the image of each change (default true). */
      withImages?: boolean;
    },
    context: ProviderCallContext,
  ): Promise<GitOpsChange[]>;
  /**
   * Optional batch of `history(limit: 1)` over several folders in one read:
   * the last commit that changed each, as of `revision` (default: head).
   */
  lastChanges?(
    request: { repoUrl: string; paths: string[]; revision?: string },
    context: ProviderCallContext,
  ): Promise<Record<string, GitOpsChange | undefined>>;
  /**
   * Forgets what is known about the repository so that the next read asks
   * the upstream (a webhook said it changed).
   */
  invalidate?(repoUrl: string): Promise<void>;
  /**
   * Optional: one file's text at the head, read fresh (the promotion
   * preview's diff is computed from it). Undefined content: no such file.
   */
  readFile?(
    request: { repoUrl: string; path: string },
    context: ProviderCallContext,
  ): Promise<{ revision: string; content?: string }>;
}

/** An Argo CD Application as Slipway sees it. @public */
export interface DeliveryApplication {
  live: LiveState;
  /** Value of the `slipway.dev/environment` label. */
  environment?: string;
  labels: Record<string, string>;
  /** True when the application manages an Argo Rollout. */
  hasRollout: boolean;
  /** Deployments Argo CD recorded, newest first. */
  history: { revision: string; deployedAt?: string; startedAt?: string }[];
}

/**
 * Reads live state from a delivery engine (Argo CD). One instance per
 * provider.
 *
 * @public
 */
export interface DeliveryProvider extends SlipwayProvider {
  readonly kind: 'delivery';
  /** The instance name an entity picks with `argocd/instance-name`. */
  readonly instance: string;
  /** Applications matching a label selector, e.g. `slipway.dev/app=x` or `slipway.dev/app`. */
  listApplications(
    selector: string,
    context: ProviderCallContext,
  ): Promise<DeliveryApplication[]>;
  /** One application by name (for the `argocd/app-name` annotation). */
  getApplication(
    name: string,
    context: ProviderCallContext,
  ): Promise<DeliveryApplication | undefined>;
  /** Rollout progress of an application that manages an Argo Rollout. */
  getRollout(
    application: string,
    context: ProviderCallContext,
  ): Promise<RolloutState | undefined>;
  /**
   * Optional: starts a sync of an application to a revision, with a
   * separately configured write credential. Waits while another operation
   * is in progress; never terminates someone else's operation.
   */
  sync?(
    application: string,
    options: { revision?: string; signal: AbortSignal },
  ): Promise<void>;
}

/** Reads CI runs of a source repository. @public */
export interface CiProvider extends SlipwayProvider {
  readonly kind: 'ci';
  /** True for the CI system of the annotation (`github` or `gitlab`). */
  supports(ci: { provider: string; projectSlug: string }): boolean;
  /** Recent runs, newest first; narrowed to one commit when `commit` is set. */
  listRuns(
    request: {
      projectSlug: string;
      commit?: string;
      branch?: string;
      limit: number;
    },
    context: ProviderCallContext,
  ): Promise<BuildRun[]>;
  /**
   * Optional: the statuses reported on a commit (GitHub commit statuses,
   * GitLab commit statuses), newest first, read fresh. Verification gates
   * read `slipway/verify/<environment>/<check>` from them; a provider
   * without this method leaves those gates unknown (they fail closed).
   */
  listCommitStatuses?(
    request: { projectSlug: string; commit: string },
    context: ProviderCallContext,
  ): Promise<CommitStatus[]>;
}

/** Reads artifacts, scans and signatures from a registry. @public */
export interface ArtifactProvider extends SlipwayProvider {
  readonly kind: 'artifacts';
  /** True when this provider serves the repository (Harbor slug or image). */
  supports(request: { repositorySlug?: string; image?: string }): boolean;
  /**
   * Recent artifacts of a repository (one upstream call), each with scan
   * summary (worst over all platform manifests) and signature state.
   */
  listArtifacts(
    request: { repositorySlug?: string; image?: string; limit: number },
    context: ProviderCallContext,
  ): Promise<ArtifactState[]>;
  /** One artifact by tag or digest. */
  getArtifact(
    request: { repositorySlug?: string; image: ImageRef },
    context: ProviderCallContext,
  ): Promise<ArtifactState | undefined>;
}

/** Reads a quality gate (SonarQube). @public */
export interface QualityProvider extends SlipwayProvider {
  readonly kind: 'quality';
  getQualityGate(
    request: { projectKey: string },
    context: ProviderCallContext,
  ): Promise<QualityGate | undefined>;
}

/** Any provider with its kind-specific methods. @public */
export type SlipwayStateProvider =
  | GitOpsReaderProvider
  | DeliveryProvider
  | CiProvider
  | ArtifactProvider
  | QualityProvider;

/** Narrows a provider to a kind. @public */
export function isProviderOfKind<K extends SlipwayStateProvider['kind']>(
  provider: SlipwayProvider,
  kind: K,
): provider is Extract<SlipwayStateProvider, { kind: K }> {
  return provider.kind === kind;
}

/** Re-exported for providers that build live state. @public */
export type { HealthStatus };

/**
 * Extension point through which backend modules add providers. Providers
 * added here take precedence over the defaults built from config.
 *
 * @public
 */
export interface SlipwayProvidersExtensionPoint {
  addProvider(...providers: SlipwayProvider[]): void;
}

/** @public */
export const slipwayProvidersExtensionPoint =
  createExtensionPoint<SlipwayProvidersExtensionPoint>({
    id: 'slipway.providers',
  });
