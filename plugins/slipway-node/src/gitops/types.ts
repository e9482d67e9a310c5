import { ContainedFile, ReadTreeLimits } from '../containedFs';
import { GitTrailer } from './trailers';

/**
 * The checked-out tree an edit sees: read-only, contained (no traversal, no
 * symbolic links, no git metadata), at the commit `head` of `branch`.
 *
 * @public
 */
export interface GitOpsTreeView {
  /** The commit the tree is at. */
  readonly head: string;
  /** The branch the tree is at: the base branch, or an existing change branch. */
  readonly branch: string;
  /** Attempt number, from 1; a rejected push reruns the edit on a fresh tree. */
  readonly attempt: number;
  /** A file's text, or `undefined` when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** Every file under a folder (empty when the folder does not exist), bounded. */
  readTree(folder: string, limits?: ReadTreeLimits): Promise<ContainedFile[]>;
}

/** What an edit wants changed. Unchanged files are skipped. @public */
export interface GitOpsEdit {
  write?: ContainedFile[];
  delete?: string[];
}

/**
 * Computes a change from the tree it is given. Runs inside every attempt, so
 * a retry after a rejected push recomputes from the new HEAD: it must derive
 * everything from `tree`, never from content read earlier.
 *
 * @public
 */
export type GitOpsEditCallback = (tree: GitOpsTreeView) => Promise<GitOpsEdit>;

/** One write through {@link GitOpsGateway}. @public */
export interface GitOpsWriteRequest {
  /** HTTP(S) clone URL of the GitOps repository, without credentials. */
  repoUrl: string;
  /** A token to use instead of the integration's credentials. */
  token?: string;
  /** An empty scratch folder. */
  workDir: string;
  /** Branch to commit to (direct) or to propose to (pull request). Default: the remote's HEAD. */
  baseBranch?: string;
  /** `direct` commits to the base branch; `pull-request` pushes `branch` and opens a pull (merge) request. */
  mode: 'direct' | 'pull-request';
  /** The change's own branch in pull-request mode; reused when it exists. */
  branch?: string;
  /** First line and body of the commit message; trailers are appended. */
  message: string;
  /**
   * The trailer that names this change (e.g. `Slipway-Promotion: <id>`). A
   * commit carrying it on the base branch (or the change branch) means the
   * change was already written: nothing is written twice.
   */
  idempotencyTrailer: GitTrailer;
  trailers?: Record<string, string>;
  /** Repository paths the edit may touch; anything else is refused. */
  allowedPaths?: string[];
  edit: GitOpsEditCallback;
  /** Title and body of the pull request; default: the message. */
  pullRequest?: { title?: string; body?: string };
  author?: { name: string; email: string };
  /** How many commits of history to search for an earlier write. Default 100. */
  historyDepth?: number;
  /** Attempts before a branch that keeps moving fails. Default 3. */
  maxAttempts?: number;
  logger?: { info(message: string): void };
}

/** The outcome of a write. @public */
export interface GitOpsWriteResult {
  /** The commit that carries the idempotency trailer (new or found). */
  commitSha?: string;
  /** Branch the commit is on. */
  branch: string;
  baseBranch: string;
  /** True when an earlier run had already written this change. */
  alreadyApplied: boolean;
  /** False when the repository already held exactly this change. */
  changed: boolean;
  /** Files written or deleted. */
  files: string[];
  pullRequestUrl?: string;
  /** Attempts used (a rejected push costs one). */
  attempts: number;
}
