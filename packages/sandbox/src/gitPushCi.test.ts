import fs from 'node:fs';
import path from 'node:path';
import {
  getJson,
  GITHUB,
  HARBOR,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
  waitFor,
} from './__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

describe('git push → workflow run → Harbor artifact', () => {
  let sandbox: TestSandbox;
  let work: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    work = makeTempDir('work');
  }, 90_000);

  afterAll(async () => {
    await sandbox.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('clones, pushes with the token, runs CI and publishes the image for the full SHA', async () => {
    const { urls } = sandbox.sandbox;
    const repoUrl = `${urls.git}/acme/payments-api.git`;
    const clone = path.join(work, 'payments-api');
    await run('git', ['clone', '--quiet', repoUrl, clone]);
    fs.writeFileSync(
      path.join(clone, 'CHANGELOG.md'),
      '# Changelog\n\n- Faster refunds\n',
    );
    await run('git', ['add', 'CHANGELOG.md'], { cwd: clone });
    await run('git', ['commit', '--quiet', '-m', 'Add changelog'], {
      cwd: clone,
    });
    const sha = (
      await run('git', ['rev-parse', 'HEAD'], { cwd: clone })
    ).stdout.trim();

    // Anonymous push is refused.
    await expect(
      run('git', ['push', '--quiet', 'origin', 'main'], { cwd: clone }),
    ).rejects.toThrow();

    const authed = repoUrl.replace(
      'http://',
      'http://x-access-token:sandbox-github-token@',
    );
    await run('git', ['push', '--quiet', authed, 'main'], { cwd: clone });

    const runsUrl = `${urls.githubApi}/repos/acme/payments-api/actions/runs?head_sha=${sha}`;
    const first = await getJson(runsUrl, GITHUB);
    expect(first.total_count).toBe(1);
    expect(['queued', 'in_progress']).toContain(first.workflow_runs[0].status);

    const completed = await waitFor(
      async () => {
        const body = await getJson(runsUrl, GITHUB);
        const runItem = body.workflow_runs[0];
        return runItem?.status === 'completed' ? runItem : undefined;
      },
      { what: 'workflow run to complete' },
    );
    expect(completed.conclusion).toBe('success');
    expect(completed.head_sha).toBe(sha);
    expect(completed.head_branch).toBe('main');

    const jobs = await getJson(
      `${urls.githubApi}/repos/acme/payments-api/actions/runs/${completed.id}/jobs`,
      GITHUB,
    );
    expect(jobs.jobs[0].conclusion).toBe('success');

    const artifacts = await waitFor(
      async () => {
        const list = await getJson(
          `${
            urls.harbor
          }/api/v2.0/projects/acme/repositories/payments-api/artifacts?q=${encodeURIComponent(
            `tags=${sha}`,
          )}&with_scan_overview=true`,
          HARBOR,
        );
        return list.length === 1 ? list : undefined;
      },
      { what: 'Harbor artifact' },
    );
    expect(artifacts[0].tags[0].name).toBe(sha);
    expect(artifacts[0].digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const overview =
      artifacts[0].scan_overview[
        'application/vnd.security.vulnerability.report; version=1.1'
      ];
    expect(overview.scan_status).toBe('Success');
    expect(typeof overview.summary.total).toBe('number');

    const byTag = await getJson(
      `${urls.harbor}/api/v2.0/projects/acme/repositories/payments-api/artifacts/${sha}`,
      HARBOR,
    );
    expect(byTag.digest).toBe(artifacts[0].digest);
  });

  it('runs CI for a contents PUT, and a marked commit fails its run', async () => {
    const { urls } = sandbox.sandbox;
    const api = `${urls.githubApi}/repos/acme/checkout-web/contents/NOTES.md`;
    const put = await sendJson('PUT', api, GITHUB, {
      message: 'Notes [sandbox:fail-ci]',
      content: Buffer.from('notes\n').toString('base64'),
    });
    expect(put.status).toBe(201);
    const sha = put.body.commit.sha;
    const failed = await waitFor(async () => {
      const body = await getJson(
        `${urls.githubApi}/repos/acme/checkout-web/actions/runs?head_sha=${sha}`,
        GITHUB,
      );
      return body.workflow_runs[0]?.status === 'completed'
        ? body.workflow_runs[0]
        : undefined;
    });
    expect(failed.conclusion).toBe('failure');
    const list = await getJson(
      `${urls.harbor}/api/v2.0/projects/acme/repositories/checkout-web/artifacts?q=tags%3D${sha}`,
      HARBOR,
    );
    expect(list).toEqual([]);

    // A stale sha is a conflict.
    const stale = await sendJson('PUT', api, GITHUB, {
      message: 'Update notes',
      content: Buffer.from('more\n').toString('base64'),
      sha: 'deadbeef'.repeat(5),
    });
    expect(stale.status).toBe(409);
  });
});
