import { HarborRetentionClient } from '@slipway/plugin-slipway-node';

export const FAKE_HARBOR_PASSWORD = 'fake-harbor-password-8d1f';

/**
 * Harbor's project and tag retention endpoints, from memory, answered as a
 * `fetch` (no server): one policy per project bound through
 * `metadata.retention_id`, 400 for a second policy of a project (as Harbor
 * and the sandbox answer), 404 for unknown projects and policies. Every call
 * is recorded; `failOn` answers matching calls with an error status.
 */
export function fakeHarbor(projects: Record<string, number> = { acme: 7 }) {
  const calls: string[] = [];
  const bodies: string[] = [];
  const policies = new Map<number, any>();
  const bound = new Map<number, number>();
  let nextId = 1;
  let failure: { pattern: RegExp; status: number } | undefined;
  /** Runs once before the next POST /retentions is answered. */
  let beforeCreate: (() => void) | undefined;

  const store = (id: number, policy: any) => {
    const copy = JSON.parse(JSON.stringify(policy));
    copy.id = id;
    copy.rules = (copy.rules ?? []).map((rule: any, index: number) => ({
      ...rule,
      id: index + 1,
      priority: rule.priority ?? 0,
    }));
    policies.set(id, copy);
  };
  const error = (status: number, message: string) =>
    new Response(
      JSON.stringify({ errors: [{ code: String(status), message }] }),
      { status },
    );

  const fetchImpl = (async (input: string, init: RequestInit = {}) => {
    const url = new URL(input);
    const method = init.method ?? 'GET';
    const path = url.pathname.replace('/api/v2.0', '');
    calls.push(`${method} ${path}`);
    bodies.push(String(init.body ?? ''));
    if (failure?.pattern.test(`${method} ${path}`)) {
      return error(failure.status, 'refused by the fake');
    }
    const project = /^\/projects\/([^/]+)$/.exec(path);
    if (project && method === 'GET') {
      const id = projects[decodeURIComponent(project[1])];
      if (id === undefined) return error(404, 'project not found');
      const retentionId = bound.get(id);
      return Response.json({
        project_id: id,
        name: project[1],
        metadata: retentionId ? { retention_id: String(retentionId) } : {},
      });
    }
    if (path === '/retentions' && method === 'POST') {
      beforeCreate?.();
      beforeCreate = undefined;
      const policy = JSON.parse(String(init.body));
      const projectId = policy.scope?.ref;
      if (!Object.values(projects).includes(projectId)) {
        return error(400, `project ${projectId} not found`);
      }
      if (bound.has(projectId)) {
        return error(400, 'the project already has a retention policy');
      }
      const id = nextId++;
      store(id, policy);
      bound.set(projectId, id);
      return new Response(null, {
        status: 201,
        headers: { location: `/api/v2.0/retentions/${id}` },
      });
    }
    const retention = /^\/retentions\/(\d+)$/.exec(path);
    if (retention) {
      const id = Number(retention[1]);
      if (!policies.has(id)) return error(404, `retention ${id} not found`);
      if (method === 'GET') return Response.json(policies.get(id));
      if (method === 'PUT') {
        store(id, JSON.parse(String(init.body)));
        return new Response(null, { status: 200 });
      }
    }
    return error(404, 'not found');
  }) as unknown as typeof fetch;

  return {
    client: HarborRetentionClient.create({
      url: 'https://harbor.example.com',
      username: 'robot$slipway',
      password: FAKE_HARBOR_PASSWORD,
      fetch: fetchImpl,
    }),
    fetch: fetchImpl,
    calls,
    bodies,
    policies,
    /** The policy bound to a project. */
    policyOf: (name: string) => {
      const id = bound.get(projects[name]);
      return id === undefined ? undefined : policies.get(id);
    },
    writes: () => calls.filter(c => !c.startsWith('GET')),
    failOn: (pattern: RegExp | undefined, status = 500) => {
      failure = pattern ? { pattern, status } : undefined;
    },
    /** Binds a policy to a project, as an admin or Slipway's task would have. */
    setPolicy: (name: string, policy: any) => {
      const id = nextId++;
      store(id, {
        ...policy,
        scope: { level: 'project', ref: projects[name] },
      });
      bound.set(projects[name], id);
      return id;
    },
    onNextCreate: (hook: () => void) => {
      beforeCreate = hook;
    },
  };
}
