import { InputError } from '@backstage/errors';
import {
  ImageRef,
  overlayImage,
  PROMOTION_TRAILER,
} from '@slipway/plugin-slipway-common';
import {
  GitOpsGateway,
  GitOpsReaderProvider,
  setKustomizeImage,
  setKustomizeImageArtifact,
} from '@slipway/plugin-slipway-node';
import { createTwoFilesPatch } from 'diff';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { OverlayChange, PromotionWriter } from './PromotionWriter';

const KUSTOMIZATION = 'kustomization.yaml';
const READ_TIMEOUT_MS = 15_000;
/** How far back a promotion's own commit is looked for in an overlay's history. */
const HISTORY_LIMIT = 50;

/** Sets the artifact in an overlay's kustomization: tag and digest together. */
function applyArtifact(content: string, change: OverlayChange) {
  const { repository, tag, digest } = change.artifact;
  const newName = repository !== change.imageName ? repository : undefined;
  return tag
    ? setKustomizeImageArtifact(content, {
        name: change.imageName,
        newName,
        tag,
        digest,
      })
    : // A digest alone clears a tag that named another build.
      setKustomizeImage(content, { name: change.imageName, newName, digest });
}

/**
 * Promotions' reads and writes of GitOps overlays: the preview diff from the
 * GitOps reader's fresh head, every write through the one {@link GitOpsGateway}
 * (edit inside each attempt, trailer `Slipway-Promotion: <id>`, one branch and
 * pull request per promotion).
 */
export class GatewayPromotionWriter implements PromotionWriter {
  static create(options: {
    gateway: GitOpsGateway;
    readers: GitOpsReaderProvider[];
    workRoot?: string;
  }): GatewayPromotionWriter {
    return new GatewayPromotionWriter(
      options.gateway,
      options.readers,
      options.workRoot ?? os.tmpdir(),
    );
  }

  private constructor(
    private readonly gateway: GitOpsGateway,
    private readonly readers: GitOpsReaderProvider[],
    private readonly workRoot: string,
  ) {}

  async preview(change: OverlayChange) {
    const file = `${change.overlayPath}/${KUSTOMIZATION}`;
    const reader = this.readers.find(r => r.supports(change.repoUrl));
    if (!reader?.readFile) {
      throw new InputError(
        'No GitOps reader that can read files is configured for this repository',
      );
    }
    const { content } = await reader.readFile(
      { repoUrl: change.repoUrl, path: file },
      { signal: AbortSignal.timeout(READ_TIMEOUT_MS) },
    );
    if (content === undefined) {
      throw new InputError(`${file} does not exist in the GitOps repository`);
    }
    const edited = applyArtifact(content, change);
    let current: ImageRef | undefined;
    try {
      current = overlayImage(
        parse(content, { maxAliasCount: 50 }),
        change.imageName,
      );
    } catch {
      current = undefined;
    }
    return {
      path: file,
      diff: edited.changed
        ? createTwoFilesPatch(
            `a/${file}`,
            `b/${file}`,
            content,
            edited.content,
            '',
            '',
            {
              context: 3,
            },
          )
        : '',
      changed: edited.changed,
      current,
    };
  }

  async write(
    change: OverlayChange & {
      promotionId: string;
      mode: 'direct' | 'pull-request';
      message: string;
      trailers: Record<string, string>;
    },
  ) {
    const file = `${change.overlayPath}/${KUSTOMIZATION}`;
    const workDir = await fs.mkdtemp(
      path.join(this.workRoot, 'slipway-promotion-'),
    );
    try {
      const result = await this.gateway.write({
        repoUrl: change.repoUrl,
        workDir,
        mode: change.mode,
        branch: branchOf(change.promotionId),
        message: change.message,
        idempotencyTrailer: {
          key: PROMOTION_TRAILER,
          value: change.promotionId,
        },
        trailers: change.trailers,
        allowedPaths: [file],
        // Runs inside every attempt, on the tree of that attempt's head.
        edit: async tree => {
          const content = await tree.readFile(file);
          if (content === undefined) {
            throw new InputError(
              `${file} does not exist in the GitOps repository`,
            );
          }
          const edited = applyArtifact(content, change);
          return edited.changed
            ? { write: [{ path: file, content: edited.content }] }
            : {};
        },
      });
      return {
        commitSha: result.commitSha,
        changed: result.changed,
        alreadyApplied: result.alreadyApplied,
        pullRequest: result.pullRequestUrl
          ? {
              number: numberOf(result.pullRequestUrl),
              url: result.pullRequestUrl,
              branch: result.branch,
            }
          : undefined,
      };
    } finally {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  }

  async changePosition(
    change: Pick<OverlayChange, 'repoUrl' | 'overlayPath'>,
    promotion: { id: string; commitSha?: string },
  ): Promise<'newest' | 'overtaken' | 'unseen'> {
    const reader = this.readers.find(r => r.supports(change.repoUrl));
    if (!reader) return 'unseen';
    await reader.invalidate?.(change.repoUrl);
    const history = await reader.history(
      {
        repoUrl: change.repoUrl,
        path: change.overlayPath,
        limit: HISTORY_LIMIT,
        withImages: false,
      },
      { signal: AbortSignal.timeout(READ_TIMEOUT_MS) },
    );
    const index = history.findIndex(
      h =>
        h.promotionId === promotion.id ||
        (promotion.commitSha !== undefined &&
          h.commit.sha === promotion.commitSha),
    );
    if (index === -1) return 'unseen';
    return index === 0 ? 'newest' : 'overtaken';
  }

  async pullRequestState(repoUrl: string, pullRequest: { branch: string }) {
    const status = await this.gateway.pullRequestStatus(
      repoUrl,
      pullRequest.branch,
    );
    if (!status) return { state: 'open' as const };
    return { state: status.state, mergeCommitSha: status.mergeCommitSha };
  }
}

/** The branch of a promotion in pull-request mode: one per promotion, reused on retry. */
function branchOf(promotionId: string): string {
  return `slipway/promotion-${promotionId}`;
}

function numberOf(url: string): number {
  const match = /\/(?:pull|pulls|merge_requests)\/(\d+)\/?$/.exec(url);
  return match ? Number(match[1]) : 0;
}
