import { BuildRun, CommitStatus } from '@slipway/plugin-slipway-common';
import {
  CiProvider,
  fetchUpstreamJson,
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';

const QUEUED = new Set([
  'created',
  'waiting_for_resource',
  'preparing',
  'pending',
  'scheduled',
]);
const CONCLUSION: Record<string, BuildRun['conclusion']> = {
  success: 'success',
  failed: 'failure',
  canceled: 'cancelled',
  skipped: 'skipped',
  manual: 'action_required',
};

/** Maps a GitLab pipeline to a BuildRun. */
function toGitlabBuildRun(pipeline: any): BuildRun {
  if (
    !pipeline ||
    typeof pipeline !== 'object' ||
    typeof pipeline.sha !== 'string'
  ) {
    throw new UpstreamError('GitLab answered an unexpected pipeline', {
      kind: 'malformed',
    });
  }
  let status: BuildRun['status'] = 'completed';
  if (QUEUED.has(pipeline.status)) status = 'queued';
  if (pipeline.status === 'running') status = 'in_progress';
  return {
    id: String(pipeline.id),
    number: Number.isInteger(pipeline.iid) ? pipeline.iid : undefined,
    status,
    conclusion:
      status === 'completed' ? CONCLUSION[pipeline.status] : undefined,
    commit: pipeline.sha,
    branch: typeof pipeline.ref === 'string' ? pipeline.ref : undefined,
    startedAt:
      typeof pipeline.created_at === 'string' ? pipeline.created_at : undefined,
    completedAt:
      status === 'completed' && typeof pipeline.updated_at === 'string'
        ? pipeline.updated_at
        : undefined,
    url: typeof pipeline.web_url === 'string' ? pipeline.web_url : undefined,
  };
}

/** GitLab commit status states (`CommitStatus#status`) as Slipway's four. */
const STATUS_STATE: Record<string, CommitStatus['state']> = {
  created: 'pending',
  waiting_for_resource: 'pending',
  preparing: 'pending',
  pending: 'pending',
  running: 'pending',
  scheduled: 'pending',
  success: 'success',
  failed: 'failure',
  canceled: 'error',
  skipped: 'error',
  manual: 'error',
};

/** Maps a GitLab commit status to a CommitStatus. */
function toGitlabCommitStatus(status: any): CommitStatus {
  const state =
    status && typeof status === 'object' && typeof status.status === 'string'
      ? STATUS_STATE[status.status]
      : undefined;
  if (!state || typeof status.name !== 'string') {
    throw new UpstreamError('GitLab answered an unexpected commit status', {
      kind: 'malformed',
    });
  }
  return {
    context: status.name,
    state,
    description:
      typeof status.description === 'string' ? status.description : undefined,
    targetUrl:
      typeof status.target_url === 'string' ? status.target_url : undefined,
    updatedAt: [status.finished_at, status.created_at].find(
      (value): value is string => typeof value === 'string',
    ),
  };
}

/** GitLab CI pipelines. */
export class GitlabCiProvider implements CiProvider {
  readonly kind = 'ci' as const;
  readonly id: string;

  static create(options: {
    host: string;
    apiBaseUrl: string;
    token?: string;
    fetch?: typeof fetch;
  }) {
    return new GitlabCiProvider(
      options.host,
      options.apiBaseUrl.replace(/\/+$/, ''),
      options.token,
      options.fetch,
    );
  }

  private constructor(
    readonly host: string,
    private readonly apiBaseUrl: string,
    private readonly token: string | undefined,
    private readonly fetchImpl?: typeof fetch,
  ) {
    this.id = host === 'gitlab.com' ? 'gitlab-ci' : `gitlab-ci:${host}`;
  }

  supports(ci: { provider: string }): boolean {
    return ci.provider === 'gitlab';
  }

  /**
   * `GET /projects/:id/repository/commits/:sha/statuses`: the latest status
   * of each name (GitLab's default without `all`), newest first.
   */
  async listCommitStatuses(
    request: { projectSlug: string; commit: string },
    context: ProviderCallContext,
  ): Promise<CommitStatus[]> {
    const params = new URLSearchParams({
      per_page: '100',
      order_by: 'id',
      sort: 'desc',
    });
    const body = await fetchUpstreamJson<unknown>(
      `${this.apiBaseUrl}/projects/${encodeURIComponent(
        request.projectSlug,
      )}/repository/commits/${encodeURIComponent(
        request.commit,
      )}/statuses?${params}`,
      {
        upstream: 'GitLab',
        signal: context.signal,
        headers: this.token ? { 'private-token': this.token } : {},
        fetch: this.fetchImpl,
      },
    );
    if (!Array.isArray(body)) {
      throw new UpstreamError('GitLab answered an unexpected status list', {
        kind: 'malformed',
      });
    }
    return body.map(toGitlabCommitStatus);
  }

  async listRuns(
    request: {
      projectSlug: string;
      commit?: string;
      branch?: string;
      limit: number;
    },
    context: ProviderCallContext,
  ): Promise<BuildRun[]> {
    const params = new URLSearchParams({
      per_page: String(Math.min(Math.max(request.limit, 1), 100)),
    });
    if (request.commit) params.set('sha', request.commit);
    if (request.branch) params.set('ref', request.branch);
    const body = await fetchUpstreamJson<unknown>(
      `${this.apiBaseUrl}/projects/${encodeURIComponent(
        request.projectSlug,
      )}/pipelines?${params}`,
      {
        upstream: 'GitLab',
        signal: context.signal,
        headers: this.token ? { 'private-token': this.token } : {},
        fetch: this.fetchImpl,
      },
    );
    if (!Array.isArray(body)) {
      throw new UpstreamError('GitLab answered an unexpected pipeline list', {
        kind: 'malformed',
      });
    }
    return body.map(toGitlabBuildRun);
  }
}
