import { slipwayRuleMark } from '@slipway/plugin-slipway-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createHarborRetentionEnsureAction } from '../actions/harborRetentionEnsure';
import { fakeHarbor } from '../__testUtils__/fakeHarbor';
import { TEMPLATES_DIR } from '../__testUtils__/paths';
import { runRecordedSteps } from '../__testUtils__/recordedSteps';
import { runTemplate, templateFile } from '../__testUtils__/templateRunner';

// Renders the service template (skeleton files through fetch:template) on a
// loaded 2-core machine. The same step runs against the sandbox's Harbor in
// packages/backend/src/__tests__/retentionTemplate.sandbox.test.ts.
jest.setTimeout(120_000);

const PARAMETERS = {
  language: 'go',
  description: 'Keeps the ledger',
  owner: 'group:default/team-payments',
  system: 'shop',
  ciProvider: 'github-actions',
  registryHost: '127.0.0.1:7103',
  cloudRegion: '',
  strategy: 'rolling',
  gitopsController: 'argocd',
  gitopsLayout: 'separate',
  gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
  gitopsCommitMode: 'direct',
  previewEnvironments: false,
  secrets: 'none',
};

let root: string;
beforeAll(async () => {
  root = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'slipway-retention-template-'),
  );
});
afterAll(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

async function scaffold(name: string, parameters: Record<string, unknown>) {
  const workspace = path.join(root, name);
  await fs.promises.mkdir(workspace, { recursive: true });
  const file = templateFile(TEMPLATES_DIR, 'service');
  const run = await runTemplate({
    templateFile: file,
    parameters: {
      ...PARAMETERS,
      name,
      repoUrl: `127.0.0.1:7101?owner=acme&repo=${name}`,
      ...parameters,
    },
    workspace,
  });
  return { file, run };
}

describe('service template: the Harbor project’s retention policy', () => {
  it('sets the policy of the Harbor project (the first segment of the namespace), idempotently', async () => {
    const { file, run } = await scaffold('ret-harbor', {
      registry: 'harbor',
      registryNamespace: 'acme/payments',
    });
    expect(run.steps['harbor-retention']).toMatchObject({
      skipped: false,
      input: { project: 'acme' },
    });
    const harbor = fakeHarbor();
    const action = createHarborRetentionEnsureAction({ harbor: harbor.client });
    const first = await runRecordedSteps(file, run, [action], root);
    expect(first['harbor-retention']).toMatchObject({
      project: 'acme',
      policy: 'created',
    });
    const policy = harbor.policyOf('acme');
    expect(policy.rules.map(slipwayRuleMark)).toEqual([
      'keep-last-pushed',
      'protected',
    ]);
    // Re-running the task keeps one policy.
    const second = await runRecordedSteps(file, run, [action], root);
    expect(second['harbor-retention']).toMatchObject({
      retentionId: first['harbor-retention'].retentionId,
      policy: 'unchanged',
    });
    expect(harbor.writes()).toEqual(['POST /retentions']);
  });

  it('skips the step for registries other than Harbor', async () => {
    const { run } = await scaffold('ret-ghcr', {
      registry: 'ghcr',
      registryHost: 'ghcr.io',
      registryNamespace: 'acme',
    });
    expect(run.steps['harbor-retention'].skipped).toBe(true);
  });
});
