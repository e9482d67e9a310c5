import { ensurePullRequest } from './pullRequests';
import { ScmRepository } from './ScmCredentials';

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

const gitlab: ScmRepository = {
  url: 'https://gitlab.example.com/acme/platform/gitops.git',
  provider: 'gitlab',
  apiBaseUrl: 'https://gitlab.example.com/api/v4',
  slug: 'acme/platform/gitops',
  auth: { username: 'oauth2', password: 'gl-token' },
};
const github: ScmRepository = {
  url: 'https://github.com/acme/gitops.git',
  provider: 'github',
  slug: 'acme/gitops',
  auth: { username: 'x-access-token', password: 'gh-token' },
};
const spec = {
  branch: 'slipway/promote-1',
  base: 'main',
  title: 'Promote',
  body: 'Slipway-Promotion: 1',
};

describe('THREATS 21: one branch, one pull request', () => {
  it('opens a GitLab merge request once and finds it again', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const existing: unknown[] = [];
    const fetch = jest.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      if (init.method === 'POST') {
        const created = {
          source_branch: JSON.parse(String(init.body)).source_branch,
          web_url:
            'https://gitlab.example.com/acme/platform/gitops/-/merge_requests/7',
        };
        existing.push(created);
        return json(201, created);
      }
      return json(200, [{ source_branch: 'other', web_url: 'x' }, ...existing]);
    }) as unknown as typeof globalThis.fetch;
    const http = { fetch, timeoutMs: 5000 };
    const first = await ensurePullRequest(gitlab, spec, http);
    const second = await ensurePullRequest(gitlab, spec, http);
    expect(first).toBe(second);
    expect(calls.filter(c => c.init.method === 'POST')).toHaveLength(1);
    expect(calls[0].url).toBe(
      'https://gitlab.example.com/api/v4/projects/acme%2Fplatform%2Fgitops/merge_requests?state=opened&source_branch=slipway%2Fpromote-1',
    );
    expect(calls[0].init.headers).toMatchObject({
      'PRIVATE-TOKEN': 'gl-token',
    });
    expect(JSON.parse(String(calls[1].init.body))).toEqual({
      title: 'Promote',
      source_branch: 'slipway/promote-1',
      target_branch: 'main',
      description: 'Slipway-Promotion: 1',
    });
  });

  it('ignores pull requests of other branches that a server hands back', async () => {
    const fetch = jest.fn(async (_url: string, init: RequestInit) =>
      init.method === 'POST'
        ? json(201, { html_url: 'https://github.com/acme/gitops/pull/2' })
        : json(200, [{ head: { ref: 'other' }, html_url: 'wrong' }]),
    ) as unknown as typeof globalThis.fetch;
    await expect(
      ensurePullRequest(github, spec, { fetch, timeoutMs: 5000 }),
    ).resolves.toBe('https://github.com/acme/gitops/pull/2');
    expect((fetch as jest.Mock).mock.calls[0][0]).toBe(
      'https://api.github.com/repos/acme/gitops/pulls?state=open&head=acme%3Aslipway%2Fpromote-1',
    );
    expect((fetch as jest.Mock).mock.calls[0][1].headers).toMatchObject({
      authorization: 'token gh-token',
    });
  });

  it("goes through the providers' upstream handling: rate limits, errors, size", async () => {
    const limited = jest.fn(async () =>
      json(403, { message: 'rate limit' }, { 'x-ratelimit-remaining': '0' }),
    ) as unknown as typeof globalThis.fetch;
    await expect(
      ensurePullRequest(github, spec, { fetch: limited, timeoutMs: 5000 }),
    ).rejects.toMatchObject({ kind: 'rate-limited', status: 403 });

    const failing = jest.fn(async () =>
      json(500, {}),
    ) as unknown as typeof globalThis.fetch;
    const error = await ensurePullRequest(gitlab, spec, {
      fetch: failing,
      timeoutMs: 5000,
    }).catch(e => e);
    expect(error.message).toBe('Pull request: GitLab answered HTTP 500');
    expect(error.message).not.toContain('gl-token');

    const noUrl = jest.fn(async (_u: string, init: RequestInit) =>
      init.method === 'POST' ? json(201, {}) : json(200, []),
    ) as unknown as typeof globalThis.fetch;
    await expect(
      ensurePullRequest(github, spec, { fetch: noUrl, timeoutMs: 5000 }),
    ).rejects.toMatchObject({ kind: 'malformed' });
    await expect(
      ensurePullRequest(gitlab, spec, { fetch: noUrl, timeoutMs: 5000 }),
    ).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('refuses hosts without a GitHub or GitLab integration', async () => {
    await expect(
      ensurePullRequest({ ...github, provider: 'generic' }, spec, {
        timeoutMs: 5000,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });
});
