import { ImageRef } from '@slipway/plugin-slipway-common';

/** One overlay change: the artifact's tag and digest into an environment's overlay. */
export interface OverlayChange {
  repoUrl: string;
  /** Folder of the overlay (holds `kustomization.yaml`). */
  overlayPath: string;
  /** The `images:` entry to set (the entity's `slipway.dev/image`). */
  imageName: string;
  artifact: { repository: string; tag?: string; digest: string };
}

/** What a write did. */
interface OverlayWriteResult {
  commitSha?: string;
  /** False when the overlay already held the artifact: nothing was written. */
  changed: boolean;
  /** True when an earlier attempt (a crashed run) had already written it. */
  alreadyApplied: boolean;
  pullRequest?: { number: number; url: string; branch: string };
}

/** How promotions read and write GitOps overlays: through the one gateway. */
export interface PromotionWriter {
  /** The exact diff a promotion would write, from the repository's current head. */
  preview(change: OverlayChange): Promise<{
    path: string;
    diff: string;
    changed: boolean;
    current?: ImageRef;
  }>;
  write(
    change: OverlayChange & {
      promotionId: string;
      mode: 'direct' | 'pull-request';
      message: string;
      trailers: Record<string, string>;
    },
  ): Promise<OverlayWriteResult>;
  /**
   * Where a promotion's change stands in the overlay's history at the head
   * of the branch, read fresh: the newest change of the overlay, overtaken
   * by a later change, or not seen (a read that predates the commit).
   * Matched by the `Slipway-Promotion` trailer or the commit.
   */
  changePosition(
    change: Pick<OverlayChange, 'repoUrl' | 'overlayPath'>,
    promotion: { id: string; commitSha?: string },
  ): Promise<'newest' | 'overtaken' | 'unseen'>;
  /** State of a promotion's pull request. */
  pullRequestState(
    repoUrl: string,
    pullRequest: { number: number; branch: string },
  ): Promise<{ state: 'open' | 'merged' | 'closed'; mergeCommitSha?: string }>;
}
