import { githubValidator } from '@slipway/vendor-schemas';
import {
  ADMIN,
  getJson,
  GITHUB,
  sendJson,
  startTestSandbox,
  TestSandbox,
} from '../__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

const DIGEST = `sha256:${'d'.repeat(64)}`;

/** Commit statuses: what a verification workflow reports and the verification gate reads. */
describe('GitHub commit statuses', () => {
  let sandbox: TestSandbox;
  const github = githubValidator();
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  }, 180_000);
  afterAll(() => sandbox.close());

  const api = () => `${sandbox.sandbox.urls.githubApi}/repos/acme/payments-api`;
  const head = async () =>
    (await getJson(`${api()}/commits/main`, GITHUB)).sha as string;

  it('creates statuses and lists them newest first, paged, as the published schema says', async () => {
    const sha = await head();
    const created = await sendJson('POST', `${api()}/statuses/${sha}`, GITHUB, {
      state: 'pending',
      context: 'slipway/verify/staging/smoke',
      description: `smoke running for ${DIGEST}`,
      target_url: 'https://ci.example.com/runs/1',
    });
    expect(created.status).toBe(201);
    expect(
      github.forOperation(
        'post',
        '/repos/{owner}/{repo}/statuses/{sha}',
        201,
        created.body,
      ),
    ).toEqual([]);
    const second = await sendJson('POST', `${api()}/statuses/${sha}`, GITHUB, {
      state: 'success',
      context: 'slipway/verify/staging/smoke',
    });
    expect(second.body).toMatchObject({
      state: 'success',
      description: null,
      target_url: null,
    });

    const listed = await getJson(`${api()}/commits/${sha}/statuses`, GITHUB);
    expect(
      github.forOperation(
        'get',
        '/repos/{owner}/{repo}/commits/{ref}/statuses',
        200,
        listed,
      ),
    ).toEqual([]);
    expect(listed.map((s: { state: string }) => s.state)).toEqual([
      'success',
      'pending',
    ]);
    // A branch names its head commit; pages of one.
    const byBranch = await getJson(
      `${api()}/commits/main/statuses?per_page=1&page=2`,
      GITHUB,
    );
    expect(byBranch.map((s: { id: number }) => s.id)).toEqual([
      created.body.id,
    ]);
    // A ref that names no commit has no statuses.
    expect(
      await getJson(`${api()}/commits/${'0'.repeat(40)}/statuses`, GITHUB),
    ).toEqual([]);
  });

  it('refuses an unknown state or commit as GitHub does', async () => {
    const sha = await head();
    const badState = await sendJson(
      'POST',
      `${api()}/statuses/${sha}`,
      GITHUB,
      {
        state: 'green',
      },
    );
    expect(badState.status).toBe(422);
    const badSha = await sendJson(
      'POST',
      `${api()}/statuses/${'0'.repeat(40)}`,
      GITHUB,
      { state: 'success' },
    );
    expect(badSha.status).toBe(422);
    const anonymous = await sendJson(
      'POST',
      `${api()}/statuses/${sha}`,
      {},
      {
        state: 'success',
      },
    );
    expect(anonymous.status).toBe(401);
  });

  it('the admin route posts a verification result naming the digest', async () => {
    const admin = `${sandbox.sandbox.urls.admin}/admin/repos/acme/checkout-web/verifications`;
    const posted = await sendJson('POST', admin, ADMIN, {
      environment: 'staging',
      check: 'k6',
      state: 'failure',
      digest: DIGEST,
    });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({
      context: 'slipway/verify/staging/k6',
      state: 'failure',
      description: `k6 failure in staging for ${DIGEST}`,
    });
    const listed = await getJson(
      `${sandbox.sandbox.urls.githubApi}/repos/acme/checkout-web/commits/main/statuses`,
      GITHUB,
    );
    expect(listed[0].id).toBe(posted.body.id);

    for (const body of [
      { environment: 'Staging', check: 'k6', state: 'success' },
      { environment: 'staging', check: 'k6/../x', state: 'success' },
      { environment: 'staging', check: 'k6', state: 'success', digest: 'x' },
      { environment: 'staging', check: 'k6' },
    ]) {
      expect((await sendJson('POST', admin, ADMIN, body)).status).toBe(400);
    }
    expect(
      (
        await sendJson('POST', admin, ADMIN, {
          environment: 'staging',
          check: 'k6',
          state: 'success',
          ref: 'no-such-branch',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await sendJson(
          'POST',
          `${sandbox.sandbox.urls.admin}/admin/repos/acme/nope/verifications`,
          ADMIN,
          { environment: 'staging', check: 'k6', state: 'success' },
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await sendJson('POST', admin, GITHUB, {
          environment: 'staging',
          check: 'k6',
          state: 'success',
        })
      ).status,
    ).toBe(401);
  });
});
