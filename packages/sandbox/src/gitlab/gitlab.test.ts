import fs from 'node:fs';
import path from 'node:path';
import {
  ADMIN,
  getJson,
  GITHUB,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
} from '../__testUtils__/sandboxHarness';
import { GitRepositories } from '../git/GitRepositories';
import { seedGitlab } from './seedGitlab';

// Integration tests: they start servers and run git on a loaded 2-core machine.
jest.setTimeout(90_000);

const TOKEN = 'sandbox-gitlab-token';
const GITLAB = { 'PRIVATE-TOKEN': TOKEN };
const PROJECT = encodeURIComponent('acme/gitops-gl');

describe('the GitLab stand-in', () => {
  let sandbox: TestSandbox;
  let work: string;
  let api: string;
  let web: string;
  let admin: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    work = makeTempDir('gitlab');
    api = sandbox.sandbox.urls.gitlabApi;
    web = sandbox.sandbox.urls.gitlab;
    admin = `${sandbox.sandbox.urls.admin}/admin/gitlab/projects/acme/gitops-gl/merge_requests`;
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  afterEach(() => sandbox.sandbox.faults.clear());

  const authed = (url: string) =>
    url.replace('http://', `http://oauth2:${TOKEN}@`);

  /** Clones acme/gitops-gl, commits a change on a new branch and pushes it. */
  async function pushBranch(branch: string, file: string): Promise<string> {
    const dir = path.join(work, branch.replace(/\//g, '-'));
    await run('git', ['clone', '--quiet', `${web}/acme/gitops-gl.git`, dir]);
    await run('git', ['checkout', '--quiet', '-b', branch], { cwd: dir });
    fs.writeFileSync(path.join(dir, file), `${branch}\n`);
    await run('git', ['add', file], { cwd: dir });
    await run('git', ['commit', '--quiet', '-m', `Change on ${branch}`], {
      cwd: dir,
    });
    await run(
      'git',
      ['push', '--quiet', authed(`${web}/acme/gitops-gl.git`), branch],
      { cwd: dir },
    );
    return (
      await run('git', ['rev-parse', 'HEAD'], { cwd: dir })
    ).stdout.trim();
  }

  async function mainHead(): Promise<string> {
    const { stdout } = await run('git', [
      'ls-remote',
      `${web}/acme/gitops-gl.git`,
      'refs/heads/main',
    ]);
    return stdout.split('\t')[0];
  }

  it('refuses the API without the GitLab token, takes it as PRIVATE-TOKEN or Bearer', async () => {
    const url = `${api}/projects/${PROJECT}/merge_requests`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: '401 Unauthorized' });
    expect(
      (await fetch(url, { headers: { 'PRIVATE-TOKEN': 'wrong' } })).status,
    ).toBe(401);
    // Another vendor's token is not a GitLab token.
    expect((await fetch(url, { headers: GITHUB })).status).toBe(401);
    expect(await getJson(url, GITLAB)).toEqual([]);
    expect(await getJson(url, { Authorization: `Bearer ${TOKEN}` })).toEqual(
      [],
    );
    const created = await sendJson(
      'POST',
      url,
      {},
      {
        title: 'x',
        source_branch: 'a',
        target_branch: 'main',
      },
    );
    expect(created.status).toBe(401);
  });

  it('serves the seeded GitOps project over git smart HTTP, pushes need the token', async () => {
    const dir = path.join(work, 'seeded');
    await run('git', ['clone', '--quiet', `${web}/acme/gitops-gl.git`, dir]);
    const overlay = fs.readFileSync(
      path.join(dir, 'apps/payments-api/overlays/prod/kustomization.yaml'),
      'utf8',
    );
    expect(overlay).toContain('namespace: payments-api-prod');
    expect(overlay).toMatch(/digest: sha256:[0-9a-f]{64}/);
    expect(
      fs.existsSync(
        path.join(dir, 'apps/payments-api/base/kustomization.yaml'),
      ),
    ).toBe(true);
    await run('git', ['checkout', '--quiet', '-b', 'anonymous'], { cwd: dir });
    await expect(
      run('git', ['push', '--quiet', 'origin', 'anonymous'], { cwd: dir }),
    ).rejects.toThrow();
    // The GitHub side does not serve the GitLab project, nor the other way round.
    const github = await fetch(
      `${sandbox.sandbox.urls.githubApi}/repos/acme/gitops-gl`,
      { headers: GITHUB },
    );
    expect(github.status).toBe(404);
    await expect(
      run('git', ['ls-remote', `${web}/acme/gitops.git`]),
    ).rejects.toThrow();
    expect(
      (
        await fetch(
          `${api}/projects/${encodeURIComponent('acme/gitops')}/merge_requests`,
          {
            headers: GITLAB,
          },
        )
      ).status,
    ).toBe(404);
  });

  it('opens, lists, merges (a real merge commit) and closes merge requests', async () => {
    const head = await pushBranch('slipway/promote-1', 'PROMOTE-1.md');
    const base = await mainHead();
    const url = `${api}/projects/${PROJECT}/merge_requests`;
    const created = await sendJson('POST', url, GITLAB, {
      title: 'Promote payments-api to prod',
      source_branch: 'slipway/promote-1',
      target_branch: 'main',
      description: 'Promotion 1',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      iid: 1,
      project_id: 1,
      state: 'opened',
      source_branch: 'slipway/promote-1',
      target_branch: 'main',
      description: 'Promotion 1',
      sha: head,
      merge_commit_sha: null,
      detailed_merge_status: 'mergeable',
      web_url: `${web}/acme/gitops-gl/-/merge_requests/1`,
      diff_refs: { base_sha: base, head_sha: head, start_sha: base },
    });

    // One open merge request per source branch, as on GitLab.
    const again = await sendJson('POST', url, GITLAB, {
      title: 'Again',
      source_branch: 'slipway/promote-1',
      target_branch: 'main',
    });
    expect(again.status).toBe(409);
    expect(again.body.message[0]).toContain('!1');
    const missing = await sendJson('POST', url, GITLAB, {
      source_branch: 'slipway/promote-1',
    });
    expect(missing).toEqual({
      status: 400,
      body: { error: 'title is missing, target_branch is missing' },
    });
    const noBranch = await sendJson('POST', url, GITLAB, {
      title: 'x',
      source_branch: 'does-not-exist',
      target_branch: 'main',
    });
    expect(noBranch.status).toBe(422);

    const opened = await fetch(
      `${url}?state=opened&source_branch=${encodeURIComponent(
        'slipway/promote-1',
      )}`,
      { headers: GITLAB },
    );
    expect(opened.headers.get('x-total')).toBe('1');
    expect((await opened.json()).map((mr: any) => mr.iid)).toEqual([1]);
    expect(
      await getJson(`${url}?state=opened&source_branch=other`, GITLAB),
    ).toEqual([]);

    const merged = await sendJson('POST', `${admin}/1/merge`, ADMIN, {});
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      iid: 1,
      state: 'merged',
      sha: head,
      detailed_merge_status: 'not_open',
    });
    const mergeSha = merged.body.merge_commit_sha;
    expect(mergeSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await mainHead()).toBe(mergeSha);
    const dir = path.join(work, 'after-merge');
    await run('git', ['clone', '--quiet', `${web}/acme/gitops-gl.git`, dir]);
    const parents = (
      await run('git', ['rev-list', '--parents', '-n', '1', 'HEAD'], {
        cwd: dir,
      })
    ).stdout
      .trim()
      .split(' ');
    expect(parents).toEqual([mergeSha, base, head]);
    expect(fs.existsSync(path.join(dir, 'PROMOTE-1.md'))).toBe(true);

    const all = await getJson(
      `${url}?state=all&source_branch=${encodeURIComponent(
        'slipway/promote-1',
      )}`,
      GITLAB,
    );
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      state: 'merged',
      merge_commit_sha: mergeSha,
    });
    expect(
      await getJson(
        `${url}?state=opened&source_branch=${encodeURIComponent(
          'slipway/promote-1',
        )}`,
        GITLAB,
      ),
    ).toEqual([]);
    // Merging twice is refused.
    expect((await sendJson('POST', `${admin}/1/merge`, ADMIN, {})).status).toBe(
      405,
    );

    await pushBranch('slipway/promote-2', 'PROMOTE-2.md');
    const second = await sendJson('POST', url, GITLAB, {
      title: 'Promote again',
      source_branch: 'slipway/promote-2',
      target_branch: 'main',
    });
    expect(second.body.iid).toBe(2);
    const closed = await sendJson('POST', `${admin}/2/close`, ADMIN, {});
    expect(closed.body).toMatchObject({
      iid: 2,
      state: 'closed',
      merge_commit_sha: null,
    });
    expect(closed.body.closed_at).toEqual(expect.any(String));
    expect(await mainHead()).toBe(mergeSha);
    // The admin API needs the admin token.
    expect(
      (await sendJson('POST', `${admin}/2/close`, GITLAB, {})).status,
    ).toBe(401);
    expect(
      (await sendJson('POST', `${admin}/99/merge`, ADMIN, {})).status,
    ).toBe(404);
  });

  it('injects faults for vendor gitlab only', async () => {
    const url = `${api}/projects/${PROJECT}/merge_requests`;
    const set = await sendJson(
      'PUT',
      `${sandbox.sandbox.urls.admin}/admin/faults`,
      ADMIN,
      [{ vendor: 'gitlab', mode: 'error', status: 503, times: 1 }],
    );
    expect(set.status).toBe(200);
    // The GitHub stand-in is not affected.
    expect(
      (
        await fetch(`${sandbox.sandbox.urls.githubApi}/repos/acme/gitops`, {
          headers: GITHUB,
        })
      ).status,
    ).toBe(200);
    expect((await fetch(url, { headers: GITLAB })).status).toBe(503);
    expect((await fetch(url, { headers: GITLAB })).status).toBe(200);

    sandbox.sandbox.faults.setRules([
      {
        vendor: 'gitlab',
        mode: 'rate-limit',
        status: 429,
        retryAfterSeconds: 7,
        times: 1,
      },
    ]);
    const limited = await fetch(url, { headers: GITLAB });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');

    // Git requests on the GitLab host are vendor `git`, as on the GitHub host.
    sandbox.sandbox.faults.setRules([
      {
        vendor: 'git',
        pathPrefix: '/acme/gitops-gl.git',
        mode: 'error',
        status: 503,
        times: 1,
      },
    ]);
    await expect(
      run('git', ['ls-remote', `${web}/acme/gitops-gl.git`]),
    ).rejects.toThrow();
    await expect(
      run('git', ['ls-remote', `${web}/acme/gitops-gl.git`]),
    ).resolves.toBeDefined();
  });
});

describe('seedGitlab', () => {
  it('writes the same commit every time', async () => {
    const heads: string[] = [];
    for (const name of ['a', 'b']) {
      const dir = makeTempDir(`gitlab-seed-${name}`);
      try {
        const repos = GitRepositories.create({ dataDir: dir });
        await seedGitlab(repos, {
          owner: 'acme',
          registryHost: '127.0.0.1:7103',
          serviceShas: ['1'.repeat(40), '2'.repeat(40), '3'.repeat(40)],
        });
        heads.push((await repos.resolveCommit('acme', 'gitops-gl', 'main'))!);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(heads[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(heads[1]).toBe(heads[0]);
  });
});
