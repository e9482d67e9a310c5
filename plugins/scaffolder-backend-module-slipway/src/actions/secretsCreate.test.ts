import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { parse as parseYaml } from 'yaml';
import { actionWorkspace, testContext } from '../__testUtils__/actionContext';
import { createGitOpsAppCreateAction } from './gitopsAppCreate';
import { createSecretsCreateAction } from './secretsCreate';
import { EXAMPLE_AGE_RECIPIENTS } from './secretsCreate.examples';

const APP = {
  name: 'payments-api',
  owner: 'group:default/team-payments',
};
const RECIPIENTS = Object.entries(EXAMPLE_AGE_RECIPIENTS).map(
  ([environment, recipient]) => ({ environment, recipient }),
);

describe('slipway:secrets:create', () => {
  const ws = actionWorkspace('slipway-secrets-', createSecretsCreateAction);
  const { run, read } = ws;

  async function scaffoldApp(config?: ConfigReader) {
    const { ctx } = testContext({
      input: {
        name: APP.name,
        image: 'harbor.example.com/acme/payments-api',
      },
      workspacePath: ws.workspace,
      scratchRoot: ws.workspace,
    });
    await createGitOpsAppCreateAction({ config }).handler(ctx);
  }

  function text(file: string) {
    return fs.readFileSync(path.join(ws.workspace, file), 'utf8');
  }

  it('sealed-secrets: lists one strict-scope SealedSecret per overlay, once, even when run twice', async () => {
    await scaffoldApp();
    await run({ ...APP, provider: 'sealed-secrets' });
    const second = await run({ ...APP, provider: 'sealed-secrets' });
    expect(second.files).toEqual([]);
    for (const env of ['dev', 'staging', 'prod']) {
      const overlay = `apps/payments-api/overlays/${env}`;
      const resources = read(`${overlay}/kustomization.yaml`).resources;
      expect(
        resources.filter((r: string) => r === 'sealed-secret.yaml'),
      ).toHaveLength(1);
      expect(read(`${overlay}/sealed-secret.yaml`).metadata).toEqual({
        name: 'payments-api-secrets',
        namespace: `payments-api-${env}`,
      });
    }
  });

  it('takes the namespaces from config, like the overlays', async () => {
    const config = new ConfigReader({
      slipway: {
        scaffolder: { environments: [{ name: 'prod', namespace: 'payments' }] },
      },
    });
    await scaffoldApp(config);
    const { ctx } = testContext({
      input: {
        ...APP,
        provider: 'external-secrets',
        vaultServer: 'https://vault.example.com',
      },
      workspacePath: ws.workspace,
      scratchRoot: ws.workspace,
    });
    await createSecretsCreateAction({ config }).handler(ctx);
    expect(
      read('apps/payments-api/overlays/prod/external-secret.yaml').metadata
        .namespace,
    ).toBe('payments');
  });

  it('refuses a private age key given as a recipient (no private key ever lands in a repository)', async () => {
    await scaffoldApp();
    const secretKey = `AGE-SECRET-KEY-1${'Q'.repeat(58)}`;
    await expect(
      run({
        ...APP,
        provider: 'sops',
        ageRecipients: [
          ...RECIPIENTS.filter(r => r.environment !== 'prod'),
          { environment: 'prod', recipient: secretKey },
        ],
      }),
    ).rejects.toThrow(/Invalid age recipient for prod/);
    expect(
      fs.existsSync(
        path.join(
          ws.workspace,
          'apps/payments-api/overlays/dev/secret.sops.yaml',
        ),
      ),
    ).toBe(false);
  });

  it('sops: needs a recipient for every environment', async () => {
    await scaffoldApp();
    await expect(
      run({ ...APP, provider: 'sops', ageRecipients: RECIPIENTS.slice(0, 2) }),
    ).rejects.toThrow(/age recipient for environment prod/);
  });

  it('sops: merges .sops.yaml, keeping existing rules and putting missing ones first', async () => {
    fs.writeFileSync(
      path.join(ws.workspace, '.sops.yaml'),
      '# team rules\ncreation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: age1existing\n',
    );
    const outputs = await run({
      provider: 'sops',
      sopsConfig: true,
      ageRecipients: RECIPIENTS,
    });
    expect(outputs.files).toEqual(['.sops.yaml']);
    const content = text('.sops.yaml');
    expect(content).toMatch(/^# team rules/);
    const rules = parseYaml(content).creation_rules;
    expect(rules.map((r: any) => r.age)).toEqual([
      ...Object.values(EXAMPLE_AGE_RECIPIENTS),
      'age1existing',
    ]);
    const again = await run({
      provider: 'sops',
      sopsConfig: true,
      ageRecipients: RECIPIENTS,
    });
    expect(again.files).toEqual([]);
  });

  it('external-secrets: refuses a Vault address carrying credentials or plain http', async () => {
    await scaffoldApp();
    await expect(
      run({
        ...APP,
        provider: 'external-secrets',
        vaultServer: 'https://root:s3cret@vault.example.com',
      }),
    ).rejects.toThrow(/credentials/);
    await expect(
      run({
        ...APP,
        provider: 'external-secrets',
        vaultServer: 'http://vault.example.com',
      }),
    ).rejects.toThrow(/https/);
    await expect(run({ ...APP, provider: 'external-secrets' })).rejects.toThrow(
      /Vault server address/,
    );
  });

  it('refuses an overlay folder owned by another application', async () => {
    await scaffoldApp();
    await expect(
      run({
        ...APP,
        name: 'other-app',
        gitopsPath: 'apps/payments-api',
        provider: 'sealed-secrets',
      }),
    ).rejects.toThrow();
  });

  it('needs the overlays first', async () => {
    await expect(run({ ...APP, provider: 'sealed-secrets' })).rejects.toThrow(
      /run slipway:gitops:app:create first/,
    );
  });

  it('none writes nothing', async () => {
    await scaffoldApp();
    expect((await run({ ...APP, provider: 'none' })).files).toEqual([]);
  });
});
