import { UpstreamError } from '../state/UpstreamError';
import { HarborRetentionClient } from './HarborRetentionClient';

const PASSWORD = 'harbor-client-password-5e2';

function client(answer: (path: string, init: RequestInit) => Response) {
  const seen: { path: string; init: RequestInit }[] = [];
  const fetchImpl = (async (input: string, init: RequestInit = {}) => {
    const path = new URL(input).pathname + new URL(input).search;
    seen.push({ path, init });
    return answer(path, init);
  }) as unknown as typeof fetch;
  return {
    seen,
    harbor: HarborRetentionClient.create({
      url: 'https://harbor.example.com/',
      username: 'robot',
      password: PASSWORD,
      fetch: fetchImpl,
    }),
  };
}

describe('HarborRetentionClient', () => {
  it('reads a project and its bound policy id; undefined for no project', async () => {
    const { harbor, seen } = client(path =>
      path === '/api/v2.0/projects/acme'
        ? Response.json({ project_id: 7, metadata: { retention_id: '3' } })
        : new Response('{}', { status: 404 }),
    );
    expect(await harbor.getProject('acme')).toEqual({ id: 7, retentionId: 3 });
    expect(await harbor.getProject('nobody')).toBeUndefined();
    expect((seen[0].init.headers as Record<string, string>).authorization).toBe(
      `Basic ${Buffer.from(`robot:${PASSWORD}`).toString('base64')}`,
    );
  });

  it('answers the id of a created policy from Location', async () => {
    const { harbor, seen } = client(
      () =>
        new Response(null, {
          status: 201,
          headers: { location: '/api/v2.0/retentions/12' },
        }),
    );
    const id = await harbor.createPolicy({
      algorithm: 'or',
      rules: [],
      trigger: { kind: 'Schedule', settings: { cron: '' } },
      scope: { level: 'project', ref: 7 },
    });
    expect(id).toBe(12);
    expect(seen[0].init.method).toBe('POST');
  });

  it("fails with Harbor's status and message, never the password", async () => {
    const { harbor } = client(
      () =>
        new Response(
          JSON.stringify({ errors: [{ code: 'FORBIDDEN', message: 'no' }] }),
          { status: 403 },
        ),
    );
    const error = await harbor.getPolicy(3).catch(e => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(403);
    expect(error.message).toBe(
      'Harbor answered HTTP 403 to GET /retentions/3: no',
    );
    expect(error.message).not.toContain(PASSWORD);
  });
});
