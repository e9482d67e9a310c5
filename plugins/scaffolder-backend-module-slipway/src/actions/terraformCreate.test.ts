import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { actionWorkspace, testContext } from '../__testUtils__/actionContext';
import { createTerraformCreateAction } from './terraformCreate';

const S3 = {
  backend: 's3',
  stateBucket: 'acme-terraform-state',
  stateRegion: 'eu-west-1',
  stateKeyPrefix: 'gitops',
};

describe('slipway:terraform:create', () => {
  const ws = actionWorkspace('slipway-terraform-', createTerraformCreateAction);
  const { run } = ws;

  function text(file: string) {
    return fs.readFileSync(path.join(ws.workspace, file), 'utf8');
  }

  it('writes a folder per configured environment and the CI of the chosen provider', async () => {
    const outputs = await run(S3);
    expect(outputs.environments).toEqual(['dev', 'staging', 'prod']);
    expect(outputs.files).toContain('.github/workflows/terraform.yaml');
    expect(outputs.files).toContain('terraform/environments/prod/backend.tf');
  });

  it('takes the environments from slipway.environments', async () => {
    const config = new ConfigReader({
      slipway: {
        environments: [
          { name: 'qa', syncMode: 'auto' },
          { name: 'live', syncMode: 'manual' },
        ],
      },
    });
    const { ctx, outputs } = testContext({
      input: { ...S3, ciProvider: 'gitlab-ci' },
      workspacePath: ws.workspace,
      scratchRoot: ws.workspace,
    });
    await createTerraformCreateAction({ config }).handler(ctx);
    expect(outputs.environments).toEqual(['qa', 'live']);
    expect(text('.gitlab-ci.yml')).toContain('apply:live');
  });

  it.each([
    [
      'a bucket breaking out of its HCL string',
      { stateBucket: 'x" \n evil = "1' },
    ],
    [
      'a template interpolation in the bucket',
      { stateBucket: '${file("/etc/passwd")}' },
    ],
    ['a region with a quote', { stateRegion: 'eu-west-1"' }],
    ['a key prefix with a path escape', { stateKeyPrefix: '../other' }],
  ])('refuses %s (no HCL injection)', async (_label, override) => {
    await expect(run({ ...S3, ...override })).rejects.toThrow(/Invalid/);
    expect(fs.existsSync(path.join(ws.workspace, 'terraform'))).toBe(false);
  });

  it('refuses an http backend address carrying credentials or plain http', async () => {
    const http = { backend: 'http', stateKeyPrefix: 'gitops' };
    await expect(
      run({
        ...http,
        httpAddress:
          'https://user:token@gitlab.com/api/v4/projects/1/terraform/state',
      }),
    ).rejects.toThrow(/without credentials/);
    await expect(
      run({
        ...http,
        httpAddress: 'http://gitlab.com/api/v4/projects/1/terraform/state',
      }),
    ).rejects.toThrow(/https/);
  });

  it('needs the settings of its backend', async () => {
    await expect(
      run({
        backend: 'azurerm',
        stateKeyPrefix: 'gitops',
        stateBucket: 'tfstate',
      }),
    ).rejects.toThrow(/Azure resource group/);
    await expect(
      run({ backend: 'gcs', stateKeyPrefix: 'gitops' }),
    ).rejects.toThrow(/GCS bucket/);
  });

  it('keeps files already there', async () => {
    fs.mkdirSync(path.join(ws.workspace, 'terraform/modules/platform'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(ws.workspace, 'terraform/modules/platform/main.tf'),
      '# mine\n',
    );
    const outputs = await run(S3);
    expect(outputs.files).not.toContain('terraform/modules/platform/main.tf');
    expect(text('terraform/modules/platform/main.tf')).toBe('# mine\n');
  });
});
