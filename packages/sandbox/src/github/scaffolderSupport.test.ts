import {
  getJson,
  GITHUB,
  startTestSandbox,
  TestSandbox,
} from '../__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

/** What Backstage's publish:github and GitHub URL reader ask of GitHub. */
describe('GitHub subset used by the scaffolder and the catalog', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  }, 90_000);
  afterAll(() => sandbox.close());

  const api = () => `${sandbox.sandbox.urls.github}/api/v3`;

  it('tells organisations from users', async () => {
    const org = await getJson(`${api()}/users/acme`, GITHUB);
    expect(org).toMatchObject({ login: 'acme', type: 'Organization' });
    const bot = await getJson(`${api()}/users/slipway-sandbox-bot`, GITHUB);
    expect(bot.type).toBe('User');
    const bad = await fetch(`${api()}/users/..%2Fetc`, { headers: GITHUB });
    expect(bad.status).toBe(404);
  });

  it('serves file bytes for the raw media type and JSON otherwise', async () => {
    const path = `${api()}/repos/acme/payments-api/contents/package.json?ref=main`;
    const raw = await fetch(path, {
      headers: { ...GITHUB, Accept: 'application/vnd.github.v3.raw' },
    });
    expect(raw.status).toBe(200);
    const text = await raw.text();
    expect(JSON.parse(text).name).toBeDefined();

    const json = await getJson(path, GITHUB);
    expect(json.type).toBe('file');
    expect(Buffer.from(json.content, 'base64').toString('utf8')).toBe(text);

    const folder = await fetch(
      `${api()}/repos/acme/payments-api/contents/src`,
      {
        headers: { ...GITHUB, Accept: 'application/vnd.github.raw' },
      },
    );
    expect(folder.status).toBe(404);
  });
});
