/* eslint-disable @backstage/no-forbidden-package-imports */
import { ConfigReader } from '@backstage/config';
import { createHarborRetentionEnsureAction } from '@slipway/plugin-scaffolder-backend-module-slipway';
// The scaffolder module's template runner: renders the service template as
// the scaffolder does and replays the steps it only recorded.
import { TEMPLATES_DIR } from '@slipway/plugin-scaffolder-backend-module-slipway/src/__testUtils__/paths';
import { runRecordedSteps } from '@slipway/plugin-scaffolder-backend-module-slipway/src/__testUtils__/recordedSteps';
import {
  runTemplate,
  templateFile,
} from '@slipway/plugin-scaffolder-backend-module-slipway/src/__testUtils__/templateRunner';
import {
  NO_PROTECTED_TAGS_PATTERN,
  slipwayRuleMark,
} from '@slipway/plugin-slipway-node';
import fs from 'node:fs';
import path from 'node:path';
import {
  REGISTRY_HOST,
  tempDir,
  useTestSandbox,
} from '../__testUtils__/promotionWiring';

// Integration test: a whole sandbox and a rendered service template on a
// loaded 2-core machine.
jest.setTimeout(180_000);

const HARBOR_USER = 'admin';
const HARBOR_PASSWORD = 'sandbox-harbor-password';
const KEEP_LAST_PUSHED = 1;

describe('the service template sets the Harbor project’s retention policy in the sandbox Harbor', () => {
  const testSandbox = useTestSandbox('slipway-retention-template');
  let scratch: string;

  beforeAll(() => {
    scratch = tempDir('slipway-retention-template-run-');
  });

  afterAll(async () => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const harbor = async (method: string, apiPath: string, body?: unknown) =>
    fetch(`${testSandbox().urls.harbor}/api/v2.0${apiPath}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(
          `${HARBOR_USER}:${HARBOR_PASSWORD}`,
        ).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const json = async (apiPath: string) => {
    const response = await harbor('GET', apiPath);
    expect(response.status).toBe(200);
    return response.json();
  };

  it('creates the policy with both rules, keeps one policy when re-run, and the policy keeps the last pushed and nothing more', async () => {
    expect((await json('/projects/acme')).metadata?.retention_id).toBe(
      undefined,
    );
    const file = templateFile(TEMPLATES_DIR, 'service');
    const workspace = path.join(scratch, 'workspace');
    fs.mkdirSync(workspace);
    const run = await runTemplate({
      templateFile: file,
      parameters: {
        name: 'ledger-api',
        language: 'go',
        description: 'Keeps the ledger',
        owner: 'group:default/team-payments',
        ciProvider: 'github-actions',
        repoUrl: '127.0.0.1:7101?owner=acme&repo=ledger-api',
        registry: 'harbor',
        registryHost: REGISTRY_HOST,
        registryNamespace: 'acme',
        cloudRegion: '',
        strategy: 'rolling',
        gitopsController: 'argocd',
        gitopsLayout: 'separate',
        gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
        gitopsCommitMode: 'direct',
        previewEnvironments: false,
        secrets: 'none',
      },
      workspace,
    });
    expect(run.steps['harbor-retention'].skipped).toBe(false);
    // The portal's configuration: the backend's Harbor and retention keys.
    const action = createHarborRetentionEnsureAction({
      config: new ConfigReader({
        slipway: {
          harbor: {
            url: testSandbox().urls.harbor,
            username: HARBOR_USER,
            password: HARBOR_PASSWORD,
          },
          retention: { keepLastPushed: KEEP_LAST_PUSHED },
        },
      }),
    });

    const first = await runRecordedSteps(file, run, [action], scratch);
    expect(first['harbor-retention']).toMatchObject({
      project: 'acme',
      policy: 'created',
      keepLastPushed: KEEP_LAST_PUSHED,
    });
    const retentionId = first['harbor-retention'].retentionId;
    const project = await json('/projects/acme');
    expect(project.metadata.retention_id).toBe(String(retentionId));
    const policy = await json(`/retentions/${retentionId}`);
    expect(policy.scope).toEqual({ level: 'project', ref: project.project_id });
    expect(
      policy.rules.map((rule: any) => [rule.template, slipwayRuleMark(rule)]),
    ).toEqual([
      ['latestPushedK', 'keep-last-pushed'],
      ['always', 'protected'],
    ]);
    expect(policy.rules[0].params).toEqual({ latestPushedK: KEEP_LAST_PUSHED });
    expect(policy.rules[1].tag_selectors[0].pattern).toBe(
      NO_PROTECTED_TAGS_PATTERN,
    );

    // Re-running the task: the same policy, unchanged, no second one.
    const second = await runRecordedSteps(file, run, [action], scratch);
    expect(second['harbor-retention']).toMatchObject({
      retentionId,
      policy: 'unchanged',
    });
    expect((await json('/projects/acme')).metadata.retention_id).toBe(
      String(retentionId),
    );
    expect((await harbor('GET', `/retentions/${retentionId + 1}`)).status).toBe(
      404,
    );
    expect((await json(`/retentions/${retentionId}`)).rules).toHaveLength(2);

    // Harbor's own dry run of the policy: the protected rule keeps nothing
    // (not everything), so each repository keeps exactly its last pushed.
    const execution = await harbor(
      'POST',
      `/retentions/${retentionId}/executions`,
      { dry_run: true },
    );
    expect(execution.status).toBe(201);
    const tasks = (await json(
      `${execution.headers.get('location')!.replace('/api/v2.0', '')}/tasks`,
    )) as { repository: string; total: number; retained: number }[];
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      expect({ repository: task.repository, retained: task.retained }).toEqual({
        repository: task.repository,
        retained: Math.min(KEEP_LAST_PUSHED, task.total),
      });
    }
    expect(tasks.some(task => task.total > task.retained)).toBe(true);
  });
});
