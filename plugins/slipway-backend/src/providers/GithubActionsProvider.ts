import { BuildRun, CommitStatus } from '@slipway/plugin-slipway-common';
import {
  CiProvider,
  fetchUpstreamJson,
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';

const CONCLUSIONS = [
  'success',
  'failure',
  'cancelled',
  'skipped',
  'timed_out',
  'neutral',
  'action_required',
  'stale',
] as const;

function seconds(from?: string, to?: string): number | undefined {
  if (!from || !to) return undefined;
  const value = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

/** Maps a GitHub workflow run to a BuildRun. */
function toBuildRun(run: any): BuildRun {
  if (!run || typeof run !== 'object' || typeof run.head_sha !== 'string') {
    throw new UpstreamError('GitHub answered an unexpected workflow run', {
      kind: 'malformed',
    });
  }
  let status: BuildRun['status'] = 'queued';
  if (run.status === 'completed' || run.status === 'in_progress')
    status = run.status;
  const startedAt =
    typeof run.run_started_at === 'string'
      ? run.run_started_at
      : run.created_at;
  const completedAt =
    status === 'completed' && typeof run.updated_at === 'string'
      ? run.updated_at
      : undefined;
  return {
    id: String(run.id),
    name: typeof run.name === 'string' ? run.name : undefined,
    number: Number.isInteger(run.run_number) ? run.run_number : undefined,
    status,
    conclusion: CONCLUSIONS.includes(run.conclusion)
      ? run.conclusion
      : undefined,
    commit: run.head_sha,
    branch: typeof run.head_branch === 'string' ? run.head_branch : undefined,
    startedAt,
    completedAt,
    durationSeconds: seconds(startedAt, completedAt),
    url: typeof run.html_url === 'string' ? run.html_url : undefined,
  };
}

const STATUS_STATES: CommitStatus['state'][] = [
  'pending',
  'success',
  'failure',
  'error',
];
/** Statuses read per page, and the most pages read for one commit. */
const STATUS_PAGE_SIZE = 100;
const MAX_STATUS_PAGES = 10;

/** Maps a GitHub commit status to a CommitStatus. */
function toCommitStatus(status: any): CommitStatus {
  if (
    !status ||
    typeof status !== 'object' ||
    typeof status.context !== 'string' ||
    !STATUS_STATES.includes(status.state)
  ) {
    throw new UpstreamError('GitHub answered an unexpected commit status', {
      kind: 'malformed',
    });
  }
  return {
    context: status.context,
    state: status.state,
    description:
      typeof status.description === 'string' ? status.description : undefined,
    targetUrl:
      typeof status.target_url === 'string' ? status.target_url : undefined,
    updatedAt:
      typeof status.updated_at === 'string' ? status.updated_at : undefined,
  };
}

/** GitHub Actions workflow runs (github.com or GitHub Enterprise). */
export class GithubActionsProvider implements CiProvider {
  readonly kind = 'ci' as const;
  readonly id: string;

  static create(options: {
    host: string;
    apiBaseUrl: string;
    token?: string;
    fetch?: typeof fetch;
  }) {
    return new GithubActionsProvider(
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
    this.id =
      host === 'github.com' ? 'github-actions' : `github-actions:${host}`;
  }

  supports(ci: { provider: string }): boolean {
    return ci.provider === 'github';
  }

  private headers(): Record<string, string> {
    return {
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    };
  }

  /**
   * `GET /repos/{owner}/{repo}/commits/{ref}/statuses`, page by page (GitHub
   * lists them newest first), up to {@link MAX_STATUS_PAGES} pages.
   */
  async listCommitStatuses(
    request: { projectSlug: string; commit: string },
    context: ProviderCallContext,
  ): Promise<CommitStatus[]> {
    const slug = request.projectSlug
      .split('/')
      .map(encodeURIComponent)
      .join('/');
    const statuses: CommitStatus[] = [];
    for (let page = 1; page <= MAX_STATUS_PAGES; page++) {
      const params = new URLSearchParams({
        per_page: String(STATUS_PAGE_SIZE),
        page: String(page),
      });
      const body = await fetchUpstreamJson<unknown>(
        `${this.apiBaseUrl}/repos/${slug}/commits/${encodeURIComponent(
          request.commit,
        )}/statuses?${params}`,
        {
          upstream: 'GitHub',
          signal: context.signal,
          headers: this.headers(),
          fetch: this.fetchImpl,
        },
      );
      if (!Array.isArray(body)) {
        throw new UpstreamError('GitHub answered an unexpected status list', {
          kind: 'malformed',
        });
      }
      statuses.push(...body.map(toCommitStatus));
      if (body.length < STATUS_PAGE_SIZE) break;
    }
    return statuses;
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
    if (request.commit) params.set('head_sha', request.commit);
    if (request.branch) params.set('branch', request.branch);
    const slug = request.projectSlug
      .split('/')
      .map(encodeURIComponent)
      .join('/');
    const body = await fetchUpstreamJson<any>(
      `${this.apiBaseUrl}/repos/${slug}/actions/runs?${params}`,
      {
        upstream: 'GitHub',
        signal: context.signal,
        headers: this.headers(),
        fetch: this.fetchImpl,
      },
    );
    if (!body || !Array.isArray(body.workflow_runs)) {
      throw new UpstreamError('GitHub answered an unexpected run list', {
        kind: 'malformed',
      });
    }
    return body.workflow_runs.map(toBuildRun);
  }
}
