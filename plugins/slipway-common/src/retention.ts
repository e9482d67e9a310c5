import { ImageRef } from './state';

/** Why an image is kept: what an environment runs or may be rolled back to. @public */
export type ProtectionReason = 'desired' | 'live' | 'rollback-candidate';

/** An image that must not be deleted from the registry. @public */
export interface ProtectedImage {
  entityRef: string;
  environment: string;
  /** Every reason this image is kept in this environment. */
  reasons: ProtectionReason[];
  image: ImageRef;
  /** The entity's Harbor repository (`project/repository`), when it names one. */
  harborRepository?: string;
}

/** A protected image a tag rule cannot keep, and why. @public */
export interface UnprotectableImage extends ProtectedImage {
  problem: string;
}

/** An artifact a retention run would delete. @public */
export interface RetentionCandidate {
  /** `project/repository`. */
  repository: string;
  digest: string;
  tags: string[];
  pushedAt?: string;
}

/** What one retention run did to one Harbor project. @public */
export interface RetentionProjectReport {
  project: string;
  /** Harbor's tag retention policy of the project. */
  retentionId?: number;
  /**
   * `created` or `updated`: Slipway wrote the policy; `unchanged`: it already
   * kept the protected set; `skipped`: a state read of one of the project's
   * entities was incomplete, so the previous policy stays; `failed`: Harbor
   * refused or failed (nothing was changed by this run).
   */
  policy: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';
  /** The tags the policy always retains. */
  protectedTags: string[];
  /** Rules of the policy that are not Slipway's (kept as they are, not evaluated). */
  otherRules: number;
  /** The repositories looked at (those of Slipway's entities). */
  repositories: string[];
  /** What Harbor's retention would delete under the policy (dry run). */
  wouldDelete: RetentionCandidate[];
  message?: string;
}

/** Response of `GET /retention`: the last retention run. @public */
export interface RetentionReport {
  enabled: boolean;
  status: 'never-run' | 'ok' | 'partial' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  keepLastPushed: number;
  keepRollbackCandidates: number;
  /** Entities with a Harbor repository that were read. */
  entities: number;
  protected: ProtectedImage[];
  unprotectable: UnprotectableImage[];
  projects: RetentionProjectReport[];
  /** Entities whose deploy state could not be read completely. */
  problems: string[];
}
