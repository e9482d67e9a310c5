import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitIdentity } from '../types';
import { GitCommandError, gitEnvironment, runGit } from './runGit';

export const ZERO_SHA = '0000000000000000000000000000000000000000';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601, seconds precision, UTC. */
  date: string;
}

export interface GitCommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
}

export interface GitTreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size: number | undefined;
  path: string;
  name: string;
}

interface GitFileChange {
  path: string;
  /** New content; undefined deletes the file. */
  content: Buffer | string | undefined;
}

export interface GitCommitRequest {
  owner: string;
  repo: string;
  branch: string;
  /** Commit to build on; undefined creates the branch from an empty tree. */
  parent: string | undefined;
  changes: GitFileChange[];
  message: string;
  author: GitIdentity;
  committer?: GitIdentity;
}

/** Thrown when a ref moved while a write was prepared. */
export class GitRefConflictError extends Error {
  constructor(ref: string) {
    super(`ref ${ref} was updated concurrently`);
    this.name = 'GitRefConflictError';
  }
}

/** Formats a date as GitHub does: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(date: Date | number): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function gitDate(identity: GitIdentity): string {
  const millis = identity.date ? Date.parse(identity.date) : Date.now();
  return `${Math.floor(millis / 1000)} +0000`;
}

function parsePerson(line: string): GitPerson {
  const match = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!match) {
    return { name: line, email: '', date: isoSeconds(0) };
  }
  return {
    name: match[1],
    email: match[2],
    date: isoSeconds(Number(match[3]) * 1000),
  };
}

/** Validates an owner or repository name: no separators, no dot-dot, bounded. */
export function isValidRepoName(name: string): boolean {
  return (
    NAME_PATTERN.test(name) && !name.includes('..') && !name.endsWith('.git')
  );
}

/** Validates a path inside a repository (no traversal, no absolute paths, no NUL). */
export function isValidRepoPath(filePath: string): boolean {
  if (!filePath || filePath.length > 1024 || filePath.startsWith('/')) {
    return false;
  }
  for (const segment of filePath.split('/')) {
    if (
      segment === '' ||
      segment === '.' ||
      segment === '..' ||
      segment === '.git'
    ) {
      return false;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\\]/.test(segment)) {
      return false;
    }
  }
  return true;
}

/**
 * The bare repositories under `<dataDir>/git/<owner>/<repo>.git`, read and
 * written with git plumbing (no work trees), with hooks disabled and a clean
 * environment.
 */
export class GitRepositories {
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(
    readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly tempDir: string,
  ) {}

  static create(options: { dataDir: string }): GitRepositories {
    const root = path.join(options.dataDir, 'git');
    const home = path.join(options.dataDir, 'home');
    const tempDir = path.join(options.dataDir, 'tmp');
    for (const dir of [root, home, tempDir]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    return new GitRepositories(root, gitEnvironment(home), tempDir);
  }

  /** The environment git subprocesses (including http-backend) run with. */
  get environment(): NodeJS.ProcessEnv {
    return { ...this.env };
  }

  repoPath(owner: string, repo: string): string {
    if (!isValidRepoName(owner) || !isValidRepoName(repo)) {
      throw new Error('invalid repository name');
    }
    return path.join(this.root, owner, `${repo}.git`);
  }

  exists(owner: string, repo: string): boolean {
    if (!isValidRepoName(owner) || !isValidRepoName(repo)) {
      return false;
    }
    return fs.existsSync(path.join(this.repoPath(owner, repo), 'HEAD'));
  }

  /** All repositories on disk, sorted. */
  list(): Array<{ owner: string; repo: string }> {
    const result: Array<{ owner: string; repo: string }> = [];
    if (!fs.existsSync(this.root)) {
      return result;
    }
    for (const owner of fs.readdirSync(this.root).sort()) {
      const ownerDir = path.join(this.root, owner);
      if (!isValidRepoName(owner) || !fs.statSync(ownerDir).isDirectory()) {
        continue;
      }
      for (const entry of fs.readdirSync(ownerDir).sort()) {
        const repo = entry.replace(/\.git$/, '');
        if (entry.endsWith('.git') && this.exists(owner, repo)) {
          result.push({ owner, repo });
        }
      }
    }
    return result;
  }

  async init(owner: string, repo: string): Promise<void> {
    const dir = this.repoPath(owner, repo);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await runGit(
      [
        'init',
        '--quiet',
        '--bare',
        '--template=',
        '--initial-branch=main',
        dir,
      ],
      {
        env: this.env,
      },
    );
    // Smart HTTP pushes need receive-pack enabled; the sandbox checks tokens itself.
    await this.git(owner, repo, ['config', 'http.receivepack', 'true']);
    await this.git(owner, repo, [
      'config',
      'receive.denyNonFastForwards',
      'false',
    ]);
  }

  async git(
    owner: string,
    repo: string,
    args: string[],
    options: {
      input?: Buffer | string;
      env?: NodeJS.ProcessEnv;
      allowedExitCodes?: number[];
    } = {},
  ) {
    return runGit(['--git-dir', this.repoPath(owner, repo), ...args], {
      env: { ...this.env, ...options.env },
      input: options.input,
      allowedExitCodes: options.allowedExitCodes,
    });
  }

  /** Resolves a branch, tag or SHA to a commit SHA. */
  async resolveCommit(
    owner: string,
    repo: string,
    ref: string,
  ): Promise<string | undefined> {
    if (
      !ref ||
      ref.startsWith('-') ||
      ref.includes('..') ||
      /[\s~^:?*[\\]/.test(ref)
    ) {
      return undefined;
    }
    const result = await this.git(
      owner,
      repo,
      [
        'rev-parse',
        '--verify',
        '--quiet',
        '--end-of-options',
        `${ref}^{commit}`,
      ],
      { allowedExitCodes: [1, 128] },
    );
    const sha = result.stdout.toString('utf8').trim();
    return result.exitCode === 0 && /^[0-9a-f]{40}$/.test(sha)
      ? sha
      : undefined;
  }

  /** Refs (full names) and the objects they point to. */
  async listRefs(
    owner: string,
    repo: string,
    prefix = 'refs/',
  ): Promise<Array<{ ref: string; sha: string }>> {
    const result = await this.git(owner, repo, [
      'for-each-ref',
      '--format=%(objectname) %(refname)',
      prefix,
    ]);
    const refs: Array<{ ref: string; sha: string }> = [];
    for (const line of result.stdout.toString('utf8').split('\n')) {
      const [sha, ref] = line.split(' ');
      if (sha && ref) {
        refs.push({ ref, sha });
      }
    }
    return refs;
  }

  async getCommit(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<GitCommitInfo | undefined> {
    const resolved = await this.resolveCommit(owner, repo, sha);
    if (!resolved) {
      return undefined;
    }
    const raw = (
      await this.git(owner, repo, ['cat-file', 'commit', resolved])
    ).stdout.toString('utf8');
    const separator = raw.indexOf('\n\n');
    const header = separator >= 0 ? raw.slice(0, separator) : raw;
    const message = separator >= 0 ? raw.slice(separator + 2) : '';
    const info: GitCommitInfo = {
      sha: resolved,
      tree: '',
      parents: [],
      author: { name: '', email: '', date: isoSeconds(0) },
      committer: { name: '', email: '', date: isoSeconds(0) },
      message,
    };
    for (const line of header.split('\n')) {
      const space = line.indexOf(' ');
      const key = line.slice(0, space);
      const value = line.slice(space + 1);
      if (key === 'tree') info.tree = value;
      else if (key === 'parent') info.parents.push(value);
      else if (key === 'author') info.author = parsePerson(value);
      else if (key === 'committer') info.committer = parsePerson(value);
    }
    return info;
  }

  /** Commits reachable from `ref`, newest first, optionally limited to a path. */
  async log(
    owner: string,
    repo: string,
    ref: string,
    options: { path?: string; max?: number } = {},
  ): Promise<string[]> {
    const sha = await this.resolveCommit(owner, repo, ref);
    if (!sha) {
      return [];
    }
    const args = ['rev-list', `--max-count=${options.max ?? 1000}`, sha];
    if (options.path) {
      args.push('--', options.path);
    }
    const result = await this.git(owner, repo, args);
    return result.stdout.toString('utf8').split('\n').filter(Boolean);
  }

  /** The tree entry at `filePath` in `commit`, or the root tree when path is empty. */
  async getEntry(
    owner: string,
    repo: string,
    commit: string,
    filePath: string,
  ): Promise<GitTreeEntry | undefined> {
    if (filePath === '') {
      const info = await this.getCommit(owner, repo, commit);
      return info
        ? {
            mode: '040000',
            type: 'tree',
            sha: info.tree,
            size: undefined,
            path: '',
            name: '',
          }
        : undefined;
    }
    const entries = await this.lsTree(owner, repo, commit, filePath, false);
    return entries.find(entry => entry.path === filePath);
  }

  /** Entries of a directory (`dirPath` empty for the root). */
  async listDirectory(
    owner: string,
    repo: string,
    commit: string,
    dirPath: string,
  ): Promise<GitTreeEntry[]> {
    return this.lsTree(
      owner,
      repo,
      commit,
      dirPath ? `${dirPath}/` : '',
      false,
    );
  }

  /** All blobs below the root, recursively. */
  async listFiles(
    owner: string,
    repo: string,
    commit: string,
  ): Promise<GitTreeEntry[]> {
    return this.lsTree(owner, repo, commit, '', true);
  }

  private async lsTree(
    owner: string,
    repo: string,
    commit: string,
    spec: string,
    recursive: boolean,
  ): Promise<GitTreeEntry[]> {
    const args = ['ls-tree', '-l', '-z', '--full-tree'];
    if (recursive) args.push('-r');
    args.push(commit);
    if (spec) args.push('--', spec);
    const result = await this.git(owner, repo, args, {
      allowedExitCodes: [128],
    });
    if (result.exitCode !== 0) {
      return [];
    }
    const entries: GitTreeEntry[] = [];
    for (const record of result.stdout.toString('utf8').split('\0')) {
      const tab = record.indexOf('\t');
      if (tab < 0) continue;
      const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/);
      const entryPath = record.slice(tab + 1);
      entries.push({
        mode,
        type: type as GitTreeEntry['type'],
        sha,
        size: size === '-' ? undefined : Number(size),
        path: entryPath,
        name: entryPath.split('/').pop() ?? entryPath,
      });
    }
    return entries;
  }

  async readBlob(owner: string, repo: string, sha: string): Promise<Buffer> {
    return (await this.git(owner, repo, ['cat-file', 'blob', sha])).stdout;
  }

  /** Content of a file at a commit, or undefined if there is no such file. */
  async readFile(
    owner: string,
    repo: string,
    commit: string,
    filePath: string,
  ): Promise<Buffer | undefined> {
    const entry = await this.getEntry(owner, repo, commit, filePath);
    if (!entry || entry.type !== 'blob') {
      return undefined;
    }
    return this.readBlob(owner, repo, entry.sha);
  }

  async isAncestor(
    owner: string,
    repo: string,
    ancestor: string,
    descendant: string,
  ): Promise<boolean> {
    const result = await this.git(
      owner,
      repo,
      ['merge-base', '--is-ancestor', ancestor, descendant],
      {
        allowedExitCodes: [1],
      },
    );
    return result.exitCode === 0;
  }

  /** Compare-and-swap update of a ref; `expected` ZERO_SHA creates, undefined skips the check. */
  async updateRef(
    owner: string,
    repo: string,
    ref: string,
    sha: string,
    expected?: string,
  ): Promise<void> {
    const args = ['update-ref', ref, sha];
    if (expected !== undefined) args.push(expected);
    try {
      await this.git(owner, repo, args);
    } catch (error) {
      if (error instanceof GitCommandError) {
        throw new GitRefConflictError(ref);
      }
      throw error;
    }
  }

  async deleteRef(owner: string, repo: string, ref: string): Promise<void> {
    await this.git(owner, repo, ['update-ref', '-d', ref]);
  }

  /**
   * Writes a commit with the given file changes on top of `parent` and moves
   * `refs/heads/<branch>` to it if it still points at `parent`.
   */
  async commitFiles(request: GitCommitRequest): Promise<string> {
    const { owner, repo } = request;
    return this.withLock(`${owner}/${repo}`, async () => {
      const sha = await this.writeCommit(request);
      await this.updateRef(
        owner,
        repo,
        `refs/heads/${request.branch}`,
        sha,
        request.parent ?? ZERO_SHA,
      );
      return sha;
    });
  }

  /** Writes a commit object without moving any ref. */
  async writeCommit(request: GitCommitRequest): Promise<string> {
    const { owner, repo } = request;
    const indexDir = fs.mkdtempSync(
      path.join(this.tempDir ?? os.tmpdir(), 'index-'),
    );
    const env = { GIT_INDEX_FILE: path.join(indexDir, 'index') };
    try {
      if (request.parent) {
        await this.git(owner, repo, ['read-tree', request.parent], { env });
      } else {
        await this.git(owner, repo, ['read-tree', '--empty'], { env });
      }
      const writes: GitFileChange[] = [];
      const removals: string[] = [];
      for (const change of request.changes) {
        if (!isValidRepoPath(change.path)) {
          throw new Error(
            `invalid path in repository: ${JSON.stringify(change.path)}`,
          );
        }
        if (change.content === undefined) removals.push(change.path);
        else writes.push(change);
      }
      // One hash-object and one update-index for all files, not one per file.
      const blobFiles = writes.map((change, index) => {
        const file = path.join(indexDir, `blob-${index}`);
        fs.writeFileSync(file, change.content ?? '');
        return file;
      });
      const blobs = blobFiles.length
        ? (
            await this.git(
              owner,
              repo,
              ['hash-object', '-w', '--no-filters', '--stdin-paths'],
              {
                input: `${blobFiles.join('\n')}\n`,
              },
            )
          ).stdout
            .toString('utf8')
            .trim()
            .split('\n')
        : [];
      const indexInfo = [
        ...removals.map(removed => `0 ${ZERO_SHA}\t${removed}`),
        ...writes.map(
          (change, index) => `100644 ${blobs[index]}\t${change.path}`,
        ),
      ];
      if (indexInfo.length) {
        await this.git(owner, repo, ['update-index', '--index-info'], {
          env,
          input: `${indexInfo.join('\n')}\n`,
        });
      }
      const tree = (await this.git(owner, repo, ['write-tree'], { env })).stdout
        .toString('utf8')
        .trim();
      return await this.commitTree(owner, repo, {
        tree,
        parents: request.parent ? [request.parent] : [],
        message: request.message,
        author: request.author,
        committer: request.committer ?? request.author,
      });
    } finally {
      fs.rmSync(indexDir, { recursive: true, force: true });
    }
  }

  async commitTree(
    owner: string,
    repo: string,
    options: {
      tree: string;
      parents: string[];
      message: string;
      author: GitIdentity;
      committer: GitIdentity;
    },
  ): Promise<string> {
    const args = ['commit-tree', options.tree];
    for (const parent of options.parents) {
      args.push('-p', parent);
    }
    const result = await this.git(owner, repo, args, {
      input: options.message,
      env: {
        GIT_AUTHOR_NAME: options.author.name,
        GIT_AUTHOR_EMAIL: options.author.email,
        GIT_AUTHOR_DATE: gitDate(options.author),
        GIT_COMMITTER_NAME: options.committer.name,
        GIT_COMMITTER_EMAIL: options.committer.email,
        GIT_COMMITTER_DATE: gitDate(options.committer),
      },
    });
    return result.stdout.toString('utf8').trim();
  }

  /** Three-way merge of two commits without a work tree; undefined on conflict. */
  async mergeTrees(
    owner: string,
    repo: string,
    base: string,
    head: string,
  ): Promise<string | undefined> {
    const result = await this.git(
      owner,
      repo,
      ['merge-tree', '--write-tree', base, head],
      {
        allowedExitCodes: [1],
      },
    );
    if (result.exitCode !== 0) {
      return undefined;
    }
    return result.stdout.toString('utf8').split('\n')[0].trim();
  }

  async withLock<T>(key: string, action: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(action);
    this.locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === next) {
        this.locks.delete(key);
      }
    }
  }
}
