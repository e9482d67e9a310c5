import express from 'express';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { harborValidator } from '@slipway/vendor-schemas';
import { createHarborRouter } from './createHarborRouter';
import { doublestarMatch } from './doublestar';
import { HarborRegistry } from './HarborRegistry';

// Starts an HTTP server on an ephemeral loopback port.
jest.setTimeout(60_000);

const AUTH = {
  authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
};
const sha = (n: number) => String(n).repeat(40).slice(0, 40);

describe('doublestar patterns (Harbor selectors)', () => {
  it.each([
    ['**', 'anything/at/all', true],
    ['*', 'a/b', false],
    ['v*', 'v1.2', true],
    ['{abc,def}', 'def', true],
    ['{abc,def}', 'abcdef', false],
    ['{a*,b}', 'a-long-one', true],
    ['re?o', 'repo', true],
    ['a.b', 'axb', false],
  ])('%s against %s: %s', (pattern, text, expected) => {
    expect(doublestarMatch(pattern, text)).toBe(expected);
  });
});

describe('the sandbox Harbor: tag retention and immutability', () => {
  const harbor = harborValidator();
  let server: Server;
  let base: string;
  let registry: HarborRegistry;

  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response;
  };
  const getJson = async (path: string) => {
    const response = await send('GET', path);
    expect(response.status).toBe(200);
    return response.json();
  };

  const rule = (template: string, pattern: string, params = {}) => ({
    disabled: false,
    action: 'retain',
    template,
    params,
    tag_selectors: [
      {
        kind: 'doublestar',
        decoration: 'matches',
        pattern,
        extras: '{"untagged":false}',
      },
    ],
    scope_selectors: {
      repository: [
        { kind: 'doublestar', decoration: 'repoMatches', pattern: '**' },
      ],
    },
  });

  beforeAll(async () => {
    registry = HarborRegistry.create();
    for (let n = 1; n <= 6; n++) {
      registry.publish({
        project: 'acme',
        repository: 'orders',
        commitSha: sha(n),
        pushTime: `2026-01-0${n}T00:00:00Z`,
        multiArch: n === 2,
      });
    }
    const app = express();
    app.use(
      '/api/v2.0',
      createHarborRouter({ registry, username: 'admin', password: 'secret' }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise(resolve => server.once('listening', resolve));
    base = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/v2.0`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('creates, reads and updates a policy bound to the project, runs dry and for real, never deletes an immutable tag', async () => {
    const project = await getJson('/projects/acme');
    expect(project.metadata.retention_id).toBeUndefined();
    const policy = {
      algorithm: 'or',
      rules: [rule('latestPushedK', '**', { latestPushedK: 2 })],
      trigger: { kind: 'Schedule', settings: { cron: '' }, references: {} },
      scope: { level: 'project', ref: project.project_id },
    };
    expect(harbor.errors('RetentionPolicy', policy)).toEqual([]);
    const created = await send('POST', '/retentions', policy);
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const id = Number(location.split('/').pop());
    const again = await send('POST', '/retentions', policy);
    expect(again.status).toBe(400);
    expect(harbor.errors('Errors', await again.json())).toEqual([]);

    const bound = await getJson('/projects/acme');
    expect(harbor.errors('Project', bound)).toEqual([]);
    expect(bound.metadata.retention_id).toBe(String(id));
    const stored = await getJson(`/retentions/${id}`);
    expect(harbor.errors('RetentionPolicy', stored)).toEqual([]);
    expect(stored.rules).toHaveLength(1);

    // Keep the last 2 pushed, plus sha(1) always; sha(3) is immutable.
    const updated = await send('PUT', `/retentions/${id}`, {
      ...policy,
      rules: [
        rule('latestPushedK', '**', { latestPushedK: 2 }),
        rule('always', `{${sha(1)},${sha(9)}}`),
      ],
    });
    expect(updated.status).toBe(200);
    const immutable = {
      disabled: false,
      action: 'immutable',
      template: 'immutable_template',
      tag_selectors: [
        { kind: 'doublestar', decoration: 'matches', pattern: sha(3) },
      ],
      scope_selectors: {
        repository: [
          { kind: 'doublestar', decoration: 'repoMatches', pattern: '**' },
        ],
      },
    };
    expect(harbor.errors('ImmutableRule', immutable)).toEqual([]);
    const createdRule = await send(
      'POST',
      '/projects/acme/immutabletagrules',
      immutable,
    );
    expect(createdRule.status).toBe(201);
    const rules = await getJson('/projects/acme/immutabletagrules');
    for (const r of rules)
      expect(harbor.errors('ImmutableRule', r)).toEqual([]);
    expect(rules).toHaveLength(1);
    const tags = await getJson(
      `/projects/acme/repositories/orders/artifacts/${sha(3)}/tags`,
    );
    expect(tags[0].immutable).toBe(true);
    for (const tag of tags) expect(harbor.errors('Tag', tag)).toEqual([]);

    const dry = await send('POST', `/retentions/${id}/executions`, {
      dry_run: true,
    });
    expect(dry.status).toBe(201);
    const executions = await getJson(`/retentions/${id}/executions`);
    expect(executions).toHaveLength(1);
    for (const e of executions)
      expect(harbor.errors('RetentionExecution', e)).toEqual([]);
    expect(executions[0].dry_run).toBe(true);
    const tasks = await getJson(
      `/retentions/${id}/executions/${executions[0].id}/tasks`,
    );
    for (const t of tasks)
      expect(harbor.errors('RetentionExecutionTask', t)).toEqual([]);
    expect(tasks).toEqual([
      expect.objectContaining({ repository: 'orders', total: 6, retained: 4 }),
    ]);
    const log = await send(
      'GET',
      `/retentions/${id}/executions/${executions[0].id}/tasks/${tasks[0].id}`,
    );
    expect(log.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await log.text();
    expect(text.split('\n').filter(l => l.endsWith('| DEL |'))).toHaveLength(2);
    // A dry run deletes nothing.
    expect(
      registry.listArtifacts('acme', 'orders').filter(a => !a.child),
    ).toHaveLength(6);

    await send('POST', `/retentions/${id}/executions`, { dry_run: false });
    const left = registry
      .listArtifacts('acme', 'orders')
      .map(a => a.tags[0]?.name)
      .filter(Boolean)
      .sort();
    // Kept: the last two pushed (5, 6), the always-kept 1, the immutable 3;
    // deleted: 2 (an index, with its platform manifests) and 4.
    expect(left).toEqual([sha(1), sha(3), sha(5), sha(6)]);
    expect(registry.listArtifacts('acme', 'orders')).toHaveLength(4);

    const ruleId = rules[0].id;
    expect(
      (
        await send('PUT', `/projects/acme/immutabletagrules/${ruleId}`, {
          ...immutable,
          disabled: true,
        })
      ).status,
    ).toBe(200);
    expect(
      (await getJson('/projects/acme/immutabletagrules'))[0].disabled,
    ).toBe(true);
    expect(
      (await send('DELETE', `/projects/acme/immutabletagrules/${ruleId}`))
        .status,
    ).toBe(200);
    expect(await getJson('/projects/acme/immutabletagrules')).toEqual([]);
  });

  it('refuses what Harbor refuses: unknown templates, more than 15 rules, unknown policies', async () => {
    const project = await getJson('/projects/acme');
    const id = Number(project.metadata.retention_id);
    const policy = (rules: unknown[]) => ({
      algorithm: 'or',
      rules,
      trigger: { kind: 'Schedule', settings: {}, references: {} },
      scope: { level: 'project', ref: project.project_id },
    });
    const tooMany = await send(
      'PUT',
      `/retentions/${id}`,
      policy(Array.from({ length: 16 }, () => rule('always', '**'))),
    );
    expect(tooMany.status).toBe(400);
    const unknown = await send(
      'PUT',
      `/retentions/${id}`,
      policy([rule('latestPulledN', '**', { latestPulledN: 1 })]),
    );
    expect(unknown.status).toBe(400);
    const missing = await send('GET', '/retentions/999');
    expect(missing.status).toBe(404);
    expect(harbor.errors('Errors', await missing.json())).toEqual([]);
    const unauthorized = await fetch(`${base}/retentions/${id}`);
    expect(unauthorized.status).toBe(401);
  });
});
