import { InputError } from '@backstage/errors';
import { fetchUpstreamJson } from '../state/fetchUpstream';
import { UpstreamError } from '../state/UpstreamError';
import { ScmRepository } from './ScmCredentials';

/** What a pull (merge) request proposes. @public */
export interface PullRequestSpec {
  /** Branch holding the change. */
  branch: string;
  /** Branch the change is proposed for. */
  base: string;
  title: string;
  body: string;
}

/** HTTP settings shared with the providers. */
export interface PullRequestHttp {
  fetch?: typeof fetch;
  timeoutMs: number;
}

function headersOf(repository: ScmRepository): Record<string, string> {
  const token = repository.auth?.password;
  if (!token) return {};
  return repository.provider === 'gitlab'
    ? { 'PRIVATE-TOKEN': token }
    : { authorization: `token ${token}` };
}

async function call<T>(
  url: string,
  repository: ScmRepository,
  http: PullRequestHttp,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<T | undefined> {
  const upstream = repository.provider === 'gitlab' ? 'GitLab' : 'GitHub';
  try {
    return await fetchUpstreamJson<T>(url, {
      upstream,
      method: init.method,
      signal: AbortSignal.timeout(http.timeoutMs),
      fetch: http.fetch,
      headers: {
        ...headersOf(repository),
        ...(init.body !== undefined && {
          'content-type': 'application/json',
        }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      maxBytes: 4 * 1024 * 1024,
    });
  } catch (error) {
    if (error instanceof UpstreamError) {
      throw new UpstreamError(
        `Pull request: ${error.message}${
          error.kind === 'rate-limited' && error.retryAt
            ? ` (retry after ${new Date(error.retryAt).toISOString()})`
            : ''
        }`,
        { kind: error.kind, status: error.status, retryAt: error.retryAt },
      );
    }
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}

/**
 * Finds the open pull (merge) request of a branch, or opens one: one branch,
 * one request, also when a write is re-run. Calls go through
 * {@link fetchUpstreamJson} (time budget, size cap, rate limits classified).
 * Returns the request's web URL.
 */
export async function ensurePullRequest(
  repository: ScmRepository,
  spec: PullRequestSpec,
  http: PullRequestHttp,
): Promise<string> {
  if (repository.provider === 'github') {
    const api = repository.apiBaseUrl ?? 'https://api.github.com';
    const [owner, repo] = repository.slug.split('/');
    const base = `${api}/repos/${encodeURIComponent(
      owner,
    )}/${encodeURIComponent(repo)}/pulls`;
    const existing = await call<unknown[]>(
      `${base}?state=open&head=${encodeURIComponent(
        `${owner}:${spec.branch}`,
      )}`,
      repository,
      http,
    );
    // Filter again: a server that ignores `head` must not hand back another request.
    const same = (Array.isArray(existing) ? existing : []).filter(
      pull => isRecord(pull) && pull.head?.ref === spec.branch,
    ) as Record<string, any>[];
    if (same.length > 0 && typeof same[0].html_url === 'string') {
      return same[0].html_url;
    }
    const created = await call<Record<string, any>>(base, repository, http, {
      method: 'POST',
      body: {
        title: spec.title,
        head: spec.branch,
        base: spec.base,
        body: spec.body,
      },
    });
    if (!isRecord(created) || typeof created.html_url !== 'string') {
      throw new UpstreamError('GitHub answered a pull request without a URL', {
        kind: 'malformed',
      });
    }
    return created.html_url;
  }
  if (repository.provider === 'gitlab') {
    const api = repository.apiBaseUrl ?? 'https://gitlab.com/api/v4';
    const base = `${api}/projects/${encodeURIComponent(
      repository.slug,
    )}/merge_requests`;
    const existing = await call<unknown[]>(
      `${base}?state=opened&source_branch=${encodeURIComponent(spec.branch)}`,
      repository,
      http,
    );
    const same = (Array.isArray(existing) ? existing : []).filter(
      mr => isRecord(mr) && mr.source_branch === spec.branch,
    ) as Record<string, any>[];
    if (same.length > 0 && typeof same[0].web_url === 'string') {
      return same[0].web_url;
    }
    const created = await call<Record<string, any>>(base, repository, http, {
      method: 'POST',
      body: {
        title: spec.title,
        source_branch: spec.branch,
        target_branch: spec.base,
        description: spec.body,
      },
    });
    if (!isRecord(created) || typeof created.web_url !== 'string') {
      throw new UpstreamError('GitLab answered a merge request without a URL', {
        kind: 'malformed',
      });
    }
    return created.web_url;
  }
  throw new InputError(
    'Pull request mode needs a GitHub or GitLab integration for the repository host',
  );
}

/** Where a change's pull (merge) request stands. @public */
export interface PullRequestStatus {
  state: 'open' | 'merged' | 'closed';
  url?: string;
  /** The commit the merge made on the base branch. */
  mergeCommitSha?: string;
}

/**
 * The newest pull (merge) request of a branch, open or not; undefined when
 * the branch never had one.
 */
export async function readPullRequest(
  repository: ScmRepository,
  branch: string,
  http: PullRequestHttp,
): Promise<PullRequestStatus | undefined> {
  if (repository.provider === 'github') {
    const api = repository.apiBaseUrl ?? 'https://api.github.com';
    const [owner, repo] = repository.slug.split('/');
    const pulls = await call<unknown[]>(
      `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(
        repo,
      )}/pulls?state=all&head=${encodeURIComponent(`${owner}:${branch}`)}`,
      repository,
      http,
    );
    const pull = (Array.isArray(pulls) ? pulls : [])
      .filter(p => isRecord(p) && p.head?.ref === branch)
      .sort((a: any, b: any) => Number(b.number) - Number(a.number))[0] as
      | Record<string, any>
      | undefined;
    if (!pull) return undefined;
    if (pull.state === 'open') return { state: 'open', url: pull.html_url };
    return pull.merged_at
      ? {
          state: 'merged',
          url: pull.html_url,
          mergeCommitSha:
            typeof pull.merge_commit_sha === 'string'
              ? pull.merge_commit_sha
              : undefined,
        }
      : { state: 'closed', url: pull.html_url };
  }
  if (repository.provider === 'gitlab') {
    const api = repository.apiBaseUrl ?? 'https://gitlab.com/api/v4';
    const requests = await call<unknown[]>(
      `${api}/projects/${encodeURIComponent(
        repository.slug,
      )}/merge_requests?state=all&source_branch=${encodeURIComponent(branch)}`,
      repository,
      http,
    );
    const mr = (Array.isArray(requests) ? requests : [])
      .filter(m => isRecord(m) && m.source_branch === branch)
      .sort((a: any, b: any) => Number(b.iid) - Number(a.iid))[0] as
      | Record<string, any>
      | undefined;
    if (!mr) return undefined;
    if (mr.state === 'opened') return { state: 'open', url: mr.web_url };
    if (mr.state === 'merged') {
      return {
        state: 'merged',
        url: mr.web_url,
        mergeCommitSha:
          mr.merge_commit_sha ?? mr.squash_commit_sha ?? undefined,
      };
    }
    return { state: 'closed', url: mr.web_url };
  }
  throw new InputError(
    'Pull request mode needs a GitHub or GitLab integration for the repository host',
  );
}
