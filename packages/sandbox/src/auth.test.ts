import fs from 'node:fs';
import path from 'node:path';
import {
  basic,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
} from './__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

const SENTINEL = 'sentinel-token-7f3a9c1e';
const WRONG = 'wrong-token-5b2d8e4f';

describe('auth', () => {
  let sandbox: TestSandbox;
  const seen: string[] = [];

  beforeAll(async () => {
    sandbox = await startTestSandbox({
      credentials: {
        githubTokens: [SENTINEL],
        argocdTokens: [SENTINEL],
        argocdPassword: SENTINEL,
        harborPassword: SENTINEL,
        sonarqubeTokens: [SENTINEL],
      },
    });
  }, 90_000);
  afterAll(() => sandbox.close());

  async function expectStatus(
    url: string,
    headers: Record<string, string>,
    status: number,
  ) {
    const response = await fetch(url, { headers });
    const text = await response.text();
    seen.push(text, JSON.stringify([...response.headers.entries()]));
    expect({ url, status: response.status }).toEqual({ url, status });
  }

  it('answers 401 for missing or wrong credentials on each vendor, 200 with the right ones', async () => {
    const { urls } = sandbox.sandbox;
    const cases: Array<
      [string, Record<string, string>, Record<string, string>]
    > = [
      [
        `${urls.githubApi}/user`,
        { Authorization: `token ${WRONG}` },
        { Authorization: `token ${SENTINEL}` },
      ],
      [
        `${urls.githubApi}/repos/acme/gitops`,
        { Authorization: `Bearer ${WRONG}` },
        { Authorization: `Bearer ${SENTINEL}` },
      ],
      [
        `${urls.argocd}/api/v1/applications`,
        { Authorization: `Bearer ${WRONG}` },
        { Authorization: `Bearer ${SENTINEL}` },
      ],
      [
        `${urls.harbor}/api/v2.0/projects`,
        { Authorization: basic('admin', WRONG) },
        { Authorization: basic('admin', SENTINEL) },
      ],
      [
        `${urls.sonarqube}/api/measures/component?component=acme_payments-api&metricKeys=coverage`,
        { Authorization: basic(WRONG, '') },
        { Authorization: basic(SENTINEL, '') },
      ],
    ];
    expect(cases).toHaveLength(5);
    for (const [url, wrong, right] of cases) {
      await expectStatus(url, {}, 401);
      await expectStatus(url, wrong, 401);
      await expectStatus(url, right, 200);
    }
  });

  it('issues Argo CD session tokens only for the right password', async () => {
    const { urls } = sandbox.sandbox;
    const bad = await sendJson(
      'POST',
      `${urls.argocd}/api/v1/session`,
      {},
      { username: 'admin', password: WRONG },
    );
    expect(bad.status).toBe(401);
    seen.push(JSON.stringify(bad.body));
    const good = await sendJson(
      'POST',
      `${urls.argocd}/api/v1/session`,
      {},
      { username: 'admin', password: SENTINEL },
    );
    expect(good.status).toBe(200);
    expect(good.body.token).not.toContain(SENTINEL);
    await expectStatus(
      `${urls.argocd}/api/v1/applications`,
      { Authorization: `Bearer ${good.body.token}` },
      200,
    );
    await expectStatus(
      `${urls.argocd}/api/v1/applications`,
      { Cookie: `argocd.token=${good.body.token}` },
      200,
    );
  });

  it('refuses pushes without the token and never echoes tokens', async () => {
    const { urls } = sandbox.sandbox;
    const work = makeTempDir('auth');
    try {
      const clone = path.join(work, 'repo');
      await run('git', [
        'clone',
        '--quiet',
        `${urls.git}/acme/inventory-api.git`,
        clone,
      ]);
      fs.writeFileSync(path.join(clone, 'x.txt'), 'x\n');
      await run('git', ['add', 'x.txt'], { cwd: clone });
      await run('git', ['commit', '--quiet', '-m', 'x'], { cwd: clone });
      const wrongUrl = `${urls.git}/acme/inventory-api.git`.replace(
        'http://',
        `http://bot:${WRONG}@`,
      );
      const failure = await run('git', ['push', wrongUrl, 'main'], {
        cwd: clone,
      }).catch(error => error);
      expect(String(failure.stderr)).toMatch(/Authentication failed|401/);
      seen.push(String(failure.stderr));
      await expectStatus(
        `${urls.git}/acme/inventory-api.git/info/refs?service=git-receive-pack`,
        {},
        401,
      );
      await expectStatus(
        `${urls.git}/acme/inventory-api.git/info/refs?service=git-receive-pack`,
        { Authorization: basic('bot', SENTINEL) },
        200,
      );
      // Anonymous fetch stays open.
      await expectStatus(
        `${urls.git}/acme/inventory-api.git/info/refs?service=git-upload-pack`,
        {},
        200,
      );
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    const state = await fetch(`${urls.admin}/admin/state`, {
      headers: { Authorization: 'Bearer sandbox-admin-token' },
    });
    seen.push(await state.text());
    for (const text of [...seen, ...sandbox.logs]) {
      expect(text).not.toContain(SENTINEL);
      expect(text.replace(/wrong-token-5b2d8e4f@/g, '')).not.toContain(WRONG);
    }
  });
});
