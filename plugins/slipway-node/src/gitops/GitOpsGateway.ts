import { InputError } from '@backstage/errors';
import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import { createHash } from 'crypto';
import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import path from 'path';
import {
  isGitMetadataPath,
  readContainedFile,
  readContainedTree,
  resolveContainedPath,
  writeContainedFile,
} from '../containedFs';
import { assertRepositoryUrl } from '../validation';
import {
  ensurePullRequest,
  PullRequestStatus,
  readPullRequest,
} from './pullRequests';
import {
  classifyPushRejection,
  pushRejectionError,
  rejectionText,
} from './pushRejections';
import { displayUrl, redactError } from './redactSecrets';
import { ScmCredentials, ScmRepository } from './ScmCredentials';
import { assertTrailer, hasTrailer, withTrailers } from './trailers';
import {
  GitOpsEdit,
  GitOpsTreeView,
  GitOpsWriteRequest,
  GitOpsWriteResult,
} from './types';

const BRANCH =
  /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*@\{)[A-Za-z0-9._/-]{1,200}(?<![/.])$/;
const DEFAULT_AUTHOR = {
  name: 'Slipway',
  email: 'slipway@users.noreply.invalid',
};

/** True when the server answered the push (a refusal, an HTTP status), not a transport failure. */
function isServerAnswer(error: unknown, remoteMessages: string[]): boolean {
  const code = (error as { code?: string })?.code;
  return (
    remoteMessages.length > 0 ||
    code === 'PushRejectedError' ||
    code === 'GitPushError' ||
    code === 'HttpError' ||
    code === 'SmartHttpError'
  );
}

function isUnder(file: string, allowed: string): boolean {
  return file === allowed || file.startsWith(`${allowed}/`);
}

function assertBranch(branch: string | undefined): void {
  if (branch !== undefined && !BRANCH.test(branch)) {
    throw new InputError(
      `Invalid branch name ${JSON.stringify(branch.slice(0, 80))}`,
    );
  }
}

/** The request checked, with paths normalised. */
function validate(request: GitOpsWriteRequest) {
  assertRepositoryUrl(request.repoUrl, 'GitOps repository URL');
  if (!/^https?:\/\//.test(request.repoUrl)) {
    throw new InputError('GitOps repository URL must be http(s)');
  }
  assertTrailer(
    request.idempotencyTrailer.key,
    request.idempotencyTrailer.value,
  );
  for (const [key, value] of Object.entries(request.trailers ?? {})) {
    assertTrailer(key, value);
  }
  assertBranch(request.baseBranch);
  assertBranch(request.branch);
  if (request.mode === 'pull-request' && !request.branch) {
    throw new InputError('Pull-request mode needs a branch for the change');
  }
  if (
    request.mode === 'pull-request' &&
    request.branch === request.baseBranch
  ) {
    throw new InputError('The change branch must differ from the base branch');
  }
  const maxAttempts = request.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    throw new InputError('maxAttempts must be an integer from 1 to 10');
  }
  return {
    allowedPaths: request.allowedPaths?.map(p =>
      normalizeRepoPath(p, 'allowed path'),
    ),
    maxAttempts,
    historyDepth: request.historyDepth ?? 100,
  };
}

/** A path an edit names, checked against git metadata and the allowed paths. */
function checkedPath(file: string, allowedPaths: string[] | undefined) {
  const normalized = normalizeRepoPath(file, 'file path');
  if (isGitMetadataPath(normalized)) {
    throw new InputError(`Refusing to write git metadata: ${normalized}`);
  }
  if (allowedPaths && !allowedPaths.some(a => isUnder(normalized, a))) {
    throw new InputError(
      `${normalized} is outside the paths this change may touch`,
    );
  }
  return normalized;
}

/** Checks an edit's paths before anything is cloned; callers may use it early. */
function checkedEdit(edit: GitOpsEdit, allowedPaths: string[] | undefined) {
  const seen = new Set<string>();
  const once = (file: string) => {
    const normalized = checkedPath(file, allowedPaths);
    if (seen.has(normalized)) {
      throw new InputError(`${normalized} is named twice in one change`);
    }
    seen.add(normalized);
    return normalized;
  };
  return {
    write: (edit.write ?? []).map(file => ({
      path: once(file.path),
      content: file.content,
    })),
    delete: (edit.delete ?? []).map(once),
  };
}

function treeView(
  dir: string,
  head: string,
  branch: string,
  attempt: number,
): GitOpsTreeView {
  return {
    head,
    branch,
    attempt,
    readFile: async file =>
      readContainedFile(dir, normalizeRepoPath(file, 'path')),
    readTree: async (folder, limits) =>
      readContainedTree(dir, normalizeRepoPath(folder, 'folder'), limits),
  };
}

/**
 * The one write path to GitOps repositories: scaffolding now, promotions and
 * rollbacks next. Each write:
 *
 * 1. resolves the repository and its credentials ({@link ScmCredentials}:
 *    the same lookup the readers use);
 * 2. fetches the branch into a fresh folder with isomorphic-git (pure
 *    JavaScript: no hooks, no git config, no filters of the repository are
 *    run; credentials go through the auth callback, never into a URL);
 * 3. looks for a commit carrying the change's idempotency trailer and then
 *    writes nothing (a re-run after a crash finds its own commit);
 * 4. runs the edit callback on the tree at the fetched HEAD, writes only what
 *    differs, inside the allowed paths, never through symbolic links;
 * 5. commits with trailers and pushes, never forcing. A rejected push is
 *    classified: a branch that moved on (non-fast-forward, GitHub "cannot
 *    lock ref", GitLab "incorrect old value") is fetched again and the edit
 *    rerun on the new HEAD, a bounded number of times; protected branches,
 *    refused credentials and anything else fail with typed errors;
 * 6. in pull-request mode, pushes the change's own branch (reused when it
 *    exists) and finds or opens its one pull (merge) request on GitHub or
 *    GitLab. An empty change is a no-op: no branch, no request.
 *
 * @public
 */
export class GitOpsGateway {
  static create(options: {
    credentials: ScmCredentials;
    /** Used for pull request calls (tests pass a fake). */
    fetch?: typeof fetch;
    /** Time budget of each pull request call. Default 15 s. */
    httpTimeoutMs?: number;
    /**
     * A folder of this process's own where the gateway keeps one warm clone
     * per repository and base branch: a write then fetches only what is new
     * and checks out only what changed, instead of cloning afresh. Writes to
     * one repository are serialised inside the process; a clone left in an
     * unknown state (a failed attempt, a crash) is thrown away and cloned
     * again. Without it every write clones into its `workDir`.
     */
    warmClonesDir?: string;
  }): GitOpsGateway {
    return new GitOpsGateway(
      options.credentials,
      options.fetch,
      options.httpTimeoutMs ?? 15_000,
      options.warmClonesDir,
    );
  }

  /** Per warm clone: the tail of the queue of writes waiting for it. */
  private readonly warmQueues = new Map<string, Promise<void>>();
  /** Per warm clone: the branch it tracks (the remote's HEAD when not named). */
  private readonly warmBranches = new Map<string, string>();

  private constructor(
    private readonly credentials: ScmCredentials,
    private readonly fetchImpl: typeof fetch | undefined,
    private readonly httpTimeoutMs: number,
    private readonly warmClonesDir: string | undefined,
  ) {}

  /**
   * Checks the paths of a change against the request's allowed paths before
   * anything is fetched (the gateway checks them again in every attempt).
   */
  static checkEdit(edit: GitOpsEdit, allowedPaths?: string[]): void {
    checkedEdit(
      edit,
      allowedPaths?.map(p => normalizeRepoPath(p, 'allowed path')),
    );
  }

  /**
   * The newest pull (merge) request of a change's branch, open or not:
   * whether it was merged (and by which commit) or closed.
   */
  async pullRequestStatus(
    repoUrl: string,
    branch: string,
    options: { token?: string } = {},
  ): Promise<PullRequestStatus | undefined> {
    const repository = await this.credentials.resolve(repoUrl, options);
    try {
      return await readPullRequest(repository, branch, {
        fetch: this.fetchImpl,
        timeoutMs: this.httpTimeoutMs,
      });
    } catch (error) {
      throw redactError(error, [options.token, repository.auth?.password]);
    }
  }

  async write(request: GitOpsWriteRequest): Promise<GitOpsWriteResult> {
    const { allowedPaths, maxAttempts, historyDepth } = validate(request);
    const secrets: (string | undefined)[] = [request.token];
    try {
      const repository = await this.credentials.resolve(request.repoUrl, {
        token: request.token,
      });
      secrets.push(repository.auth?.password);
      if (
        request.mode === 'pull-request' &&
        repository.provider === 'generic'
      ) {
        throw new InputError(
          'Pull-request mode needs a GitHub or GitLab integration for the repository host',
        );
      }
      return await this.serialised(request, () =>
        this.attempts(
          request,
          repository,
          { allowedPaths, maxAttempts, historyDepth },
          secrets,
        ),
      );
    } catch (error) {
      throw redactError(error, secrets);
    }
  }

  private async attempts(
    request: GitOpsWriteRequest,
    repository: ScmRepository,
    settings: {
      allowedPaths?: string[];
      maxAttempts: number;
      historyDepth: number;
    },
    secrets: (string | undefined)[],
  ): Promise<GitOpsWriteResult> {
    const auth = repository.auth;
    const onAuth = auth ? () => ({ ...auth }) : undefined;
    const log = (message: string) => request.logger?.info(message);
    const url = request.repoUrl;
    const { historyDepth } = settings;

    const clone = async (dir: string, ref: string | undefined) => {
      await fs.promises.mkdir(dir, { recursive: true });
      try {
        await git.clone({
          fs,
          http,
          dir,
          url,
          ref,
          singleBranch: true,
          depth: historyDepth,
          noTags: true,
          onAuth,
        });
      } catch (error) {
        const rejection = classifyPushRejection(rejectionText(error));
        if (rejection.reason === 'auth') {
          throw pushRejectionError(rejection, ref ?? 'HEAD', 1);
        }
        throw error;
      }
      return git.resolveRef({ fs, dir, ref: 'HEAD' });
    };
    const findTrailer = async (dir: string, ref: string) => {
      const commits = await git
        .log({ fs, dir, ref, depth: historyDepth })
        .catch(() => [] as Awaited<ReturnType<typeof git.log>>);
      const { key, value } = request.idempotencyTrailer;
      return commits.find(c => hasTrailer(c.commit.message, key, value))?.oid;
    };
    const pullRequest = async (branch: string, base: string) => {
      const title =
        request.pullRequest?.title ?? request.message.split('\n')[0];
      const body =
        request.pullRequest?.body ??
        withTrailers(request.message, {
          [request.idempotencyTrailer.key]: request.idempotencyTrailer.value,
        });
      const pullRequestUrl = await ensurePullRequest(
        repository,
        { branch, base, title, body },
        { fetch: this.fetchImpl, timeoutMs: this.httpTimeoutMs },
      );
      log(`Pull request: ${pullRequestUrl}`);
      return pullRequestUrl;
    };

    const warmDir = this.warmDir(request);
    // A warm clone is kept only while its tree is exactly what the remote
    // holds: nothing written since it was checked out, or written and pushed.
    let dirty = false;
    const checkoutBase = async (attemptDir: string) => {
      if (!warmDir) {
        const dir = path.join(attemptDir, 'base');
        return { dir, head: await clone(dir, request.baseBranch) };
      }
      if (dirty) this.warmBranches.delete(warmDir);
      dirty = true; // until the checkout below completes
      const branch = this.warmBranches.get(warmDir);
      if (branch && fs.existsSync(path.join(warmDir, '.git'))) {
        const fetched = await git.fetch({
          fs,
          http,
          dir: warmDir,
          url,
          ref: branch,
          singleBranch: true,
          depth: historyDepth,
          tags: false,
          onAuth,
        });
        if (fetched.fetchHead) {
          await git.writeRef({
            fs,
            dir: warmDir,
            ref: `refs/heads/${branch}`,
            value: fetched.fetchHead,
            force: true,
          });
          await git.checkout({ fs, dir: warmDir, ref: branch, force: true });
          dirty = false;
          return { dir: warmDir, head: fetched.fetchHead };
        }
      }
      await fs.promises.rm(warmDir, { recursive: true, force: true });
      const head = await clone(warmDir, request.baseBranch);
      this.warmBranches.set(
        warmDir,
        request.baseBranch ??
          (await git.currentBranch({ fs, dir: warmDir })) ??
          'main',
      );
      dirty = false;
      return { dir: warmDir, head };
    };

    try {
      return await this.attemptLoop(
        request,
        settings,
        secrets,
        { clone, findTrailer, pullRequest, log, onAuth, url },
        checkoutBase,
        {
          dirty: () => {
            dirty = true;
          },
          clean: () => {
            dirty = false;
          },
        },
      );
    } finally {
      if (warmDir && dirty) {
        this.warmBranches.delete(warmDir);
        await fs.promises.rm(warmDir, { recursive: true, force: true });
      }
    }
  }

  private async attemptLoop(
    request: GitOpsWriteRequest,
    settings: {
      allowedPaths?: string[];
      maxAttempts: number;
      historyDepth: number;
    },
    secrets: (string | undefined)[],
    helpers: {
      clone: (dir: string, ref: string | undefined) => Promise<string>;
      findTrailer: (dir: string, ref: string) => Promise<string | undefined>;
      pullRequest: (branch: string, base: string) => Promise<string>;
      log: (message: string) => void;
      onAuth: (() => { username?: string; password?: string }) | undefined;
      url: string;
    },
    checkoutBase: (
      attemptDir: string,
    ) => Promise<{ dir: string; head: string }>,
    /** Whether the base tree still is what the remote holds. */
    base: { dirty: () => void; clean: () => void },
  ): Promise<GitOpsWriteResult> {
    const { clone, findTrailer, pullRequest, log, onAuth, url } = helpers;
    for (let attempt = 1; ; attempt++) {
      const attemptDir = path.join(request.workDir, `attempt-${attempt}`);
      log(`Fetching ${displayUrl(url)} (attempt ${attempt})`);
      const { dir: baseDir, head: baseHead } = await checkoutBase(attemptDir);
      const baseBranch =
        request.baseBranch ??
        (await git.currentBranch({ fs, dir: baseDir })) ??
        'main';

      const earlier = await findTrailer(baseDir, baseHead);
      if (earlier) {
        log(
          `Found the earlier commit ${earlier} on ${baseBranch}; nothing to do`,
        );
        return {
          commitSha: earlier,
          branch: baseBranch,
          baseBranch,
          alreadyApplied: true,
          changed: false,
          files: [],
          attempts: attempt,
        };
      }

      let dir = baseDir;
      let head = baseHead;
      let target = baseBranch;
      let branchExists = false;
      if (request.mode === 'pull-request') {
        target = request.branch!;
        // An empty change against the base branch is a no-op: nothing to propose.
        const againstBase = await this.applyEdit(
          request,
          settings.allowedPaths,
          baseDir,
          treeView(baseDir, baseHead, baseBranch, attempt),
          { dryRun: true },
        );
        if (againstBase.length === 0) {
          log(`${baseBranch} already holds this change; nothing to propose`);
          return {
            branch: baseBranch,
            baseBranch,
            alreadyApplied: false,
            changed: false,
            files: [],
            attempts: attempt,
          };
        }
        const remoteRefs = await git.listServerRefs({
          http,
          url,
          prefix: `refs/heads/${target}`,
          onAuth,
        });
        branchExists = remoteRefs.some(r => r.ref === `refs/heads/${target}`);
        if (branchExists) {
          dir = path.join(attemptDir, 'branch');
          head = await clone(dir, target);
          const onBranch = await findTrailer(dir, head);
          if (onBranch) {
            log(`Found the earlier commit ${onBranch} on ${target}`);
            return {
              commitSha: onBranch,
              branch: target,
              baseBranch,
              alreadyApplied: true,
              changed: false,
              files: [],
              pullRequestUrl: await pullRequest(target, baseBranch),
              attempts: attempt,
            };
          }
        }
      }

      if (dir === baseDir) base.dirty();
      const written = await this.applyEdit(
        request,
        settings.allowedPaths,
        dir,
        treeView(dir, head, branchExists ? target : baseBranch, attempt),
        { dryRun: false },
      );
      if (written.length === 0) {
        if (dir === baseDir) base.clean();
        log(`${target} already holds this change; nothing to commit`);
        return {
          branch: target,
          baseBranch,
          alreadyApplied: false,
          changed: false,
          files: [],
          pullRequestUrl:
            request.mode === 'pull-request'
              ? await pullRequest(target, baseBranch)
              : undefined,
          attempts: attempt,
        };
      }
      if (request.mode === 'pull-request' && !branchExists) {
        // `force`: a warm clone may hold the branch from an earlier attempt.
        await git.branch({ fs, dir, ref: target, checkout: true, force: true });
      }
      const commitSha = await git.commit({
        fs,
        dir,
        message: withTrailers(request.message, {
          ...request.trailers,
          [request.idempotencyTrailer.key]: request.idempotencyTrailer.value,
        }),
        author: request.author ?? DEFAULT_AUTHOR,
      });
      log(
        `Committed ${commitSha} (${written.length} files); pushing ${target}`,
      );
      const remoteMessages: string[] = [];
      try {
        await git.push({
          fs,
          http,
          dir,
          ref: target,
          remoteRef: target,
          onAuth,
          onMessage: message => {
            if (remoteMessages.length < 50) remoteMessages.push(message);
          },
        });
      } catch (error) {
        const text = rejectionText(error, remoteMessages);
        const rejection = classifyPushRejection(text);
        if (rejection.retryable && attempt < settings.maxAttempts) {
          log(
            `Push of ${target} was rejected (${rejection.reason}); fetching again and redoing the change`,
          );
          continue;
        }
        if (
          rejection.reason === 'rejected' &&
          !isServerAnswer(error, remoteMessages)
        ) {
          // No answer (a timeout, a reset connection): the push may have
          // landed or not. The next attempt fetches again and finds the
          // trailer if it did; after the last one the outcome stays unknown
          // (the original error, not a typed refusal).
          if (attempt < settings.maxAttempts) {
            log(
              `Push of ${target} got no answer; fetching again to see whether it landed`,
            );
            continue;
          }
          throw redactError(error, secrets);
        }
        throw redactError(
          pushRejectionError(rejection, target, attempt, text),
          secrets,
        );
      }
      base.clean();
      return {
        commitSha,
        branch: target,
        baseBranch,
        alreadyApplied: false,
        changed: true,
        files: written,
        pullRequestUrl:
          request.mode === 'pull-request'
            ? await pullRequest(target, baseBranch)
            : undefined,
        attempts: attempt,
      };
    }
  }

  /** The warm clone a request uses, when the gateway keeps them. */
  private warmDir(request: GitOpsWriteRequest): string | undefined {
    if (!this.warmClonesDir) return undefined;
    const key = createHash('sha256')
      .update(`${request.repoUrl}\0${request.baseBranch ?? ''}`)
      .digest('hex')
      .slice(0, 24);
    return path.join(this.warmClonesDir, key);
  }

  /** Runs writes that share a warm clone one after another. */
  private async serialised<T>(
    request: GitOpsWriteRequest,
    fn: () => Promise<T>,
  ): Promise<T> {
    const key = this.warmDir(request);
    if (!key) return fn();
    const previous = this.warmQueues.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>(resolve => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.warmQueues.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.warmQueues.get(key) === tail) this.warmQueues.delete(key);
    }
  }

  /** Runs the edit on a tree and stages what differs; returns the paths changed. */
  private async applyEdit(
    request: GitOpsWriteRequest,
    allowedPaths: string[] | undefined,
    dir: string,
    tree: GitOpsTreeView,
    options: { dryRun: boolean },
  ): Promise<string[]> {
    const edit = checkedEdit(await request.edit(tree), allowedPaths);
    const changed: string[] = [];
    for (const file of edit.write) {
      const existing = await readContainedFile(dir, file.path);
      if (existing === file.content) continue;
      changed.push(file.path);
      if (options.dryRun) continue;
      await writeContainedFile(dir, file.path, file.content);
      await git.add({ fs, dir, filepath: file.path });
    }
    for (const file of edit.delete) {
      const existing = await readContainedFile(dir, file);
      if (existing === undefined) continue;
      changed.push(file);
      if (options.dryRun) continue;
      await fs.promises.unlink(await resolveContainedPath(dir, file));
      await git.remove({ fs, dir, filepath: file });
    }
    return changed;
  }
}
