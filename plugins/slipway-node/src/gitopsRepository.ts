import { ConflictError, InputError } from '@backstage/errors';
import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import path from 'path';
import { parseDocument } from 'yaml';
import { assertAppFolderOwnership } from './appOwnership';
import { mergeAppProject } from './argoCd';
import {
  ContainedFile,
  isGitMetadataPath,
  readContainedFile,
  writeContainedFile,
} from './containedFs';
import { assertRepositoryUrl } from './validation';

/** Basic credentials for git over HTTP(S); never put into a URL. @public */
export interface GitCredentials {
  username: string;
  password: string;
}

/** Options of {@link commitToGitOpsRepository}. @public */
export interface GitOpsCommitOptions {
  /** HTTP(S) clone URL of the GitOps repository, without credentials. */
  url: string;
  auth?: GitCredentials;
  /** An empty scratch folder. */
  workDir: string;
  /** Branch to commit to (direct) or to branch from (branch mode). Default: the remote's HEAD. */
  baseBranch?: string;
  /** Files to write, relative to the repository root. */
  files: ContainedFile[];
  /** Repository-relative folders or files this commit may touch. */
  allowedPaths: string[];
  /** Application the commit is for; its GitOps folder must be its own or new. */
  app: string;
  appFolder: string;
  /** First line and body of the message; trailers are appended. */
  message: string;
  /** The trailer that makes the write idempotent, e.g. Slipway-Scaffolder-Task. */
  idempotencyTrailer: { key: string; value: string };
  extraTrailers?: Record<string, string>;
  /** `direct` commits to the base branch; `branch` pushes a new branch (for a pull request). */
  mode: 'direct' | 'branch';
  /** Branch pushed in branch mode. */
  branchName?: string;
  author?: { name: string; email: string };
  logger?: { info(message: string): void };
  /** How many commits of history to search for an earlier write. Default 100. */
  historyDepth?: number;
}

/** The outcome of {@link commitToGitOpsRepository}. @public */
export interface GitOpsCommitResult {
  /** The commit that carries the idempotency trailer (new or found). */
  commitSha?: string;
  /** Branch the commit is on. */
  branch: string;
  baseBranch: string;
  /** True when an earlier run had already written this commit. */
  alreadyApplied: boolean;
  /** False when the repository already held exactly these files. */
  changed: boolean;
  files: string[];
}

const TRAILER_KEY = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const TRAILER_VALUE = /^[A-Za-z0-9._:/@+-]{1,200}$/;
const BRANCH = /^(?!.*\.\.)(?!.*\/\/)(?!\/)[A-Za-z0-9._/-]{1,200}(?<![/.])$/;

/** True when a commit message carries the trailer `key: value` on a line of its own. @public */
export function hasTrailer(
  message: string,
  key: string,
  value: string,
): boolean {
  return message.split('\n').some(line => line.trim() === `${key}: ${value}`);
}

/** Replaces every occurrence of the given secrets in a text with `***`. @public */
export function redactSecrets(
  text: string,
  secrets: (string | undefined)[],
): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      result = result.split(secret).join('***');
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) result = result.split(encoded).join('***');
    }
  }
  return result;
}

/** The URL with any user info removed, for logs. @public */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

function isUnder(file: string, allowed: string): boolean {
  return file === allowed || file.startsWith(`${allowed}/`);
}

function validateOptions(options: GitOpsCommitOptions) {
  assertRepositoryUrl(options.url, 'GitOps repository URL');
  if (!/^https?:/.test(options.url)) {
    throw new InputError('GitOps repository URL must be http(s)');
  }
  const { key, value } = options.idempotencyTrailer;
  if (!TRAILER_KEY.test(key) || !TRAILER_VALUE.test(value)) {
    throw new InputError('Invalid commit trailer');
  }
  for (const [k, v] of Object.entries(options.extraTrailers ?? {})) {
    if (!TRAILER_KEY.test(k) || !TRAILER_VALUE.test(v)) {
      throw new InputError(`Invalid commit trailer ${k}`);
    }
  }
  for (const branch of [options.baseBranch, options.branchName]) {
    if (branch !== undefined && !BRANCH.test(branch)) {
      throw new InputError(
        `Invalid branch name ${JSON.stringify(branch.slice(0, 80))}`,
      );
    }
  }
  if (options.mode === 'branch' && !options.branchName) {
    throw new InputError('Branch mode needs a branch name');
  }
  if (options.allowedPaths.length === 0) {
    throw new InputError('At least one allowed path is needed');
  }
}

async function findEarlierCommit(
  dir: string,
  ref: string,
  trailer: { key: string; value: string },
  depth: number,
): Promise<string | undefined> {
  const commits = await git
    .log({ fs, dir, ref, depth })
    .catch(() => [] as Awaited<ReturnType<typeof git.log>>);
  return commits.find(c =>
    hasTrailer(c.commit.message, trailer.key, trailer.value),
  )?.oid;
}

function isAppProject(content: string): boolean {
  try {
    const doc = parseDocument(content);
    return doc.get('kind') === 'AppProject';
  } catch {
    return false;
  }
}

/**
 * Writes files into a GitOps repository as one commit, safely:
 *
 * - clones with isomorphic-git (pure JavaScript: no hooks, no git config
 *   commands, no filters of the repository are ever executed), credentials go
 *   through the auth callback and never into a URL;
 * - looks for an earlier commit carrying the idempotency trailer on the base
 *   branch (and, in branch mode, on the pushed branch) and then does nothing;
 * - writes only under the allowed paths, never through symbolic links or into
 *   `.git`, refuses an application folder owned by another application, and
 *   merges an existing AppProject instead of replacing it;
 * - pushes without force; a rejected direct push is retried from a fresh
 *   clone, a second rejection fails with ConflictError.
 *
 * @public
 */
export async function commitToGitOpsRepository(
  options: GitOpsCommitOptions,
): Promise<GitOpsCommitResult> {
  validateOptions(options);
  const allowed = options.allowedPaths.map(p =>
    normalizeRepoPath(p, 'allowed path'),
  );
  const appFolder = normalizeRepoPath(options.appFolder, 'app folder');
  const files = options.files.map(file => {
    const normalized = normalizeRepoPath(file.path, 'file path');
    if (isGitMetadataPath(normalized)) {
      throw new InputError(`Refusing to write git metadata: ${normalized}`);
    }
    if (!allowed.some(a => isUnder(normalized, a))) {
      throw new InputError(
        `${normalized} is outside the paths this commit may touch`,
      );
    }
    return { path: normalized, content: file.content };
  });
  const secrets = [options.auth?.password];
  const onAuth = options.auth ? () => ({ ...options.auth! }) : undefined;
  const log = (message: string) =>
    options.logger?.info(redactSecrets(message, secrets));
  const historyDepth = options.historyDepth ?? 100;

  try {
    for (let attempt = 1; ; attempt++) {
      const dir = path.join(options.workDir, `attempt-${attempt}`);
      await fs.promises.mkdir(dir, { recursive: true });
      log(`Cloning ${displayUrl(options.url)}`);
      await git.clone({
        fs,
        http,
        dir,
        url: options.url,
        ref: options.baseBranch,
        singleBranch: true,
        depth: historyDepth,
        noTags: true,
        onAuth,
      });
      const baseBranch =
        options.baseBranch ?? (await git.currentBranch({ fs, dir })) ?? 'main';
      const targetBranch =
        options.mode === 'branch' ? options.branchName! : baseBranch;

      const earlier = await findEarlierCommit(
        dir,
        baseBranch,
        options.idempotencyTrailer,
        historyDepth,
      );
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
        };
      }
      if (options.mode === 'branch') {
        const remoteRefs = await git.listServerRefs({
          http,
          url: options.url,
          prefix: `refs/heads/${targetBranch}`,
          onAuth,
        });
        if (remoteRefs.some(r => r.ref === `refs/heads/${targetBranch}`)) {
          await git.fetch({
            fs,
            http,
            dir,
            ref: targetBranch,
            singleBranch: true,
            depth: historyDepth,
            onAuth,
          });
          const onBranch = await findEarlierCommit(
            dir,
            `refs/remotes/origin/${targetBranch}`,
            options.idempotencyTrailer,
            historyDepth,
          );
          if (onBranch) {
            log(
              `Found the earlier commit ${onBranch} on ${targetBranch}; nothing to do`,
            );
            return {
              commitSha: onBranch,
              branch: targetBranch,
              baseBranch,
              alreadyApplied: true,
              changed: false,
              files: [],
            };
          }
          throw new ConflictError(
            `Branch ${targetBranch} already exists without this task's commit`,
          );
        }
      }

      await assertAppFolderOwnership(dir, appFolder, options.app);
      const written: string[] = [];
      for (const file of files) {
        const existing = await readContainedFile(dir, file.path);
        let content = file.content;
        if (existing !== undefined) {
          if (existing === content) continue;
          if (isAppProject(content)) {
            const merged = mergeAppProject(
              existing,
              parseDocument(content).toJS(),
            );
            if (!merged.changed) continue;
            content = merged.content;
          } else if (!isUnder(file.path, appFolder)) {
            throw new InputError(
              `${file.path} already exists outside the application's folder; refusing to overwrite it`,
            );
          }
        }
        await writeContainedFile(dir, file.path, content);
        await git.add({ fs, dir, filepath: file.path });
        written.push(file.path);
      }
      if (written.length === 0) {
        log('The repository already holds these files; nothing to commit');
        return {
          branch: baseBranch,
          baseBranch,
          alreadyApplied: false,
          changed: false,
          files: [],
        };
      }
      if (options.mode === 'branch') {
        await git.branch({ fs, dir, ref: targetBranch, checkout: true });
      }
      const trailers = {
        ...options.extraTrailers,
        [options.idempotencyTrailer.key]: options.idempotencyTrailer.value,
      };
      const message = `${options.message.trim()}\n\n${Object.entries(trailers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n')}\n`;
      const author = options.author ?? {
        name: 'Slipway',
        email: 'slipway@users.noreply.localhost',
      };
      const commitSha = await git.commit({ fs, dir, message, author });
      log(
        `Committed ${commitSha} (${written.length} files); pushing ${targetBranch}`,
      );
      try {
        const pushed = await git.push({
          fs,
          http,
          dir,
          ref: targetBranch,
          remoteRef: targetBranch,
          onAuth,
        });
        if (!pushed.ok) {
          throw new Error(pushed.error ?? 'push rejected');
        }
      } catch (error) {
        if (options.mode === 'direct' && attempt < 3) {
          log(
            `Push of ${targetBranch} was rejected; retrying from a fresh clone`,
          );
          continue;
        }
        throw new ConflictError(
          `Push of ${targetBranch} was rejected: ${(error as Error).message}`,
        );
      }
      return {
        commitSha,
        branch: targetBranch,
        baseBranch,
        alreadyApplied: false,
        changed: true,
        files: written,
      };
    }
  } catch (error) {
    const e = error as Error;
    e.message = redactSecrets(e.message ?? String(error), secrets);
    if (e.stack) e.stack = redactSecrets(e.stack, secrets);
    throw e;
  }
}
