import fs from 'node:fs';
import path from 'node:path';
import { gitlabValidator } from '@slipway/vendor-schemas';
import {
  ADMIN,
  getJson,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
} from './__testUtils__/sandboxHarness';

// Integration tests: they start servers and run git on a loaded 2-core machine.
jest.setTimeout(90_000);

const TOKEN = 'sandbox-gitlab-token';
const GITLAB = { 'PRIVATE-TOKEN': TOKEN };
const ROUTE = '/api/v4/projects/{id}/merge_requests';

/** What plugins/slipway-node/src/gitops/pullRequests.ts sends to open a merge request. */
function gatewayCreateBody(branch: string) {
  return {
    title: `Promote payments-api (${branch})`,
    source_branch: branch,
    target_branch: 'main',
    description: 'Opened by Slipway.',
  };
}

describe('GitLab answers match GitLab’s published API description', () => {
  const gitlab = gitlabValidator();
  let sandbox: TestSandbox;
  let work: string;
  let web: string;
  let url: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    work = makeTempDir('gitlab-schemas');
    web = sandbox.sandbox.urls.gitlab;
    url = `${sandbox.sandbox.urls.gitlabApi}/projects/${encodeURIComponent(
      'acme/gitops-gl',
    )}/merge_requests`;
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function pushBranch(branch: string) {
    const dir = path.join(work, branch.replace(/\//g, '-'));
    await run('git', ['clone', '--quiet', `${web}/acme/gitops-gl.git`, dir]);
    await run('git', ['checkout', '--quiet', '-b', branch], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'CHANGE.md'), `${branch}\n`);
    await run('git', ['add', 'CHANGE.md'], { cwd: dir });
    await run('git', ['commit', '--quiet', '-m', branch], { cwd: dir });
    await run(
      'git',
      [
        'push',
        '--quiet',
        `${web}/acme/gitops-gl.git`.replace(
          'http://',
          `http://oauth2:${TOKEN}@`,
        ),
        branch,
      ],
      { cwd: dir },
    );
  }

  /** The fields the gateway reads, typed as docs.gitlab.com/api/merge_requests documents them. */
  function expectReadableByGateway(mr: any) {
    const states = gitlab
      .queryEnum('get', ROUTE, 'state')
      .filter(state => state !== 'all');
    expect(states).toEqual(['opened', 'closed', 'locked', 'merged']);
    expect(states).toContain(mr.state);
    expect(mr.iid).toEqual(expect.any(Number));
    expect(mr.web_url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/acme\/gitops-gl\/-\/merge_requests\/\d+$/,
    );
    expect(mr.source_branch).toEqual(expect.any(String));
    if (mr.state === 'merged') {
      expect(mr.merge_commit_sha).toMatch(/^[0-9a-f]{40}$/);
    } else {
      expect(mr.merge_commit_sha).toBeNull();
    }
    expect(mr.squash_commit_sha).toBeNull();
  }

  it('list, create, merged and closed merge requests validate', async () => {
    expect(
      gitlab.forOperation('get', ROUTE, 200, await getJson(url, GITLAB)),
    ).toEqual([]);

    await pushBranch('slipway/schema-1');
    const body = gatewayCreateBody('slipway/schema-1');
    expect(gitlab.forRequest('post', ROUTE, body)).toEqual([]);
    const created = await sendJson('POST', url, GITLAB, body);
    expect(created.status).toBe(201);
    expect(gitlab.forOperation('post', ROUTE, 201, created.body)).toEqual([]);
    expectReadableByGateway(created.body);

    const opened = await getJson(
      `${url}?state=opened&source_branch=${encodeURIComponent(
        'slipway/schema-1',
      )}`,
      GITLAB,
    );
    expect(opened).toHaveLength(1);
    expect(gitlab.forOperation('get', ROUTE, 200, opened)).toEqual([]);
    expectReadableByGateway(opened[0]);

    const admin = `${sandbox.sandbox.urls.admin}/admin/gitlab/projects/acme/gitops-gl/merge_requests`;
    expect((await sendJson('POST', `${admin}/1/merge`, ADMIN, {})).status).toBe(
      200,
    );
    await pushBranch('slipway/schema-2');
    await sendJson('POST', url, GITLAB, gatewayCreateBody('slipway/schema-2'));
    expect((await sendJson('POST', `${admin}/2/close`, ADMIN, {})).status).toBe(
      200,
    );

    const all = await getJson(`${url}?state=all`, GITLAB);
    expect(all.map((mr: any) => [mr.iid, mr.state])).toEqual([
      [2, 'closed'],
      [1, 'merged'],
    ]);
    expect(gitlab.forOperation('get', ROUTE, 200, all)).toEqual([]);
    for (const mr of all) expectReadableByGateway(mr);
  });

  it('the validator is not vacuous', () => {
    expect(
      gitlab.forRequest('post', ROUTE, { title: 'no branches' }),
    ).not.toEqual([]);
    expect(
      gitlab.forRequest('post', ROUTE, {
        title: 't',
        source_branch: 'a',
        target_branch: 'b',
        description: 42,
      }),
    ).not.toEqual([]);
    expect(gitlab.forOperation('get', ROUTE, 200, [{ iid: '1' }])).not.toEqual(
      [],
    );
    expect(
      gitlab.forOperation('get', ROUTE, 200, [{ web_url: 42 }]),
    ).not.toEqual([]);
    expect(
      gitlab.forOperation('post', ROUTE, 201, { created_at: 'yesterday' }),
    ).not.toEqual([]);
    expect(gitlab.errors('API_Entities_UserBasic', { id: 'one' })).not.toEqual(
      [],
    );
  });
});
