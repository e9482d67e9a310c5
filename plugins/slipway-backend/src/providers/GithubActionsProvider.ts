import { BuildRun } from '@slipway/plugin-slipway-common';
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
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
        },
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
