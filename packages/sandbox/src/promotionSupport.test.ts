import fs from 'node:fs';
import path from 'node:path';
import { githubValidator } from '@slipway/vendor-schemas';
import {
  ADMIN,
  ARGOCD,
  ARGOCD_WRITE,
  getJson,
  GITHUB,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
  waitFor,
} from './__testUtils__/sandboxHarness';

// Integration tests: they start servers and real git clients on a loaded
// 2-core machine.
jest.setTimeout(120_000);

/** Runs git and returns its exit status and output instead of throwing. */
async function git(
  args: string[],
  cwd?: string,
): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('git', args, { cwd });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return {
      ok: false,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    };
  }
}

describe('promotion support: protected branches, push faults, pull requests, Argo CD write token', () => {
  let sandbox: TestSandbox;
  let work: string;
  let repoUrl: string;
  let pushUrl: string;
  let api: string;
  let admin: string;
  let clones = 0;

  beforeAll(async () => {
    sandbox = await startTestSandbox({
      timings: { syncOperationMs: 2_000 },
    });
    work = makeTempDir('promotion');
    repoUrl = `${sandbox.sandbox.urls.git}/acme/gitops.git`;
    pushUrl = repoUrl.replace(
      'http://',
      'http://x-access-token:sandbox-github-token@',
    );
    api = `${sandbox.sandbox.urls.githubApi}/repos/acme/gitops`;
    admin = `${sandbox.sandbox.urls.admin}/admin`;
  }, 120_000);

  afterAll(async () => {
    await sandbox.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    await sendJson('DELETE', `${admin}/faults`, ADMIN);
  });

  /** A fresh clone of acme/gitops with `origin` able to push. */
  async function freshClone(): Promise<string> {
    clones += 1;
    const dir = path.join(work, `gitops-${clones}`);
    await run('git', ['clone', '--quiet', pushUrl, dir]);
    return dir;
  }

  async function commitFile(dir: string, file: string, content: string) {
    fs.writeFileSync(path.join(dir, file), content);
    await run('git', ['add', file], { cwd: dir });
    await run('git', ['commit', '--quiet', '-m', `Edit ${file}`], {
      cwd: dir,
    });
    return (
      await run('git', ['rev-parse', 'HEAD'], { cwd: dir })
    ).stdout.trim();
  }

  const remoteHead = async (branch = 'main') =>
    (await getJson(`${api}/git/ref/heads/${branch}`, GITHUB)).object.sha;

  const setProtection = (branch: string, enabled: boolean) =>
    sendJson(
      'PUT',
      `${admin}/repos/acme/gitops/branches/${branch}/protection`,
      ADMIN,
      { protected: enabled },
    );

  describe('protected branches (THREAT 20: protected branch is terminal, PR mode works)', () => {
    afterEach(async () => {
      await setProtection('main', false);
    });

    it('main is not protected by default: GitHub answers 404 Branch not protected', async () => {
      const response = await sendJson(
        'GET',
        `${api}/branches/main/protection`,
        GITHUB,
      );
      expect(response.status).toBe(404);
      expect(response.body.message).toBe('Branch not protected');
      const missing = await sendJson(
        'GET',
        `${api}/branches/no-such-branch/protection`,
        GITHUB,
      );
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe('Branch not found');
    });

    it('refuses a direct push with GH006 as a normal push rejection; a PR merge still lands', async () => {
      const dir = await freshClone();
      const before = await remoteHead();

      const protect = await sendJson(
        'PUT',
        `${admin}/repos/acme/gitops/branches/main/protection`,
        ADMIN,
        { protected: true },
      );
      expect(protect.status).toBe(200);
      expect(protect.body.protectedBranches).toEqual(['main']);
      expect(
        (
          await sendJson(
            'PUT',
            `${admin}/repos/acme/gitops/branches/main/protection`,
            ADMIN,
            { protected: 'yes' },
          )
        ).status,
      ).toBe(400);
      expect(
        (
          await sendJson(
            'PUT',
            `${admin}/repos/acme/gitops/branches/main/protection`,
            {},
            { protected: true },
          )
        ).status,
      ).toBe(401);

      const protection = await getJson(
        `${api}/branches/main/protection`,
        GITHUB,
      );
      expect(
        githubValidator().forOperation(
          'get',
          '/repos/{owner}/{repo}/branches/{branch}/protection',
          200,
          protection,
        ),
      ).toEqual([]);
      expect(protection.allow_force_pushes.enabled).toBe(false);

      const sha = await commitFile(dir, 'DIRECT.md', 'direct push\n');
      const pushed = await git(['push', 'origin', 'main'], dir);
      expect(pushed.ok).toBe(false);
      expect(pushed.output).toContain(
        'remote: error: GH006: Protected branch update failed for refs/heads/main.',
      );
      expect(pushed.output).toContain(
        '! [remote rejected] main -> main (protected branch hook declined)',
      );
      expect(pushed.output).not.toMatch(/HTTP 4\d\d|HTTP 5\d\d|RPC failed/);
      expect(await remoteHead()).toBe(before);

      // The API refuses direct writes too.
      const put = await sendJson('PUT', `${api}/contents/DIRECT.md`, GITHUB, {
        message: 'direct',
        content: Buffer.from('x\n').toString('base64'),
      });
      expect(put.status).toBe(422);
      expect(put.body.message).toContain('Protected branch update failed');

      // Other branches take pushes; a pull request merges into main.
      const branchPush = await git(
        ['push', 'origin', 'HEAD:refs/heads/promote/direct'],
        dir,
      );
      expect(branchPush.ok).toBe(true);
      const pr = await sendJson('POST', `${api}/pulls`, GITHUB, {
        title: 'Promote through a PR',
        head: 'acme:promote/direct',
        base: 'main',
      });
      expect(pr.status).toBe(201);
      expect(pr.body.head.sha).toBe(sha);
      const merged = await sendJson(
        'PUT',
        `${api}/pulls/${pr.body.number}/merge`,
        GITHUB,
        { merge_method: 'merge' },
      );
      expect(merged.status).toBe(200);
      const mergeCommit = await getJson(
        `${api}/git/commits/${merged.body.sha}`,
        GITHUB,
      );
      expect(mergeCommit.parents.map((p: { sha: string }) => p.sha)).toEqual([
        before,
        sha,
      ]);
      expect(await remoteHead()).toBe(merged.body.sha);

      // Unprotected again, the same client pushes directly.
      await setProtection('main', false);
      await run('git', ['pull', '--quiet', '--no-rebase', 'origin', 'main'], {
        cwd: dir,
      });
      await commitFile(dir, 'DIRECT.md', 'direct push, unprotected\n');
      const again = await git(['push', 'origin', 'main'], dir);
      expect(again.ok).toBe(true);
    });

    it('refuses a branch deletion and a mixed push as a whole, like a declining hook', async () => {
      const dir = await freshClone();
      await git(['push', 'origin', 'HEAD:refs/heads/keep'], dir);
      await setProtection('keep', true);
      const before = await remoteHead();
      await commitFile(dir, 'MIXED.md', 'mixed\n');
      const pushed = await git(
        ['push', 'origin', 'main', ':refs/heads/keep'],
        dir,
      );
      expect(pushed.ok).toBe(false);
      expect(pushed.output).toContain(
        'GH006: Protected branch update failed for refs/heads/keep.',
      );
      expect(await remoteHead()).toBe(before);
      expect(await remoteHead('keep')).toBeDefined();
      await setProtection('keep', false);
    });
  });

  describe('push faults (THREAT 19: non-fast-forward retried after rebase; THREAT 20: rejections classified)', () => {
    it('push-race at advertise: the client sees a non-fast-forward, a fetch + rebase + push succeeds', async () => {
      const dir = await freshClone();
      const set = await sendJson(
        'PUT',
        `${admin}/faults`,
        {
          ...ADMIN,
          'X-Sandbox-Client': 'race-test',
        },
        [
          {
            vendor: 'git',
            mode: 'push-race',
            pathPrefix: '/git/acme/gitops.git',
            times: 1,
          },
        ],
      );
      expect(set.status).toBe(200);
      expect(set.body.rules[0]).toMatchObject({
        mode: 'push-race',
        owner: 'race-test',
        remaining: 1,
      });

      // A clone (upload-pack) does not use the fault up.
      await freshClone();
      const before = await remoteHead();
      const mine = await commitFile(dir, 'PROMOTE.md', 'promotion 1\n');
      const rejected = await git(['push', 'origin', 'main'], dir);
      expect(rejected.ok).toBe(false);
      expect(rejected.output).toMatch(
        /\[rejected\]\s+main -> main \(fetch first\)/,
      );
      const raced = await remoteHead();
      expect(raced).not.toBe(before);
      const raceCommit = await getJson(`${api}/git/commits/${raced}`, GITHUB);
      expect(raceCommit.parents[0].sha).toBe(before);
      expect(raceCommit.message).toContain('push-race');

      const listed = await sendJson('GET', `${admin}/faults`, {
        ...ADMIN,
        'X-Sandbox-Client': 'race-test',
      });
      expect(listed.body.rules).toEqual([]);

      await run('git', ['pull', '--quiet', '--rebase', 'origin', 'main'], {
        cwd: dir,
      });
      const retried = await git(['push', 'origin', 'main'], dir);
      expect(retried.ok).toBe(true);
      const head = await getJson(
        `${api}/git/commits/${await remoteHead()}`,
        GITHUB,
      );
      expect(head.parents[0].sha).toBe(raced);
      expect(head.message).toContain('Edit PROMOTE.md');
      expect(head.sha).not.toBe(mine);
      expect(sandbox.logs.join('\n')).not.toContain('sandbox-github-token');
    });

    it('push-race at update: the server refuses with "cannot lock ref", a retry succeeds', async () => {
      const dir = await freshClone();
      await sendJson('PUT', `${admin}/faults`, ADMIN, [
        { vendor: 'git', mode: 'push-race', at: 'update', times: 1 },
      ]);
      const before = await remoteHead();
      await commitFile(dir, 'PROMOTE.md', 'promotion 2\n');
      const rejected = await git(['push', 'origin', 'main'], dir);
      expect(rejected.ok).toBe(false);
      expect(rejected.output).toMatch(
        new RegExp(
          `cannot lock ref 'refs/heads/main': is at [0-9a-f]{40} but expected ${before}`,
        ),
      );
      expect(rejected.output).toContain('! [remote rejected] main -> main');
      await run('git', ['pull', '--quiet', '--rebase', 'origin', 'main'], {
        cwd: dir,
      });
      expect((await git(['push', 'origin', 'main'], dir)).ok).toBe(true);
    });

    it.each([
      [
        "GitHub's cannot lock ref",
        "cannot lock ref '{ref}': is at {current} but expected {expected}",
        /\(cannot lock ref 'refs\/heads\/main': is at [0-9a-f]{40} but expected [0-9a-f]{40}\)/,
      ],
      [
        "GitLab's incorrect old value",
        'incorrect old value provided',
        /\(incorrect old value provided\)/,
      ],
    ])(
      'push-reject answers %s as a receive-pack ng status, times honoured',
      async (_name, message, expected) => {
        const dir = await freshClone();
        await sendJson('PUT', `${admin}/faults`, ADMIN, [
          { vendor: 'git', mode: 'push-reject', message, times: 1 },
        ]);
        const before = await remoteHead();
        await commitFile(dir, 'REJECT.md', `${message}\n`);
        const rejected = await git(['push', 'origin', 'main'], dir);
        expect(rejected.ok).toBe(false);
        expect(rejected.output).toMatch(expected);
        expect(rejected.output).toContain('! [remote rejected] main -> main');
        expect(await remoteHead()).toBe(before);
        // Used up: the same push goes through.
        expect((await git(['push', 'origin', 'main'], dir)).ok).toBe(true);
      },
    );

    it('validates push fault rules', async () => {
      const bad = await sendJson('PUT', `${admin}/faults`, ADMIN, [
        { vendor: 'git', mode: 'push-reject' },
        { vendor: 'github', mode: 'push-race' },
        { vendor: 'git', mode: 'push-race', at: 'later' },
        { vendor: 'git', mode: 'push-reject', message: 'two\nlines' },
        { vendor: 'git', mode: 'error', message: 'not for errors' },
      ]);
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([
        expect.stringContaining('rules[0].message'),
        expect.stringContaining('rules[1].mode'),
        expect.stringContaining('rules[2].at'),
        expect.stringContaining('rules[3].message'),
        expect.stringContaining('rules[4].message'),
      ]);
    });
  });

  describe('pull requests (THREAT 21: one branch per promotion, reused; head SHA; conflicts)', () => {
    it('filters by head and state, follows pushes to the head, refuses a conflicting merge, closes and reopens', async () => {
      const dir = await freshClone();
      await run('git', ['checkout', '--quiet', '-b', 'promote/pr-1'], {
        cwd: dir,
      });
      const first = await commitFile(dir, 'CONFLICT.md', 'from the branch\n');
      await run('git', ['push', '--quiet', 'origin', 'promote/pr-1'], {
        cwd: dir,
      });
      const created = await sendJson('POST', `${api}/pulls`, GITHUB, {
        title: 'Promote 1',
        head: 'promote/pr-1',
        base: 'main',
      });
      expect(created.status).toBe(201);
      const number = created.body.number;
      expect(created.body.head.sha).toBe(first);

      const byHead = await getJson(
        `${api}/pulls?head=acme:promote/pr-1&state=open`,
        GITHUB,
      );
      expect(byHead.map((p: { number: number }) => p.number)).toEqual([number]);
      expect(
        await getJson(`${api}/pulls?head=acme:promote/other`, GITHUB),
      ).toEqual([]);
      expect(
        await getJson(`${api}/pulls?head=someone-else:promote/pr-1`, GITHUB),
      ).toEqual([]);
      expect(
        await getJson(
          `${api}/pulls?head=acme:promote/pr-1&state=closed`,
          GITHUB,
        ),
      ).toEqual([]);

      // The head follows a push to the branch.
      const second = await commitFile(
        dir,
        'CONFLICT.md',
        'from the branch, again\n',
      );
      await run('git', ['push', '--quiet', 'origin', 'promote/pr-1'], {
        cwd: dir,
      });
      const followed = await getJson(`${api}/pulls/${number}`, GITHUB);
      expect(followed.head.sha).toBe(second);
      expect(followed.mergeable).toBe(true);

      // main changes the same file: not mergeable, merge refused with 405.
      const put = await sendJson('PUT', `${api}/contents/CONFLICT.md`, GITHUB, {
        message: 'Conflicting change on main',
        content: Buffer.from('from main\n').toString('base64'),
      });
      expect(put.status).toBe(201);
      const conflicted = await getJson(`${api}/pulls/${number}`, GITHUB);
      expect(conflicted.mergeable).toBe(false);
      expect(conflicted.mergeable_state).toBe('dirty');
      const refused = await sendJson(
        'PUT',
        `${api}/pulls/${number}/merge`,
        GITHUB,
        {},
      );
      expect(refused.status).toBe(405);
      expect(refused.body.message).toBe('Pull Request is not mergeable');
      const adminRefused = await sendJson(
        'POST',
        `${admin}/repos/acme/gitops/pulls/${number}/merge`,
        ADMIN,
        {},
      );
      expect(adminRefused.status).toBe(405);

      // Close through PATCH, as the promotion engine would for a stale PR.
      const closed = await sendJson('PATCH', `${api}/pulls/${number}`, GITHUB, {
        state: 'closed',
      });
      expect(closed.status).toBe(200);
      expect(closed.body.state).toBe('closed');
      expect(closed.body.merged).toBe(false);
      expect(
        await getJson(`${api}/pulls?head=acme:promote/pr-1`, GITHUB),
      ).toEqual([]);
      const closedList = await getJson(
        `${api}/pulls?head=acme:promote/pr-1&state=closed`,
        GITHUB,
      );
      expect(closedList.map((p: { number: number }) => p.number)).toEqual([
        number,
      ]);
      expect(
        (await sendJson('PUT', `${api}/pulls/${number}/merge`, GITHUB, {}))
          .status,
      ).toBe(405);
      // Reopened, it is the one open PR for the branch again (reuse, not a duplicate).
      const reopened = await sendJson(
        'PATCH',
        `${api}/pulls/${number}`,
        GITHUB,
        {
          state: 'open',
        },
      );
      expect(reopened.body.state).toBe('open');
      const duplicate = await sendJson('POST', `${api}/pulls`, GITHUB, {
        title: 'Promote 1 again',
        head: 'acme:promote/pr-1',
        base: 'main',
      });
      expect(duplicate.status).toBe(422);
      const adminClosed = await sendJson(
        'POST',
        `${admin}/repos/acme/gitops/pulls/${number}/close`,
        ADMIN,
      );
      expect(adminClosed.status).toBe(200);
      expect(adminClosed.body.state).toBe('closed');
      expect(
        (
          await sendJson(
            'POST',
            `${admin}/repos/acme/gitops/pulls/9999/close`,
            ADMIN,
          )
        ).status,
      ).toBe(404);
    });

    it('a reviewer merge (admin route) puts a merge commit on main that Argo CD picks up', async () => {
      const dir = await freshClone();
      await run('git', ['checkout', '--quiet', '-b', 'promote/pr-2'], {
        cwd: dir,
      });
      const overlay = path.join(
        dir,
        'apps/payments-api/overlays/staging/kustomization.yaml',
      );
      fs.appendFileSync(overlay, '# promoted through a pull request\n');
      await run('git', ['commit', '--quiet', '-am', 'Promote payments-api'], {
        cwd: dir,
      });
      await run('git', ['push', '--quiet', 'origin', 'promote/pr-2'], {
        cwd: dir,
      });
      const created = await sendJson('POST', `${api}/pulls`, GITHUB, {
        title: 'Promote payments-api to staging',
        head: 'acme:promote/pr-2',
        base: 'main',
      });
      const base = await remoteHead();
      const merged = await sendJson(
        'POST',
        `${admin}/repos/acme/gitops/pulls/${created.body.number}/merge`,
        ADMIN,
        {},
      );
      expect(merged.status).toBe(200);
      expect(merged.body.merged).toBe(true);
      expect(await remoteHead()).toBe(merged.body.sha);
      const commit = await getJson(
        `${api}/git/commits/${merged.body.sha}`,
        GITHUB,
      );
      expect(commit.parents[0].sha).toBe(base);
      const pr = await getJson(`${api}/pulls/${created.body.number}`, GITHUB);
      expect(pr.merged).toBe(true);
      expect(pr.merge_commit_sha).toBe(merged.body.sha);

      const app = await waitFor(
        async () => {
          const current = await getJson(
            `${sandbox.sandbox.urls.argocd}/api/v1/applications/payments-api-staging`,
            ARGOCD,
          );
          return current.status.sync.revision === merged.body.sha
            ? current
            : undefined;
        },
        { what: 'Argo CD to see the merge', timeoutMs: 30_000 },
      );
      expect(app.spec.source.targetRevision).toBe('main');
    });
  });

  describe('Argo CD write token (THREAT 23: sync needs write; another operation in progress)', () => {
    it('the read token gets 403 permission denied on sync and terminate; the write token syncs', async () => {
      const url = `${sandbox.sandbox.urls.argocd}/api/v1/applications/checkout-web-staging`;
      const denied = await sendJson('POST', `${url}/sync`, ARGOCD, {});
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe(7);
      expect(denied.body.message).toMatch(
        /^permission denied: applications, sync, team-storefront\/checkout-web-staging/,
      );
      expect(JSON.stringify(denied.body)).not.toContain('sandbox-argocd');
      const unknown = await sendJson(
        'POST',
        `${sandbox.sandbox.urls.argocd}/api/v1/applications/no-such-app/sync`,
        ARGOCD,
        {},
      );
      expect(unknown.status).toBe(403);
      expect(
        (await sendJson('DELETE', `${url}/operation`, ARGOCD)).status,
      ).toBe(403);
      // Reads stay open to the read token; the write token reads too.
      expect((await sendJson('GET', url, ARGOCD)).status).toBe(200);
      expect((await sendJson('GET', url, ARGOCD_WRITE)).status).toBe(200);

      const synced = await sendJson('POST', `${url}/sync`, ARGOCD_WRITE, {});
      expect(synced.status).toBe(200);
      const busy = await sendJson('POST', `${url}/sync`, ARGOCD_WRITE, {});
      expect(busy.status).toBe(400);
      expect(busy.body.code).toBe(9);
      expect(busy.body.message).toContain(
        'another operation is already in progress',
      );
      // A denied terminate leaves the running operation alone.
      expect(
        (await sendJson('DELETE', `${url}/operation`, ARGOCD)).status,
      ).toBe(403);
      expect((await getJson(url, ARGOCD)).status.operationState.phase).toBe(
        'Running',
      );

      // The admin user's session may sync too, as role:admin in Argo CD.
      const session = await sendJson(
        'POST',
        `${sandbox.sandbox.urls.argocd}/api/v1/session`,
        {},
        { username: 'admin', password: 'sandbox-argocd-password' },
      );
      const other = `${sandbox.sandbox.urls.argocd}/api/v1/applications/inventory-api-prod/sync`;
      expect(
        (
          await sendJson(
            'POST',
            other,
            { Authorization: `Bearer ${session.body.token}` },
            {},
          )
        ).status,
      ).toBe(200);
    });
  });
});
