import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse as parseYaml } from 'yaml';
import { testContext } from '../__testUtils__/actionContext';
import { startGitServer, TestGitServer } from '../__testUtils__/gitServer';
import { createArgoCdAppCreateAction } from './argocdAppCreate';
import { createGitOpsAppCreateAction } from './gitopsAppCreate';
import { createGitOpsCommitAction } from './gitopsCommit';

// Starts a git smart-HTTP server per test and pushes/clones through it.
jest.setTimeout(120_000);

const TOKEN = 'test-token-123456';
const IMAGE = 'harbor.example.com/acme/payments-api';
const PLATFORM_PROJECT = `# owned by the platform team
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: team-payments
  namespace: argocd
spec:
  sourceRepos:
    - https://example.com/other.git
  destinations:
    - server: https://kubernetes.default.svc
      namespace: other-dev
`;

describe('slipway:gitops:commit', () => {
  let server: TestGitServer;
  let tmp: string;
  let workspace: string;

  beforeEach(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'slipway-commit-'));
    workspace = path.join(tmp, 'workspace');
    await fs.promises.mkdir(workspace);
    server = await startGitServer({
      token: TOKEN,
      repos: {
        gitops: {
          'README.md': '# gitops\n',
          'projects/team-payments.yaml': PLATFORM_PROJECT,
        },
      },
    });
    const base = { workspacePath: workspace, scratchRoot: tmp };
    await createGitOpsAppCreateAction().handler(
      testContext({
        ...base,
        input: { name: 'payments-api', image: IMAGE, targetPath: 'gitops' },
      }).ctx,
    );
    await createArgoCdAppCreateAction().handler(
      testContext({
        ...base,
        input: {
          name: 'payments-api',
          owner: 'group:default/team-payments',
          repoUrl: server.url('gitops'),
          image: IMAGE,
          targetPath: 'gitops',
        },
      }).ctx,
    );
  });

  afterEach(async () => {
    await server.close();
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  function action() {
    const host = new URL(server.url('gitops')).host;
    return createGitOpsCommitAction({
      config: new ConfigReader({
        integrations: {
          github: [{ host, apiBaseUrl: server.apiBaseUrl, token: TOKEN }],
        },
      }),
    });
  }

  function run(
    input: Record<string, unknown>,
    taskId = 'task-1',
    secrets?: Record<string, string>,
  ) {
    return testContext({
      secrets,
      input: {
        repoUrl: server.url('gitops'),
        name: 'payments-api',
        sourcePath: 'gitops',
        ...input,
      },
      workspacePath: workspace,
      scratchRoot: tmp,
      taskId,
    });
  }

  it('commits the app folder directly and merges the team AppProject, keeping its comment', async () => {
    const { ctx, outputs } = run({});
    await action().handler(ctx);
    expect(outputs).toMatchObject({
      branch: 'main',
      alreadyApplied: false,
      changed: true,
    });
    const log = server.log('gitops');
    expect(log).toHaveLength(2);
    expect(log[0].message).toContain('Slipway-Scaffolder-Task: task-1');
    const project = server.show(
      'gitops',
      'main',
      'projects/team-payments.yaml',
    );
    expect(project.startsWith('# owned by the platform team\n')).toBe(true);
    const parsed = parseYaml(project);
    expect(parsed.spec.sourceRepos).toEqual([
      'https://example.com/other.git',
      server.url('gitops'),
    ]);
    expect(parsed.spec.destinations.map((d: any) => d.namespace)).toEqual([
      'other-dev',
      'payments-api-dev',
      'payments-api-staging',
      'payments-api-prod',
    ]);
    expect(
      server.show(
        'gitops',
        'main',
        'apps/payments-api/overlays/dev/kustomization.yaml',
      ),
    ).toContain('newTag: scaffolded');
  });

  it('a second task with the same files changes nothing', async () => {
    await action().handler(run({}, 'task-1').ctx);
    const second = run({}, 'task-2');
    await action().handler(second.ctx);
    expect(second.outputs).toMatchObject({
      changed: false,
      alreadyApplied: false,
    });
    expect(server.log('gitops')).toHaveLength(2);
  });

  it('pull request mode pushes a branch and opens one pull request, also when re-run', async () => {
    const first = run({ mode: 'pull-request' }, 'task-pr');
    await action().handler(first.ctx);
    expect(first.outputs.branch).toBe('slipway/scaffold-payments-api-task-pr');
    expect(first.outputs.pullRequestUrl).toBe(
      'http://example.test/acme/gitops/pull/1',
    );
    expect(server.log('gitops')).toHaveLength(1);
    expect(
      server.log('gitops', 'slipway/scaffold-payments-api-task-pr'),
    ).toHaveLength(2);

    const again = run({ mode: 'pull-request' }, 'task-pr');
    await action().handler(again.ctx);
    expect(again.outputs).toMatchObject({
      alreadyApplied: true,
      commitSha: first.outputs.commitSha,
    });
    expect(again.outputs.pullRequestUrl).toBe(first.outputs.pullRequestUrl);
    expect(server.pulls).toHaveLength(1);
  });

  it('dry run touches no remote', async () => {
    const { ctx, outputs } = run({});
    ctx.isDryRun = true;
    await action().handler(ctx);
    expect(outputs.files.length).toBeGreaterThan(10);
    expect(server.requests).toEqual([]);
  });

  it('wrong credentials fail without writing', async () => {
    const { ctx } = run({}, 'task-1', { gitopsToken: 'wrong-token-000' });
    await expect(action().handler(ctx)).rejects.toThrow();
    expect(server.log('gitops')).toHaveLength(1);
  });
});
