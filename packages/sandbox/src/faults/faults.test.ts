import http from 'node:http';
import {
  ADMIN,
  ARGOCD,
  GITHUB,
  HARBOR,
  sendJson,
  SONAR,
  startTestSandbox,
  TestSandbox,
} from '../__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

describe('fault injection', () => {
  let sandbox: TestSandbox;
  let admin: string;
  let github: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ timings: { faultTimeoutMs: 2000 } });
    admin = `${sandbox.sandbox.urls.admin}/admin/faults`;
    github = `${sandbox.sandbox.urls.githubApi}/repos/acme/payments-api`;
  }, 90_000);
  afterAll(() => sandbox.close());
  afterEach(async () => {
    await sendJson('DELETE', admin, ADMIN);
  });

  const setFaults = (rules: unknown) => sendJson('PUT', admin, ADMIN, rules);

  it('adds latency', async () => {
    expect(
      (await setFaults([{ vendor: 'github', mode: 'latency', latencyMs: 300 }]))
        .status,
    ).toBe(200);
    const started = Date.now();
    const response = await fetch(github, { headers: GITHUB });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('answers 5xx errors', async () => {
    await setFaults([{ vendor: 'argocd', mode: 'error', status: 502 }]);
    const response = await fetch(
      `${sandbox.sandbox.urls.argocd}/api/v1/applications`,
      { headers: ARGOCD },
    );
    expect(response.status).toBe(502);
    await setFaults([{ vendor: 'harbor', mode: 'error' }]);
    expect(
      (
        await fetch(`${sandbox.sandbox.urls.harbor}/api/v2.0/projects`, {
          headers: HARBOR,
        })
      ).status,
    ).toBe(503);
  });

  it('times out: the request is never answered and the socket closes', async () => {
    await setFaults([{ vendor: 'sonarqube', mode: 'timeout' }]);
    const url = `${sandbox.sandbox.urls.sonarqube}/api/qualitygates/project_status?projectKey=acme_payments-api`;
    await expect(
      fetch(url, { headers: SONAR, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    // Without a client timeout, the sandbox closes the socket after faultTimeoutMs.
    const started = Date.now();
    const outcome = await new Promise<string>(resolve => {
      const request = http.get(url, { headers: SONAR }, () =>
        resolve('answered'),
      );
      request.on('error', () => resolve('closed'));
    });
    expect(outcome).toBe('closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('rate limits like GitHub, with and without Retry-After, reset in the past or far future', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const future = Math.floor(Date.now() / 1000) + 30 * 86400;
    await setFaults([
      {
        vendor: 'github',
        mode: 'rate-limit',
        status: 403,
        resetEpochSeconds: past,
        retryAfterSeconds: null,
        times: 1,
      },
      {
        vendor: 'github',
        mode: 'rate-limit',
        status: 429,
        retryAfterSeconds: 7,
        resetEpochSeconds: future,
        times: 1,
      },
    ]);
    const primary = await fetch(github, { headers: GITHUB });
    expect(primary.status).toBe(403);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(primary.headers.get('x-ratelimit-reset')).toBe(String(past));
    expect(primary.headers.get('retry-after')).toBeNull();
    expect((await primary.json()).message).toContain('rate limit');

    const secondary = await fetch(github, { headers: GITHUB });
    expect(secondary.status).toBe(429);
    expect(secondary.headers.get('retry-after')).toBe('7');
    expect(secondary.headers.get('x-ratelimit-reset')).toBe(String(future));

    // Both rules used up.
    expect((await fetch(github, { headers: GITHUB })).status).toBe(200);
  });

  it('answers malformed bodies that do not parse', async () => {
    await setFaults([{ vendor: 'harbor', mode: 'malformed' }]);
    const response = await fetch(
      `${sandbox.sandbox.urls.harbor}/api/v2.0/projects`,
      { headers: HARBOR },
    );
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('honours times, method, path prefix and vendor scoping', async () => {
    await setFaults([
      {
        vendor: 'github',
        mode: 'error',
        status: 500,
        pathPrefix: '/api/v3/repos/acme/checkout-web',
        method: 'GET',
        times: 2,
      },
    ]);
    const checkout = `${sandbox.sandbox.urls.githubApi}/repos/acme/checkout-web`;
    expect((await fetch(checkout, { headers: GITHUB })).status).toBe(500);
    expect((await fetch(github, { headers: GITHUB })).status).toBe(200);
    expect(
      (
        await fetch(`${sandbox.sandbox.urls.argocd}/api/v1/applications`, {
          headers: ARGOCD,
        })
      ).status,
    ).toBe(200);
    const listed = await (await fetch(admin, { headers: ADMIN })).json();
    expect(listed.rules[0].remaining).toBe(1);
    expect((await fetch(checkout, { headers: GITHUB })).status).toBe(500);
    expect((await fetch(checkout, { headers: GITHUB })).status).toBe(200);

    // git smart HTTP is its own vendor on the same port.
    await setFaults([{ vendor: 'git', mode: 'error', status: 503 }]);
    expect(
      (
        await fetch(
          `${sandbox.sandbox.urls.git}/acme/gitops.git/info/refs?service=git-upload-pack`,
        )
      ).status,
    ).toBe(503);
    expect((await fetch(github, { headers: GITHUB })).status).toBe(200);
  });

  it('rejects bad admin input with 400', async () => {
    for (const bad of [
      { vendor: 'github', mode: 'error' },
      [{ vendor: 'bitbucket', mode: 'error' }],
      [{ vendor: 'github', mode: 'explode' }],
      [{ vendor: 'github', mode: 'latency' }],
      [{ vendor: 'github', mode: 'error', status: 200 }],
      [{ vendor: 'github', mode: 'rate-limit', status: 500 }],
      [{ vendor: 'github', mode: 'error', times: 0 }],
      [{ vendor: 'github', mode: 'error', pathPrefix: 'no-slash' }],
      [{ vendor: 'github', mode: 'error', extra: true }],
    ]) {
      const response = await setFaults(bad);
      expect(response.status).toBe(400);
      expect(response.body.details.length).toBeGreaterThan(0);
    }
    const invalidJson = await fetch(admin, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: '{',
    });
    expect(invalidJson.status).toBe(400);
    expect(
      (await (await fetch(admin, { headers: ADMIN })).json()).rules,
    ).toEqual([]);
  });

  it('refuses the admin API without the admin token', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer wrong-admin-token' },
      { Authorization: 'token sandbox-admin-token' },
      GITHUB,
    ]) {
      for (const [method, url] of [
        ['GET', admin],
        ['PUT', admin],
        ['DELETE', admin],
        ['GET', `${sandbox.sandbox.urls.admin}/admin/state`],
        ['POST', `${sandbox.sandbox.urls.admin}/admin/refresh`],
      ]) {
        const response = await sendJson(
          method,
          url,
          headers,
          method === 'PUT' ? [{ vendor: 'github', mode: 'error' }] : undefined,
        );
        expect({ method, url, status: response.status }).toEqual({
          method,
          url,
          status: 401,
        });
      }
    }
    expect(sandbox.sandbox.faults.list()).toEqual([]);
    // Health stays open for readiness probes.
    expect((await fetch(`${sandbox.sandbox.urls.admin}/healthz`)).status).toBe(
      200,
    );
  });

  it('keeps concurrent clients from clearing each other’s faults', async () => {
    const alice = { ...ADMIN, 'X-Sandbox-Client': 'alice' };
    const bob = { ...ADMIN, 'X-Sandbox-Client': 'bob' };
    const aliceRule = { vendor: 'harbor', mode: 'error', status: 502 };
    const bobRule = { vendor: 'sonarqube', mode: 'error', status: 503 };
    const set = await sendJson('PUT', admin, alice, [aliceRule]);
    expect(set.body.rules).toEqual([
      expect.objectContaining({ ...aliceRule, owner: 'alice' }),
    ]);
    await sendJson('PUT', admin, bob, [bobRule]);
    // Bob replacing and clearing his rules leaves Alice's.
    await sendJson('PUT', admin, bob, [bobRule, bobRule]);
    expect((await sendJson('GET', admin, bob)).body.rules).toHaveLength(2);
    expect((await sendJson('DELETE', admin, bob)).status).toBe(204);
    expect((await sendJson('GET', admin, bob)).body.rules).toEqual([]);
    const aliceRules = (await sendJson('GET', admin, alice)).body.rules;
    expect(aliceRules).toEqual([
      expect.objectContaining({ ...aliceRule, owner: 'alice' }),
    ]);
    // Bob cannot delete Alice's rule by id; Alice can.
    const id = aliceRules[0].id;
    expect((await sendJson('DELETE', `${admin}/${id}`, bob)).status).toBe(404);
    expect(sandbox.sandbox.faults.list()).toHaveLength(1);
    expect((await sendJson('DELETE', `${admin}/${id}`, alice)).status).toBe(
      204,
    );
    expect(sandbox.sandbox.faults.list()).toEqual([]);
  });
});
