import { CiSimulator } from '../ci/CiSimulator';
import { SANDBOX_IDENTITY } from '../defaults';
import {
  GitRefConflictError,
  GitRepositories,
  isoSeconds,
  isValidRepoName,
  isValidRepoPath,
  ZERO_SHA,
} from '../git/GitRepositories';
import { RepoWatcher } from '../git/RepoWatcher';
import { BranchProtection } from './BranchProtection';
import {
  COMMIT_STATUS_STATES,
  CommitStatusState,
  CommitStatuses,
} from './CommitStatuses';
import {
  branchProtection,
  commitObject,
  commitStatus,
  contentEntry,
  contentFile,
  fullRepository,
  gitCommit,
  gitRef,
  GithubUrls,
  privateUser,
  simpleUser,
  pullRequest,
  PullRequestView,
  RepoMetadata,
  SANDBOX_USER,
  workflowJob,
  workflowRun,
} from './githubObjects';
import { PullRequestRecord, PullRequests } from './PullRequests';
import { RepoCatalog } from './RepoCatalog';

/** An error answered the way GitHub does: `{ message, documentation_url, status }`. */
export class GithubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
    this.name = 'GithubApiError';
  }
}

const notFound = () => new GithubApiError(404, 'Not Found');
const SHA = /^[0-9a-f]{40}$/;

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function validateRefName(ref: string): boolean {
  return (
    /^refs\/(heads|tags)\/[A-Za-z0-9._\-/]+$/.test(ref) &&
    !ref.includes('..') &&
    !ref.endsWith('/') &&
    !ref.endsWith('.lock') &&
    !ref.includes('//')
  );
}

/** The logic behind the GitHub API subset; the router only maps HTTP to it. */
export class GithubService {
  private constructor(
    private readonly repos: GitRepositories,
    private readonly catalog: RepoCatalog,
    private readonly pulls: PullRequests,
    private readonly protection: BranchProtection,
    private readonly ci: CiSimulator,
    private readonly watcher: RepoWatcher,
    private readonly urls: GithubUrls,
    private readonly statuses: CommitStatuses,
  ) {}

  static create(options: {
    repos: GitRepositories;
    pulls: PullRequests;
    protection: BranchProtection;
    ci: CiSimulator;
    watcher: RepoWatcher;
    urls: GithubUrls;
    /** Commit statuses; in memory by default. */
    statuses?: CommitStatuses;
  }): GithubService {
    return new GithubService(
      options.repos,
      RepoCatalog.create({ repos: options.repos }),
      options.pulls,
      options.protection,
      options.ci,
      options.watcher,
      options.urls,
      options.statuses ?? CommitStatuses.create(),
    );
  }

  /**
   * `POST /repos/{o}/{r}/statuses/{sha}`: adds a status to a commit (a full
   * SHA of the repository), as a CI or verification workflow does.
   */
  async createCommitStatus(
    owner: string,
    repo: string,
    sha: string,
    body: Record<string, unknown>,
  ) {
    await this.meta(owner, repo);
    if (!SHA.test(sha) || !(await this.repos.getCommit(owner, repo, sha))) {
      throw new GithubApiError(422, `No commit found for SHA: ${sha}`);
    }
    const state = body.state as CommitStatusState;
    if (!COMMIT_STATUS_STATES.includes(state)) {
      throw new GithubApiError(422, 'Validation Failed', [
        { resource: 'Status', code: 'custom', field: 'state' },
      ]);
    }
    const optional = (name: string) => {
      const value = body[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') {
        throw new GithubApiError(422, 'Validation Failed', [
          { resource: 'Status', code: 'invalid', field: name },
        ]);
      }
      return value;
    };
    const description = optional('description');
    const record = this.statuses.add({
      owner,
      repo,
      sha,
      state,
      context: optional('context') || 'default',
      // GitHub keeps the first 140 characters of a description.
      description: description?.slice(0, 140),
      targetUrl: optional('target_url'),
    });
    return commitStatus(this.urls, record);
  }

  /**
   * `GET /repos/{o}/{r}/commits/{ref}/statuses`: the statuses of a commit
   * (SHA, branch or tag), newest first, paged; none for an unknown ref.
   */
  async listCommitStatuses(
    owner: string,
    repo: string,
    ref: string,
    query: Record<string, string | undefined>,
  ) {
    await this.meta(owner, repo);
    const sha = await this.repos.resolveCommit(owner, repo, ref);
    if (!sha) return [];
    const perPage = Math.min(Math.max(Number(query.per_page) || 30, 1), 100);
    const page = Math.max(Number(query.page) || 1, 1);
    return this.statuses
      .list(owner, repo, sha)
      .slice((page - 1) * perPage, page * perPage)
      .map(record => commitStatus(this.urls, record));
  }

  /** `GET /repos/{o}/{r}/branches/{b}/protection`: 404 "Branch not protected" as on GitHub. */
  async getBranchProtection(owner: string, repo: string, branch: string) {
    await this.meta(owner, repo);
    if (
      !(await this.repos.resolveCommit(owner, repo, `refs/heads/${branch}`))
    ) {
      throw new GithubApiError(404, 'Branch not found');
    }
    if (!this.protection.isProtected(owner, repo, branch)) {
      throw new GithubApiError(404, 'Branch not protected');
    }
    return branchProtection(this.urls, owner, repo, branch);
  }

  /** Admin: protects or unprotects a branch (it need not exist yet). */
  async setBranchProtection(
    owner: string,
    repo: string,
    branch: string,
    enabled: boolean,
  ) {
    await this.meta(owner, repo);
    if (!validateRefName(`refs/heads/${branch}`)) {
      throw new GithubApiError(422, 'Branch name is invalid');
    }
    this.protection.set(owner, repo, branch, enabled);
    return {
      repository: `${owner}/${repo}`,
      branch,
      protected: enabled,
      protectedBranches: this.protection.list(owner, repo),
    };
  }

  /** API writes to a protected branch are refused like pushes are. */
  private checkUnprotected(owner: string, repo: string, ref: string) {
    const branch = ref.startsWith('refs/heads/')
      ? ref.slice('refs/heads/'.length)
      : undefined;
    if (branch && this.protection.isProtected(owner, repo, branch)) {
      throw new GithubApiError(
        422,
        `Protected branch update failed for ${ref}. Changes must be made through a pull request.`,
      );
    }
  }

  currentUser() {
    return privateUser(this.urls, SANDBOX_USER);
  }

  /** `GET /users/{username}`: the bot is a User, every other login an Organization. */
  user(login: string) {
    if (!isValidRepoName(login)) throw notFound();
    return simpleUser(this.urls, login);
  }

  private async meta(owner: string, repo: string): Promise<RepoMetadata> {
    const meta =
      isValidRepoName(owner) && isValidRepoName(repo)
        ? await this.catalog.get(owner, repo)
        : undefined;
    if (!meta) throw notFound();
    return meta;
  }

  async getRepository(owner: string, repo: string) {
    return fullRepository(this.urls, await this.meta(owner, repo));
  }

  async createRepository(owner: string, body: Record<string, unknown>) {
    const name = asString(body.name);
    if (!name || !isValidRepoName(name)) {
      throw new GithubApiError(422, 'Repository creation failed.', [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name is invalid',
        },
      ]);
    }
    if (this.repos.exists(owner, name)) {
      throw new GithubApiError(422, 'Repository creation failed.', [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name already exists on this account',
        },
      ]);
    }
    await this.catalog.create(owner, name, {
      description: asString(body.description),
      private: body.private === true || body.visibility === 'private',
    });
    await this.watcher.track(owner, name);
    if (body.auto_init === true) {
      await this.repos.commitFiles({
        owner,
        repo: name,
        branch: 'main',
        parent: undefined,
        changes: [{ path: 'README.md', content: `# ${name}\n` }],
        message: 'Initial commit\n',
        author: SANDBOX_IDENTITY,
      });
      await this.watcher.check(owner, name);
    }
    return this.getRepository(owner, name);
  }

  private async resolveRef(
    owner: string,
    repo: string,
    ref: string | undefined,
  ): Promise<string> {
    const sha = await this.repos.resolveCommit(owner, repo, ref || 'main');
    if (!sha) {
      throw new GithubApiError(
        404,
        `No commit found for the ref ${ref || 'main'}`,
      );
    }
    return sha;
  }

  async getContents(
    owner: string,
    repo: string,
    filePath: string,
    ref: string | undefined,
  ) {
    await this.meta(owner, repo);
    const cleanPath = filePath.replace(/^\/+|\/+$/g, '');
    if (cleanPath !== '' && !isValidRepoPath(cleanPath)) throw notFound();
    const sha = await this.resolveRef(owner, repo, ref);
    const refName = ref || 'main';
    const entry = await this.repos.getEntry(owner, repo, sha, cleanPath);
    if (!entry) throw notFound();
    if (entry.type === 'tree') {
      const entries = await this.repos.listDirectory(
        owner,
        repo,
        sha,
        cleanPath,
      );
      return entries.map(e => contentEntry(this.urls, owner, repo, refName, e));
    }
    if (entry.type !== 'blob') throw notFound();
    const content = await this.repos.readBlob(owner, repo, entry.sha);
    return contentFile(this.urls, owner, repo, refName, entry, content);
  }

  async putContents(
    owner: string,
    repo: string,
    filePath: string,
    body: Record<string, unknown>,
  ) {
    await this.meta(owner, repo);
    const message = asString(body.message);
    const content = asString(body.content);
    if (!isValidRepoPath(filePath)) {
      throw new GithubApiError(422, 'path is invalid');
    }
    if (
      !message ||
      content === undefined ||
      !/^[A-Za-z0-9+/=\s]*$/.test(content)
    ) {
      throw new GithubApiError(
        422,
        'Invalid request.\n\n"message" and base64 "content" are required.',
      );
    }
    const branch = asString(body.branch) ?? 'main';
    this.checkUnprotected(owner, repo, `refs/heads/${branch}`);
    const parent = await this.repos.resolveCommit(
      owner,
      repo,
      `refs/heads/${branch}`,
    );
    if (
      !parent &&
      branch !== 'main' &&
      (await this.repos.listRefs(owner, repo, 'refs/heads/')).length > 0
    ) {
      throw new GithubApiError(404, `Branch ${branch} not found`);
    }
    const existing = parent
      ? await this.repos.getEntry(owner, repo, parent, filePath)
      : undefined;
    const expectedSha = asString(body.sha);
    if (existing && existing.type !== 'blob') {
      throw new GithubApiError(422, `${filePath} is a directory`);
    }
    if (existing && !expectedSha) {
      throw new GithubApiError(
        422,
        'Invalid request.\n\n"sha" wasn\'t supplied.',
      );
    }
    if (expectedSha && expectedSha !== existing?.sha) {
      throw new GithubApiError(
        409,
        `${filePath} does not match ${expectedSha}`,
      );
    }
    const identity = (value: unknown) => {
      const person = value as { name?: unknown; email?: unknown } | undefined;
      return typeof person?.name === 'string' &&
        typeof person?.email === 'string'
        ? { name: person.name, email: person.email }
        : undefined;
    };
    const author =
      identity(body.author) ?? identity(body.committer) ?? SANDBOX_IDENTITY;
    const committer = identity(body.committer) ?? author;
    let sha: string;
    try {
      sha = await this.repos.commitFiles({
        owner,
        repo,
        branch,
        parent,
        changes: [{ path: filePath, content: Buffer.from(content, 'base64') }],
        message,
        author,
        committer,
      });
    } catch (error) {
      if (error instanceof GitRefConflictError) {
        throw new GithubApiError(
          409,
          `${filePath} does not match ${expectedSha ?? 'the branch head'}`,
        );
      }
      throw error;
    }
    await this.watcher.check(owner, repo);
    const entry = await this.repos.getEntry(owner, repo, sha, filePath);
    const commit = await this.repos.getCommit(owner, repo, sha);
    if (!entry || !commit) throw new GithubApiError(500, 'write failed');
    const {
      encoding: _encoding,
      content: _content,
      ...file
    } = contentFile(this.urls, owner, repo, branch, entry, Buffer.alloc(0));
    return {
      created: !existing,
      body: {
        content: file,
        commit: gitCommit(this.urls, owner, repo, commit),
      },
    };
  }

  async getGitCommit(owner: string, repo: string, sha: string) {
    await this.meta(owner, repo);
    const commit = SHA.test(sha)
      ? await this.repos.getCommit(owner, repo, sha)
      : undefined;
    if (!commit || commit.sha !== sha) throw notFound();
    return gitCommit(this.urls, owner, repo, commit);
  }

  async getCommit(owner: string, repo: string, ref: string) {
    await this.meta(owner, repo);
    const sha = await this.repos.resolveCommit(owner, repo, ref);
    const commit = sha
      ? await this.repos.getCommit(owner, repo, sha)
      : undefined;
    if (!commit)
      throw new GithubApiError(422, `No commit found for SHA: ${ref}`);
    return commitObject(this.urls, owner, repo, commit);
  }

  async listRefs(owner: string, repo: string, prefix: string) {
    await this.meta(owner, repo);
    const full = prefix ? `refs/${prefix}` : 'refs/';
    const refs = await this.repos.listRefs(owner, repo, 'refs/');
    return refs
      .filter(r => r.ref.startsWith(full))
      .filter(
        r =>
          r.ref.startsWith('refs/heads/') ||
          r.ref.startsWith('refs/tags/') ||
          r.ref.startsWith('refs/pull/'),
      )
      .map(r => gitRef(this.urls, owner, repo, r.ref, r.sha));
  }

  async getRef(owner: string, repo: string, ref: string) {
    const refs = await this.listRefs(owner, repo, ref);
    const exact = refs.find(r => r.ref === `refs/${ref}`);
    if (!exact) throw notFound();
    return exact;
  }

  /** GET /git/refs/{ref}: the ref itself, or the refs under it as GitHub still does. */
  async getRefOrMatching(owner: string, repo: string, ref: string) {
    const refs = await this.listRefs(owner, repo, ref);
    const exact = refs.find(r => r.ref === `refs/${ref}`);
    if (exact) return exact;
    if (refs.length === 0) throw notFound();
    return refs;
  }

  async createRef(owner: string, repo: string, body: Record<string, unknown>) {
    await this.meta(owner, repo);
    const ref = asString(body.ref);
    const sha = asString(body.sha);
    if (!ref || !validateRefName(ref)) {
      throw new GithubApiError(422, 'Reference name is invalid');
    }
    if (
      !sha ||
      !SHA.test(sha) ||
      !(await this.repos.getCommit(owner, repo, sha))
    ) {
      throw new GithubApiError(422, 'Object does not exist');
    }
    try {
      await this.repos.updateRef(owner, repo, ref, sha, ZERO_SHA);
    } catch (error) {
      if (error instanceof GitRefConflictError)
        throw new GithubApiError(422, 'Reference already exists');
      throw error;
    }
    await this.watcher.check(owner, repo);
    return gitRef(this.urls, owner, repo, ref, sha);
  }

  async updateRef(
    owner: string,
    repo: string,
    ref: string,
    body: Record<string, unknown>,
  ) {
    const current = await this.getRef(owner, repo, ref);
    this.checkUnprotected(owner, repo, `refs/${ref}`);
    const sha = asString(body.sha);
    if (
      !sha ||
      !SHA.test(sha) ||
      !(await this.repos.getCommit(owner, repo, sha))
    ) {
      throw new GithubApiError(422, 'Object does not exist');
    }
    const force = body.force === true;
    if (
      !force &&
      !(await this.repos.isAncestor(owner, repo, current.object.sha, sha))
    ) {
      throw new GithubApiError(422, 'Update is not a fast forward');
    }
    try {
      await this.repos.updateRef(
        owner,
        repo,
        `refs/${ref}`,
        sha,
        current.object.sha,
      );
    } catch (error) {
      if (error instanceof GitRefConflictError)
        throw new GithubApiError(422, 'Reference cannot be updated');
      throw error;
    }
    await this.watcher.check(owner, repo);
    return gitRef(this.urls, owner, repo, `refs/${ref}`, sha);
  }

  async deleteRef(owner: string, repo: string, ref: string) {
    await this.getRef(owner, repo, ref);
    this.checkUnprotected(owner, repo, `refs/${ref}`);
    await this.repos.deleteRef(owner, repo, `refs/${ref}`);
    await this.watcher.check(owner, repo);
  }

  private async pullView(record: PullRequestRecord): Promise<PullRequestView> {
    const { owner, repo } = record;
    const headSha =
      record.closedHeadSha ??
      (await this.repos.resolveCommit(
        owner,
        repo,
        `refs/heads/${record.head}`,
      )) ??
      ZERO_SHA;
    const baseSha =
      record.closedBaseSha ??
      (await this.repos.resolveCommit(
        owner,
        repo,
        `refs/heads/${record.base}`,
      )) ??
      ZERO_SHA;
    let mergeable: boolean | undefined;
    let commits = 0;
    let changedFiles = 0;
    if (headSha !== ZERO_SHA && baseSha !== ZERO_SHA) {
      if (record.state === 'open') {
        mergeable =
          (await this.repos.mergeTrees(owner, repo, baseSha, headSha)) !==
          undefined;
      }
      const range = await this.repos.git(
        owner,
        repo,
        ['rev-list', '--count', `${baseSha}..${headSha}`],
        {
          allowedExitCodes: [128],
        },
      );
      commits = Number(range.stdout.toString('utf8').trim()) || 0;
      const diff = await this.repos.git(
        owner,
        repo,
        ['diff', '--name-only', `${baseSha}...${headSha}`],
        {
          allowedExitCodes: [128],
        },
      );
      changedFiles = diff.stdout
        .toString('utf8')
        .split('\n')
        .filter(Boolean).length;
    }
    return {
      number: record.number,
      title: record.title,
      body: record.body,
      state: record.state,
      draft: record.draft,
      head: record.head,
      base: record.base,
      headSha,
      baseSha,
      merged: record.merged,
      mergeable,
      mergeCommitSha: record.mergeCommitSha,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      closedAt: record.closedAt,
      mergedAt: record.mergedAt,
      commits,
      changedFiles,
    };
  }

  private stripOwner(owner: string, branch: string): string {
    return branch.startsWith(`${owner}:`)
      ? branch.slice(owner.length + 1)
      : branch;
  }

  async createPull(owner: string, repo: string, body: Record<string, unknown>) {
    const meta = await this.meta(owner, repo);
    const title = asString(body.title);
    const head = asString(body.head);
    const base = asString(body.base);
    if (!title || !head || !base) {
      throw new GithubApiError(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'missing_field',
          field: ['title', 'head', 'base'][
            [title, head, base].indexOf(undefined)
          ],
        },
      ]);
    }
    const headBranch = this.stripOwner(owner, head);
    const headSha = await this.repos.resolveCommit(
      owner,
      repo,
      `refs/heads/${headBranch}`,
    );
    const baseSha = await this.repos.resolveCommit(
      owner,
      repo,
      `refs/heads/${base}`,
    );
    if (!headSha || !baseSha) {
      throw new GithubApiError(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'invalid',
          field: !headSha ? 'head' : 'base',
        },
      ]);
    }
    if (
      this.pulls
        .list(owner, repo)
        .some(
          p => p.state === 'open' && p.head === headBranch && p.base === base,
        )
    ) {
      throw new GithubApiError(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${owner}:${headBranch}.`,
        },
      ]);
    }
    if (await this.repos.isAncestor(owner, repo, headSha, baseSha)) {
      throw new GithubApiError(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `No commits between ${base} and ${headBranch}`,
        },
      ]);
    }
    const now = isoSeconds(Date.now());
    const record = this.pulls.add({
      owner,
      repo,
      title,
      body: asString(body.body),
      head: headBranch,
      base,
      state: 'open',
      draft: body.draft === true,
      merged: false,
      mergeCommitSha: undefined,
      closedHeadSha: undefined,
      closedBaseSha: undefined,
      createdAt: now,
      updatedAt: now,
      closedAt: undefined,
      mergedAt: undefined,
    });
    return pullRequest(this.urls, meta, await this.pullView(record), true);
  }

  async listPulls(
    owner: string,
    repo: string,
    query: Record<string, string | undefined>,
  ) {
    const meta = await this.meta(owner, repo);
    const state = query.state ?? 'open';
    const head = query.head ? this.stripOwner(owner, query.head) : undefined;
    const perPage = Math.min(Math.max(Number(query.per_page) || 30, 1), 100);
    const page = Math.max(Number(query.page) || 1, 1);
    const matching = this.pulls
      .list(owner, repo)
      .filter(p => state === 'all' || p.state === state)
      .filter(p => !head || p.head === head)
      .filter(p => !query.base || p.base === query.base)
      .slice((page - 1) * perPage, page * perPage);
    const result = [];
    for (const record of matching) {
      result.push(
        pullRequest(this.urls, meta, await this.pullView(record), false),
      );
    }
    return result;
  }

  async getPull(owner: string, repo: string, number: number) {
    const meta = await this.meta(owner, repo);
    const record = this.pulls.get(owner, repo, number);
    if (!record) throw notFound();
    return pullRequest(this.urls, meta, await this.pullView(record), true);
  }

  async updatePull(
    owner: string,
    repo: string,
    number: number,
    body: Record<string, unknown>,
  ) {
    await this.meta(owner, repo);
    const record = this.pulls.get(owner, repo, number);
    if (!record) throw notFound();
    if (asString(body.title))
      record.title = asString(body.title) ?? record.title;
    if (body.body !== undefined) record.body = asString(body.body);
    if (body.state === 'closed' && record.state === 'open') {
      const view = await this.pullView(record);
      record.state = 'closed';
      record.closedAt = isoSeconds(Date.now());
      record.closedHeadSha = view.headSha;
      record.closedBaseSha = view.baseSha;
    } else if (
      body.state === 'open' &&
      record.state === 'closed' &&
      !record.merged
    ) {
      // Reopening needs the head branch, as on GitHub.
      if (
        !(await this.repos.resolveCommit(
          owner,
          repo,
          `refs/heads/${record.head}`,
        ))
      ) {
        throw new GithubApiError(422, 'Validation Failed', [
          {
            resource: 'PullRequest',
            code: 'custom',
            field: 'state',
            message: 'state cannot be changed. The head branch was deleted.',
          },
        ]);
      }
      Object.assign(record, {
        state: 'open',
        closedAt: undefined,
        closedHeadSha: undefined,
        closedBaseSha: undefined,
      });
    } else if (
      body.state !== undefined &&
      body.state !== 'open' &&
      body.state !== 'closed'
    ) {
      throw new GithubApiError(422, 'Validation Failed', [
        { resource: 'PullRequest', code: 'invalid', field: 'state' },
      ]);
    }
    record.updatedAt = isoSeconds(Date.now());
    this.pulls.save();
    return this.getPull(owner, repo, number);
  }

  async mergePull(
    owner: string,
    repo: string,
    number: number,
    body: Record<string, unknown>,
  ) {
    await this.meta(owner, repo);
    const record = this.pulls.get(owner, repo, number);
    if (!record) throw notFound();
    if (record.state !== 'open') {
      throw new GithubApiError(405, 'Pull Request is not mergeable');
    }
    const view = await this.pullView(record);
    if (view.headSha === ZERO_SHA || view.baseSha === ZERO_SHA) {
      throw new GithubApiError(405, 'Pull Request is not mergeable');
    }
    const expected = asString(body.sha);
    if (expected && expected !== view.headSha) {
      throw new GithubApiError(
        409,
        'Head branch was modified. Review and try the merge again.',
      );
    }
    const tree = await this.repos.mergeTrees(
      owner,
      repo,
      view.baseSha,
      view.headSha,
    );
    if (!tree) {
      throw new GithubApiError(405, 'Pull Request is not mergeable');
    }
    const method = asString(body.merge_method) ?? 'merge';
    if (!['merge', 'squash', 'rebase'].includes(method)) {
      throw new GithubApiError(422, 'Invalid merge_method');
    }
    const title =
      asString(body.commit_title) ??
      (method === 'merge'
        ? `Merge pull request #${number} from ${owner}/${record.head}`
        : `${record.title} (#${number})`);
    const message =
      asString(body.commit_message) ?? (method === 'merge' ? record.title : '');
    const identity = { ...SANDBOX_IDENTITY };
    // rebase is simulated as a single commit on top of the base, like squash.
    const sha = await this.repos.commitTree(owner, repo, {
      tree,
      parents:
        method === 'merge' ? [view.baseSha, view.headSha] : [view.baseSha],
      message: message ? `${title}\n\n${message}\n` : `${title}\n`,
      author: identity,
      committer: identity,
    });
    try {
      await this.repos.updateRef(
        owner,
        repo,
        `refs/heads/${record.base}`,
        sha,
        view.baseSha,
      );
    } catch (error) {
      if (error instanceof GitRefConflictError) {
        throw new GithubApiError(
          409,
          'Base branch was modified. Review and try the merge again.',
        );
      }
      throw error;
    }
    const now = isoSeconds(Date.now());
    Object.assign(record, {
      state: 'closed',
      merged: true,
      mergeCommitSha: sha,
      closedHeadSha: view.headSha,
      closedBaseSha: view.baseSha,
      closedAt: now,
      mergedAt: now,
      updatedAt: now,
    });
    this.pulls.save();
    await this.watcher.check(owner, repo);
    return { sha, merged: true, message: 'Pull Request successfully merged' };
  }

  async listRuns(
    owner: string,
    repo: string,
    query: Record<string, string | undefined>,
  ) {
    const meta = await this.meta(owner, repo);
    const perPage = Math.min(Math.max(Number(query.per_page) || 30, 1), 100);
    const page = Math.max(Number(query.page) || 1, 1);
    const statusFilter = query.status;
    const matching = this.ci.runs
      .list(owner, repo)
      .filter(run => !query.branch || run.headBranch === query.branch)
      .filter(run => !query.head_sha || run.headSha === query.head_sha)
      .filter(run => !query.event || run.event === query.event)
      .filter(
        run =>
          !statusFilter ||
          run.status === statusFilter ||
          run.conclusion === statusFilter,
      );
    return {
      total_count: matching.length,
      workflow_runs: matching
        .slice((page - 1) * perPage, page * perPage)
        .map(run => workflowRun(this.urls, meta, run)),
    };
  }

  async getRun(owner: string, repo: string, id: number) {
    const meta = await this.meta(owner, repo);
    const run = this.ci.runs.get(owner, repo, id);
    if (!run) throw notFound();
    return workflowRun(this.urls, meta, run);
  }

  async listJobs(owner: string, repo: string, id: number) {
    const meta = await this.meta(owner, repo);
    const run = this.ci.runs.get(owner, repo, id);
    if (!run) throw notFound();
    return { total_count: 1, jobs: [workflowJob(this.urls, meta, run)] };
  }
}
