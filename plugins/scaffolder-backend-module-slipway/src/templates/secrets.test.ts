/* eslint-disable jest/no-conditional-expect */
import { randomBytes } from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { createSecretsCreateAction } from '../actions/secretsCreate';
import { EXAMPLE_AGE_RECIPIENTS } from '../actions/secretsCreate.examples';
import { createTerraformCreateAction } from '../actions/terraformCreate';
import {
  kustomizeBuild,
  listFiles,
  validateObjects,
} from '../__testUtils__/checks';
import { TEMPLATES_DIR } from '../__testUtils__/paths';
import { runRecordedSteps } from '../__testUtils__/recordedSteps';
import { runTemplate, templateFile } from '../__testUtils__/templateRunner';

// Renders 8 service variants and a GitOps repository, each overlay through
// kubectl and every object through the schema validator (child processes):
// sized for a cold, loaded 2-core machine.
jest.setTimeout(180_000);

const PROVIDERS = [
  'none',
  'sops',
  'sealed-secrets',
  'external-secrets',
] as const;
const CONTROLLERS = [
  { controller: 'argocd', layout: 'separate' },
  { controller: 'flux', layout: 'in-repo' },
] as const;
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const RECIPIENTS = ENVIRONMENTS.map(environment => ({
  environment,
  recipient: EXAMPLE_AGE_RECIPIENTS[environment],
}));
const VAULT = 'https://vault.example.com:8200';
const ACTIONS = [createSecretsCreateAction(), createTerraformCreateAction()];
const ENCRYPTED =
  /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:str\]$/;

/**
 * A value standing for a secret: passed with the form's parameters (where a
 * careless template could pick it up) and in the backend's environment. No
 * input of the secrets choice carries a value, so it must appear nowhere.
 */
const SENTINEL = `sentinel-${randomBytes(12).toString('hex')}`;

let root: string;
beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'slipway-secrets-'));
  process.env.SLIPWAY_TEST_SECRET = SENTINEL;
});
afterAll(async () => {
  delete process.env.SLIPWAY_TEST_SECRET;
  if (!process.env.SLIPWAY_KEEP_OUTPUT) {
    await fs.promises.rm(root, { recursive: true, force: true });
  }
});

function documentsOf(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(Boolean);
}

/** Every file under a folder, with its content. */
function readTree(dir: string): { file: string; content: string }[] {
  return listFiles(dir).map(file => ({
    file,
    content: fs.readFileSync(path.join(dir, file), 'utf8'),
  }));
}

/**
 * Problems of a generated tree: the sentinel anywhere, or a Secret whose
 * data is not SOPS ciphertext (a plaintext Secret in Git).
 */
function plaintextProblems(
  files: { file: string; content: string }[],
): string[] {
  const problems: string[] = [];
  for (const { file, content } of files) {
    if (content.includes(SENTINEL)) problems.push(`${file}: sentinel`);
    if (!/\.ya?ml$/.test(file)) continue;
    for (const document of parseAllDocuments(content)) {
      const object = document.toJS() as any;
      if (object?.kind !== 'Secret') continue;
      const values = Object.values({
        ...(object.data ?? {}),
        ...(object.stringData ?? {}),
      });
      if (!object.sops || values.some(v => !ENCRYPTED.test(String(v)))) {
        problems.push(`${file}: Secret ${object.metadata?.name} in plaintext`);
      }
    }
  }
  return problems;
}

describe('service template, every secrets choice', () => {
  const variants = PROVIDERS.flatMap(provider =>
    CONTROLLERS.map(c => ({ provider, ...c })),
  );
  it.each(
    variants.map(
      (v, i) =>
        [`${v.provider} on ${v.controller} (${v.layout})`, v, i] as const,
    ),
  )('%s', async (_label, variant, index) => {
    const name = `sec-${index}`;
    const workspace = path.join(root, `variant-${index}`);
    await fs.promises.mkdir(workspace, { recursive: true });
    const file = templateFile(TEMPLATES_DIR, 'service');
    const run = await runTemplate({
      templateFile: file,
      parameters: {
        name,
        language: 'typescript',
        description: 'Keeps the ledger',
        owner: 'group:default/team-payments',
        system: 'shop',
        ciProvider: 'github-actions',
        repoUrl: `127.0.0.1:7101?owner=acme&repo=${name}`,
        registry: 'harbor',
        registryHost: '127.0.0.1:7103',
        registryNamespace: 'acme',
        cloudRegion: '',
        strategy: 'rolling',
        gitopsController: variant.controller,
        gitopsLayout: variant.layout,
        gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
        gitopsCommitMode: 'direct',
        previewEnvironments: false,
        secrets: variant.provider,
        sopsAgeRecipients: RECIPIENTS,
        vaultServer: VAULT,
        // Not a parameter of the template: what a form could carry by mistake.
        secretValue: SENTINEL,
      },
      workspace,
    });
    await runRecordedSteps(file, run, ACTIONS, workspace);
    expect(run.steps.secrets.skipped).toBe(variant.provider === 'none');

    const inRepo = variant.layout === 'in-repo';
    const repoRoot = path.join(workspace, inRepo ? 'service' : 'gitops');
    const gitopsPath = inRepo ? 'gitops' : `apps/${name}`;
    const problems: string[] = [];
    const entries: { source: string; object: unknown }[] = [];

    for (const env of ENVIRONMENTS) {
      const overlay = path.join(repoRoot, gitopsPath, 'overlays', env);
      const namespace = `${name}-${env}`;
      const objects = await kustomizeBuild(overlay);
      for (const object of objects) {
        entries.push({ source: `overlay ${env}`, object });
      }
      // No Secret is ever rendered from Git: controllers make them in-cluster.
      expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
      const secretKinds = objects
        .map(o => o.kind)
        .filter(kind =>
          [
            'SealedSecret',
            'SecretStore',
            'ExternalSecret',
            'ServiceAccount',
          ].includes(kind),
        )
        .sort();
      const overlayFiles = listFiles(overlay);

      if (variant.provider === 'none' || variant.provider === 'sops') {
        expect(secretKinds).toEqual([]);
      }
      if (variant.provider === 'none') {
        expect(overlayFiles).not.toContain('secret.sops.yaml');
      }
      if (variant.provider === 'sops') {
        // A SOPS-format example, not listed until really encrypted.
        const [secret] = documentsOf(path.join(overlay, 'secret.sops.yaml'));
        expect(secret.kind).toBe('Secret');
        expect(secret.metadata).toMatchObject({
          name: `${name}-secrets`,
          namespace,
        });
        expect(secret.sops.age).toEqual([
          expect.objectContaining({
            recipient: EXAMPLE_AGE_RECIPIENTS[env],
          }),
        ]);
        expect(secret.sops.encrypted_regex).toBe('^(data|stringData)$');
        expect(secret.sops.mac).toMatch(ENCRYPTED);
        for (const value of Object.values(secret.stringData)) {
          expect(value).toMatch(ENCRYPTED);
        }
        expect(
          fs.readFileSync(path.join(overlay, 'secret.sops.yaml'), 'utf8'),
        ).toMatch(/^# PLACEHOLDER, not decryptable/);
        const kustomization = parseYaml(
          fs.readFileSync(path.join(overlay, 'kustomization.yaml'), 'utf8'),
        );
        expect(kustomization.resources).not.toContain('secret.sops.yaml');
      }
      if (variant.provider === 'sealed-secrets') {
        expect(secretKinds).toEqual(['SealedSecret']);
        const sealed = objects.find(o => o.kind === 'SealedSecret');
        // Strict scope: no scope annotation, bound to name and namespace.
        expect(sealed.metadata.name).toBe(`${name}-secrets`);
        expect(sealed.metadata.namespace).toBe(namespace);
        expect(
          Object.keys(sealed.metadata.annotations ?? {}).filter(a =>
            a.startsWith('sealedsecrets.bitnami.com/'),
          ),
        ).toEqual([]);
        expect(sealed.spec.template.metadata).toEqual({
          name: `${name}-secrets`,
          namespace,
        });
        expect(sealed.spec.encryptedData).toEqual({});
      }
      if (variant.provider === 'external-secrets') {
        expect(secretKinds).toEqual([
          'ExternalSecret',
          'SecretStore',
          'ServiceAccount',
        ]);
        const store = objects.find(o => o.kind === 'SecretStore');
        expect(store.metadata.namespace).toBe(namespace);
        expect(store.spec.provider.vault).toEqual({
          server: VAULT,
          path: 'secret',
          version: 'v2',
          auth: {
            kubernetes: {
              mountPath: 'kubernetes',
              role: `team-payments-${env}`,
              serviceAccountRef: { name: 'vault-auth' },
            },
          },
        });
        const external = objects.find(o => o.kind === 'ExternalSecret');
        expect(external.spec).toMatchObject({
          secretStoreRef: { kind: 'SecretStore', name: 'vault' },
          target: { name: `${name}-secrets`, creationPolicy: 'Owner' },
          dataFrom: [{ extract: { key: `team-payments/${name}/${env}` } }],
        });
      }
    }

    // Repository-wide: in-repo SOPS writes the service repository's own
    // creation rules, whose first match for each overlay is its recipient.
    const sopsConfigFile = path.join(repoRoot, '.sops.yaml');
    expect(fs.existsSync(sopsConfigFile)).toBe(
      variant.provider === 'sops' && inRepo,
    );
    if (fs.existsSync(sopsConfigFile)) {
      const rules = parseYaml(fs.readFileSync(sopsConfigFile, 'utf8'))
        .creation_rules as { path_regex: string; age: string }[];
      for (const env of ENVIRONMENTS) {
        const target = `${gitopsPath}/overlays/${env}/secret.sops.yaml`;
        const match = rules.find(r => new RegExp(r.path_regex).test(target));
        expect(match?.age).toBe(EXAMPLE_AGE_RECIPIENTS[env]);
        const absolute = `/home/dev/src/${name}/${target}`;
        expect(
          rules.find(r => new RegExp(r.path_regex).test(absolute))?.age,
        ).toBe(EXAMPLE_AGE_RECIPIENTS[env]);
      }
      expect(
        rules.some(r => new RegExp(r.path_regex).test('gitops/base/x.yaml')),
      ).toBe(false);
    }

    // Flux: SOPS decryption on every Kustomization, with that environment's key.
    if (variant.controller === 'flux') {
      for (const env of ENVIRONMENTS) {
        const release = path.join(
          repoRoot,
          'gitops/flux/releases',
          name,
          `${env}.yaml`,
        );
        const [kustomization] = documentsOf(release);
        entries.push({ source: `flux ${env}`, object: kustomization });
        if (variant.provider === 'sops') {
          expect(kustomization.spec.decryption).toEqual({
            provider: 'sops',
            secretRef: { name: `sops-age-${env}` },
          });
        } else {
          expect(kustomization.spec.decryption).toBeUndefined();
        }
      }
    }

    problems.push(...(await validateObjects(entries)));
    // Nothing anywhere in what was generated carries the sentinel or a
    // plaintext Secret: the whole workspace (service and GitOps trees).
    problems.push(...plaintextProblems(readTree(workspace)));
    for (const { object } of entries) {
      if (JSON.stringify(object).includes(SENTINEL)) {
        problems.push('rendered object carries the sentinel');
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('GitOps repository template, secrets', () => {
  it('sops: .sops.yaml with one creation rule per environment, no private key, no sentinel', async () => {
    const workspace = path.join(root, 'gitops-repository-sops');
    await fs.promises.mkdir(workspace, { recursive: true });
    const file = templateFile(TEMPLATES_DIR, 'gitops-repository');
    const run = await runTemplate({
      templateFile: file,
      parameters: {
        name: 'gitops',
        description: 'GitOps',
        owner: 'group:default/platform-admins',
        argocdNamespace: 'argocd',
        repoUrl: '127.0.0.1:7101?owner=acme&repo=gitops',
        secrets: 'sops',
        sopsAgeRecipients: RECIPIENTS,
        secretValue: SENTINEL,
      },
      workspace,
    });
    await runRecordedSteps(file, run, ACTIONS, workspace);
    expect(run.steps.terraform.skipped).toBe(true);
    const content = fs.readFileSync(path.join(workspace, '.sops.yaml'), 'utf8');
    expect(content).not.toMatch(/AGE-SECRET-KEY/);
    const rules = parseYaml(content).creation_rules;
    expect(rules).toHaveLength(3);
    for (const env of ENVIRONMENTS) {
      const match = rules.find((r: any) =>
        new RegExp(r.path_regex).test(
          `apps/payments/overlays/${env}/secret.sops.yaml`,
        ),
      );
      expect(match).toEqual({
        path_regex: expect.any(String),
        encrypted_regex: '^(data|stringData)$',
        age: EXAMPLE_AGE_RECIPIENTS[env],
      });
    }
    expect(plaintextProblems(readTree(workspace))).toEqual([]);
  });

  it.each(['none', 'sealed-secrets', 'external-secrets'])(
    '%s: nothing repository-wide',
    async secrets => {
      const workspace = path.join(root, `gitops-repository-${secrets}`);
      await fs.promises.mkdir(workspace, { recursive: true });
      const file = templateFile(TEMPLATES_DIR, 'gitops-repository');
      const run = await runTemplate({
        templateFile: file,
        parameters: {
          name: 'gitops',
          owner: 'group:default/platform-admins',
          repoUrl: '127.0.0.1:7101?owner=acme&repo=gitops',
          secrets,
        },
        workspace,
      });
      expect(run.steps.secrets.skipped).toBe(true);
      expect(fs.existsSync(path.join(workspace, '.sops.yaml'))).toBe(false);
    },
  );
});
