import { SANDBOX_IDENTITY } from '../defaults';
import {
  GitRefConflictError,
  GitRepositories,
  isValidRepoName,
} from '../git/GitRepositories';
import {
  GitlabUrls,
  mergeRequest,
  mergeRequestBasic,
  MergeRequestView,
} from './gitlabObjects';
import { MergeRequestRecord, MergeRequests } from './MergeRequests';

/**
 * An error answered the way GitLab's API does: `{ "message": … }` (a string,
 * or a list of validation messages) or, for a missing parameter, `{ "error": … }`.
 */
export class GitlabApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { message: string | string[] } | { error: string },
  ) {
    super(
      'message' in body
        ? ([] as string[]).concat(body.message).join('; ')
        : body.error,
    );
    this.name = 'GitlabApiError';
  }
}

const projectNotFound = () =>
  new GitlabApiError(404, { message: '404 Project Not Found' });
const mergeRequestNotFound = () =>
  new GitlabApiError(404, { message: '404 Not found' });

const STATES = ['opened', 'closed', 'locked', 'merged', 'all'];
const BRANCH = /^[A-Za-z0-9._\-/]{1,200}$/;

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** GitLab's dates: ISO 8601 with milliseconds, UTC. */
function now(): string {
  return new Date().toISOString();
}

function validBranch(name: string): boolean {
  return (
    BRANCH.test(name) &&
    !name.includes('..') &&
    !name.startsWith('/') &&
    !name.endsWith('/') &&
    !name.endsWith('.lock') &&
    !name.includes('//')
  );
}

/**
 * The logic behind the GitLab merge request API subset; the router only maps
 * HTTP to it. Projects are the bare repositories of the GitLab side
 * (`<group>/<project>`); a project's numeric id is its place in the sorted
 * list of them, from 1.
 */
export class GitlabService {
  private constructor(
    private readonly repos: GitRepositories,
    private readonly mergeRequests: MergeRequests,
    private readonly urls: GitlabUrls,
    private readonly onChanged: (
      group: string,
      project: string,
    ) => Promise<void>,
  ) {}

  static create(options: {
    repos: GitRepositories;
    mergeRequests: MergeRequests;
    urls: GitlabUrls;
    /** Called after a merge moved a branch. */
    onChanged?: (group: string, project: string) => Promise<void>;
  }): GitlabService {
    return new GitlabService(
      options.repos,
      options.mergeRequests,
      options.urls,
      options.onChanged ?? (async () => {}),
    );
  }

  /** Resolves `:id` (numeric id or `group/project` path) to the project. */
  private project(id: string): {
    group: string;
    name: string;
    path: string;
    projectId: number;
  } {
    const projects = this.repos.list();
    const index = /^\d+$/.test(id)
      ? Number(id) - 1
      : projects.findIndex(p => `${p.owner}/${p.repo}` === id);
    const found = index >= 0 ? projects[index] : undefined;
    if (
      !found ||
      !isValidRepoName(found.owner) ||
      !isValidRepoName(found.repo)
    ) {
      throw projectNotFound();
    }
    return {
      group: found.owner,
      name: found.repo,
      path: `${found.owner}/${found.repo}`,
      projectId: index + 1,
    };
  }

  private async view(record: MergeRequestRecord): Promise<MergeRequestView> {
    const { projectId, group, name } = this.project(record.project);
    const sha =
      record.closedHeadSha ??
      (await this.repos.resolveCommit(
        group,
        name,
        `refs/heads/${record.sourceBranch}`,
      ));
    const startSha =
      record.closedBaseSha ??
      (await this.repos.resolveCommit(
        group,
        name,
        `refs/heads/${record.targetBranch}`,
      ));
    let baseSha: string | undefined;
    let mergeable = false;
    let changesCount = 0;
    if (sha && startSha) {
      const base = await this.repos.git(
        group,
        name,
        ['merge-base', startSha, sha],
        { allowedExitCodes: [1, 128] },
      );
      baseSha = base.stdout.toString('utf8').trim() || undefined;
      if (record.state === 'opened') {
        mergeable =
          (await this.repos.mergeTrees(group, name, startSha, sha)) !==
          undefined;
      }
      const diff = await this.repos.git(
        group,
        name,
        ['diff', '--name-only', `${startSha}...${sha}`],
        { allowedExitCodes: [128] },
      );
      changesCount = diff.stdout
        .toString('utf8')
        .split('\n')
        .filter(Boolean).length;
    }
    return {
      id: record.id,
      iid: record.iid,
      projectId,
      project: record.project,
      title: record.title,
      description: record.description,
      state: record.state,
      sourceBranch: record.sourceBranch,
      targetBranch: record.targetBranch,
      sha,
      baseSha,
      startSha,
      mergeable,
      changesCount,
      mergeCommitSha: record.mergeCommitSha,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      mergedAt: record.mergedAt,
      closedAt: record.closedAt,
    };
  }

  /** `GET /projects/:id/merge_requests` with `state`, `source_branch`, `target_branch`, paging. */
  async listMergeRequests(
    id: string,
    query: Record<string, string | undefined>,
  ): Promise<{
    items: unknown[];
    page: number;
    perPage: number;
    total: number;
  }> {
    const project = this.project(id);
    const state = query.state ?? 'all';
    if (!STATES.includes(state)) {
      throw new GitlabApiError(400, {
        error: 'state does not have a valid value',
      });
    }
    const perPage = Math.min(Math.max(Number(query.per_page) || 20, 1), 100);
    const page = Math.max(Number(query.page) || 1, 1);
    const matching = this.mergeRequests
      .list(project.path)
      .filter(r => state === 'all' || r.state === state)
      .filter(
        r => !query.source_branch || r.sourceBranch === query.source_branch,
      )
      .filter(
        r => !query.target_branch || r.targetBranch === query.target_branch,
      );
    const items = [];
    for (const record of matching.slice((page - 1) * perPage, page * perPage)) {
      items.push(mergeRequestBasic(this.urls, await this.view(record)));
    }
    return { items, page, perPage, total: matching.length };
  }

  /** `POST /projects/:id/merge_requests`. */
  async createMergeRequest(id: string, body: Record<string, unknown>) {
    const project = this.project(id);
    const title = asString(body.title);
    const sourceBranch = asString(body.source_branch);
    const targetBranch = asString(body.target_branch);
    const missing = (
      [
        ['title', title],
        ['source_branch', sourceBranch],
        ['target_branch', targetBranch],
      ] as const
    )
      .filter(([, value]) => !value)
      .map(([name]) => `${name} is missing`);
    if (missing.length > 0 || !title || !sourceBranch || !targetBranch) {
      throw new GitlabApiError(400, { error: missing.join(', ') });
    }
    if (
      body.description !== undefined &&
      typeof body.description !== 'string'
    ) {
      throw new GitlabApiError(400, { error: 'description is invalid' });
    }
    if (sourceBranch === targetBranch) {
      throw new GitlabApiError(422, {
        message: ["You can't use same project/branch for source and target"],
      });
    }
    const problems: string[] = [];
    for (const [label, branch] of [
      ['Source', sourceBranch],
      ['Target', targetBranch],
    ] as const) {
      if (
        !validBranch(branch) ||
        !(await this.repos.resolveCommit(
          project.group,
          project.name,
          `refs/heads/${branch}`,
        ))
      ) {
        problems.push(`${label} branch "${branch}" does not exist`);
      }
    }
    if (problems.length > 0) {
      throw new GitlabApiError(422, { message: problems });
    }
    const existing = this.mergeRequests
      .list(project.path)
      .find(
        r =>
          r.state === 'opened' &&
          r.sourceBranch === sourceBranch &&
          r.targetBranch === targetBranch,
      );
    if (existing) {
      throw new GitlabApiError(409, {
        message: [
          `Another open merge request already exists for this source branch: !${existing.iid}`,
        ],
      });
    }
    const created = now();
    const record = this.mergeRequests.add({
      project: project.path,
      title,
      description: asString(body.description),
      sourceBranch,
      targetBranch,
      state: 'opened',
      mergeCommitSha: undefined,
      closedHeadSha: undefined,
      closedBaseSha: undefined,
      createdAt: created,
      updatedAt: created,
      mergedAt: undefined,
      closedAt: undefined,
    });
    return mergeRequest(this.urls, await this.view(record));
  }

  /**
   * Merges an open merge request: a real merge commit of the source head
   * into the target branch (GitLab's default "merge commit" method).
   * `sha`, when given, must be the source head.
   */
  async mergeMergeRequest(
    id: string,
    iid: number,
    body: Record<string, unknown> = {},
  ) {
    const project = this.project(id);
    const record = this.mergeRequests.get(project.path, iid);
    if (!record) throw mergeRequestNotFound();
    if (record.state !== 'opened') {
      throw new GitlabApiError(405, { message: '405 Method Not Allowed' });
    }
    const view = await this.view(record);
    if (!view.sha || !view.startSha) {
      throw new GitlabApiError(422, {
        message: 'Branch cannot be merged: a branch is missing',
      });
    }
    const expected = asString(body.sha);
    if (expected && expected !== view.sha) {
      throw new GitlabApiError(409, {
        message: 'SHA does not match HEAD of source branch',
      });
    }
    const tree = await this.repos.mergeTrees(
      project.group,
      project.name,
      view.startSha,
      view.sha,
    );
    if (!tree) {
      throw new GitlabApiError(422, { message: 'Branch cannot be merged' });
    }
    const message =
      `Merge branch '${record.sourceBranch}' into '${record.targetBranch}'\n\n` +
      `${record.title}\n\nSee merge request ${project.path}!${record.iid}\n`;
    const sha = await this.repos.commitTree(project.group, project.name, {
      tree,
      parents: [view.startSha, view.sha],
      message,
      author: SANDBOX_IDENTITY,
      committer: SANDBOX_IDENTITY,
    });
    try {
      await this.repos.updateRef(
        project.group,
        project.name,
        `refs/heads/${record.targetBranch}`,
        sha,
        view.startSha,
      );
    } catch (error) {
      if (error instanceof GitRefConflictError) {
        throw new GitlabApiError(409, {
          message: 'The target branch moved; try the merge again',
        });
      }
      throw error;
    }
    const at = now();
    Object.assign(record, {
      state: 'merged',
      mergeCommitSha: sha,
      closedHeadSha: view.sha,
      closedBaseSha: view.startSha,
      mergedAt: at,
      updatedAt: at,
    });
    this.mergeRequests.save();
    await this.onChanged(project.group, project.name);
    return mergeRequest(this.urls, await this.view(record));
  }

  /** Closes an open merge request without merging (`state_event=close`). */
  async closeMergeRequest(id: string, iid: number) {
    const project = this.project(id);
    const record = this.mergeRequests.get(project.path, iid);
    if (!record) throw mergeRequestNotFound();
    if (record.state === 'opened') {
      const view = await this.view(record);
      const at = now();
      Object.assign(record, {
        state: 'closed',
        closedHeadSha: view.sha,
        closedBaseSha: view.startSha,
        closedAt: at,
        updatedAt: at,
      });
      this.mergeRequests.save();
    }
    return mergeRequest(this.urls, await this.view(record));
  }
}
