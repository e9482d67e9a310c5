import { InputError } from '@backstage/errors';
import { assertDnsLabel } from '@slipway/plugin-slipway-common';
import { ContainedFile } from '@slipway/plugin-slipway-node';
import { Document } from 'yaml';

/** Where Terraform keeps its state. @public */
export type TerraformBackend = 's3' | 'gcs' | 'azurerm' | 'http';

/** The state backends, in the order forms show them. @public */
export const TERRAFORM_BACKENDS: TerraformBackend[] = [
  's3',
  'gcs',
  'azurerm',
  'http',
];

/** The Terraform release the generated CI installs and the code requires. @public */
export const TERRAFORM_VERSION = '1.11.4';

/** Label (GitHub) / label (GitLab) of the one drift issue. @public */
export const DRIFT_ISSUE_LABEL = 'terraform-drift';

/** Title of the one drift issue the nightly job opens or updates. @public */
export const DRIFT_ISSUE_TITLE = 'Terraform drift detected';

/** Settings of the state backend: only names and addresses, no credentials. @public */
export interface TerraformBackendSettings {
  type: TerraformBackend;
  /** s3 and gcs: bucket; azurerm: container. */
  bucket?: string;
  /** s3: region. */
  region?: string;
  /** azurerm: resource group of the storage account. */
  resourceGroup?: string;
  /** azurerm: storage account. */
  storageAccount?: string;
  /** http: base address; each environment's state is `<address>/<env>`. */
  address?: string;
  /** Prefix of every state key (default: the repository name). */
  keyPrefix: string;
}

/** What {@link buildTerraformFiles} generates. @public */
export interface TerraformOptions {
  /** Environments, in promotion order: one folder and one apply job each. */
  environments: string[];
  backend: TerraformBackendSettings;
  ciProvider: 'github-actions' | 'gitlab-ci';
  /** Branch `apply` runs from. Default `main`. */
  defaultBranch?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;
const RESOURCE_GROUP = /^[A-Za-z0-9_.()-]{1,90}$/;
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const KEY_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,200}$/;

function required(value: string | undefined, what: string, pattern: RegExp) {
  if (!value || !pattern.test(value)) {
    throw new InputError(`Invalid or missing ${what}`);
  }
  return value;
}

function httpAddress(value: string | undefined): string {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw new InputError('Invalid or missing http backend address');
  }
  if (
    url.protocol !== 'https:' ||
    url.username ||
    url.password ||
    url.search ||
    url.hash
  ) {
    throw new InputError(
      'The http backend address must be https, without credentials, query or fragment (credentials come from TF_HTTP_USERNAME / TF_HTTP_PASSWORD)',
    );
  }
  if (!/^[A-Za-z0-9._~:/%-]+$/.test(url.href)) {
    throw new InputError('Invalid http backend address');
  }
  return url.href.replace(/\/$/, '');
}

/** A HCL string literal: JSON escaping plus HCL's template introducers. */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

type HclValue = string | boolean;

/** Attribute lines with `=` aligned, as `terraform fmt` writes them. */
function attributes(entries: [string, HclValue][], indent: string): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries
    .map(
      ([key, value]) =>
        `${indent}${key.padEnd(width)} = ${
          typeof value === 'boolean' ? String(value) : hclString(value)
        }\n`,
    )
    .join('');
}

function backendBlock(
  settings: TerraformBackendSettings,
  environment: string,
): string {
  const key = `${settings.keyPrefix}/${environment}`;
  let entries: [string, HclValue][];
  switch (settings.type) {
    case 's3':
      entries = [
        ['bucket', required(settings.bucket, 'S3 bucket', BUCKET)],
        ['key', `${key}/terraform.tfstate`],
        ['region', required(settings.region, 'S3 region', REGION)],
        ['encrypt', true],
        ['use_lockfile', true],
      ];
      break;
    case 'gcs':
      entries = [
        ['bucket', required(settings.bucket, 'GCS bucket', BUCKET)],
        ['prefix', key],
      ];
      break;
    case 'azurerm':
      entries = [
        [
          'resource_group_name',
          required(
            settings.resourceGroup,
            'Azure resource group',
            RESOURCE_GROUP,
          ),
        ],
        [
          'storage_account_name',
          required(
            settings.storageAccount,
            'Azure storage account',
            STORAGE_ACCOUNT,
          ),
        ],
        [
          'container_name',
          required(settings.bucket, 'Azure container', BUCKET),
        ],
        ['key', `${key}.tfstate`],
        ['use_azuread_auth', true],
      ];
      break;
    case 'http': {
      const address = `${httpAddress(settings.address)}/${environment}`;
      entries = [
        ['address', address],
        ['lock_address', `${address}/lock`],
        ['unlock_address', `${address}/lock`],
        ['lock_method', 'POST'],
        ['unlock_method', 'DELETE'],
      ];
      break;
    }
    default:
      throw new InputError(`Unknown Terraform backend ${settings.type}`);
  }
  return `  backend "${settings.type}" {\n${attributes(entries, '    ')}  }\n`;
}

const REQUIRED_VERSION = `>= ${TERRAFORM_VERSION.split('.')
  .slice(0, 2)
  .join('.')}.0`;

/** A file from its lines (each written as is, newline-terminated). */
function lines(...content: string[]): string {
  return `${content.join('\n')}\n`;
}

function moduleFiles(): Record<string, string> {
  const requiredVersion = `  required_version = ${hclString(REQUIRED_VERSION)}`;
  return {
    'versions.tf': lines(
      '# Add the providers your clusters need here (e.g. hashicorp/aws,',
      '# hashicorp/google, hashicorp/azurerm, hashicorp/kubernetes).',
      'terraform {',
      requiredVersion,
      '}',
    ),
    'variables.tf': lines(
      'variable "environment" {',
      `  description = ${hclString(
        'Environment this instance of the module builds',
      )}`,
      '  type        = string',
      '}',
      '',
      'variable "labels" {',
      '  description = "Labels every resource carries"',
      '  type        = map(string)',
      '  default     = {}',
      '}',
    ),
    'main.tf': lines(
      '# The module every environment instantiates: put the cluster and what it',
      '# needs here (network, cluster, node pools, DNS), once, and let each',
      '# environment differ only by its variables. It starts provider-free.',
      'locals {',
      '  labels = merge(var.labels, {',
      '    "slipway.dev/environment" = var.environment',
      '  })',
      '}',
      '',
      'resource "terraform_data" "environment" {',
      '  input = local.labels',
      '}',
    ),
    'outputs.tf': lines(
      'output "labels" {',
      '  description = "Labels of this environment"',
      '  value       = local.labels',
      '}',
    ),
  };
}

function environmentFiles(
  options: TerraformOptions,
  environment: string,
): Record<string, string> {
  return {
    'backend.tf': lines(
      '# Remote state. Credentials never live here: CI provides them (see',
      '# docs/templates.md, "Terraform in the GitOps repository").',
      'terraform {',
      `  required_version = ${hclString(REQUIRED_VERSION)}`,
      '',
      `${backendBlock(options.backend, environment)}}`,
    ),
    'main.tf': lines(
      'module "platform" {',
      '  source = "../../modules/platform"',
      '',
      `  environment = ${hclString(environment)}`,
      '  labels = {',
      `    "slipway.dev/state" = ${hclString(
        `${options.backend.keyPrefix}/${environment}`,
      )}`,
      '  }',
      '}',
    ),
    'outputs.tf': lines(
      'output "labels" {',
      '  value = module.platform.labels',
      '}',
    ),
  };
}

function toWorkflowYaml(value: unknown, comment: string): string {
  // Shared step objects are written out in full (workflows reject aliases).
  const document = new Document(value, { aliasDuplicateObjects: false });
  document.commentBefore = comment;
  return document.toString({ lineWidth: 0 });
}

/** The shell loop of the drift jobs: plan each environment, collect drift. */
function driftScript(environments: string[]): string {
  return [
    'drifted=""',
    `for env in ${environments.join(' ')}; do`,
    '  terraform -chdir="terraform/environments/$env" init -input=false',
    '  set +e',
    '  terraform -chdir="terraform/environments/$env" plan -detailed-exitcode -no-color -lock=false -input=false > "drift-$env.txt" 2>&1',
    '  code=$?',
    '  set -e',
    '  if [ "$code" -eq 2 ]; then',
    '    drifted="$drifted $env"',
    '  elif [ "$code" -ne 0 ]; then',
    '    cat "drift-$env.txt"',
    '    echo "terraform plan failed in $env" >&2',
    '    exit 1',
    '  fi',
    'done',
  ].join('\n');
}

const PLAN_COMMENT_SCRIPT = `const fs = require('fs');
const env = process.env.TF_ENV;
const marker = \`<!-- slipway-terraform-plan:\${env} -->\`;
const plan = fs.readFileSync(\`terraform/environments/\${env}/plan.txt\`, 'utf8');
const outcome = process.env.PLAN_OUTCOME;
const body = [
  marker,
  \`### Terraform plan: \${env} (\${outcome})\`,
  '<details><summary>Show plan</summary>',
  '',
  '\`\`\`',
  plan.length > 60000 ? '…' + plan.slice(-60000) : plan,
  '\`\`\`',
  '</details>',
].join('\\n');
const comments = await github.paginate(github.rest.issues.listComments, {
  ...context.repo,
  issue_number: context.issue.number,
  per_page: 100,
});
const existing = comments.find(c => c.body && c.body.startsWith(marker));
if (existing) {
  await github.rest.issues.updateComment({ ...context.repo, comment_id: existing.id, body });
} else {
  await github.rest.issues.createComment({ ...context.repo, issue_number: context.issue.number, body });
}
`;

const DRIFT_ISSUE_SCRIPT = `const fs = require('fs');
const title = process.env.ISSUE_TITLE;
const label = process.env.ISSUE_LABEL;
const environments = process.env.DRIFTED.trim().split(/\\s+/);
const run = \`\${context.serverUrl}/\${context.repo.owner}/\${context.repo.repo}/actions/runs/\${context.runId}\`;
let body = \`\\\`terraform plan -detailed-exitcode\\\` found drift in \${environments.join(', ')} ([run](\${run})).\\n\`;
for (const env of environments) {
  const plan = fs.readFileSync(\`drift-\${env}.txt\`, 'utf8');
  body += \`\\n<details><summary>\${env}</summary>\\n\\n\\\`\\\`\\\`\\n\${plan.slice(-20000)}\\n\\\`\\\`\\\`\\n</details>\\n\`;
}
const issues = await github.paginate(github.rest.issues.listForRepo, {
  ...context.repo,
  state: 'open',
  labels: label,
  per_page: 100,
});
const existing = issues.find(i => !i.pull_request && i.title === title);
if (existing) {
  await github.rest.issues.createComment({ ...context.repo, issue_number: existing.number, body });
} else {
  await github.rest.issues.create({ ...context.repo, title, labels: [label], body });
}
core.warning(\`Terraform drift in \${environments.join(', ')}\`);
`;

function githubWorkflow(options: TerraformOptions, branch: string): string {
  const paths = ['terraform/**', '.github/workflows/terraform.yaml'];
  const checkout = { uses: 'actions/checkout@v4.2.2' };
  const setup = {
    uses: 'hashicorp/setup-terraform@v3.1.2',
    with: { terraform_version: TERRAFORM_VERSION, terraform_wrapper: false },
  };
  const matrix = { environment: options.environments };
  const workflow = {
    name: 'Terraform',
    on: {
      pull_request: { paths },
      push: { branches: [branch], paths },
      schedule: [{ cron: '17 3 * * *' }],
      workflow_dispatch: {},
    },
    permissions: { contents: 'read' },
    concurrency: {
      group: 'terraform-${{ github.event_name }}-${{ github.ref }}',
      'cancel-in-progress': false,
    },
    env: { TF_IN_AUTOMATION: 'true', TF_INPUT: 'false' },
    jobs: {
      check: {
        name: 'fmt and validate',
        if: "github.event_name == 'pull_request' || github.event_name == 'push'",
        'runs-on': 'ubuntu-latest',
        steps: [
          checkout,
          setup,
          {
            name: 'terraform fmt',
            run: 'terraform fmt -check -recursive terraform',
          },
          {
            name: 'terraform validate',
            run: [
              'for dir in terraform/environments/*/; do',
              '  terraform -chdir="$dir" init -backend=false',
              '  terraform -chdir="$dir" validate',
              'done',
            ].join('\n'),
          },
        ],
      },
      plan: {
        name: 'plan (${{ matrix.environment }})',
        if: "github.event_name == 'pull_request'",
        needs: 'check',
        'runs-on': 'ubuntu-latest',
        permissions: {
          contents: 'read',
          'pull-requests': 'write',
          'id-token': 'write',
        },
        strategy: { 'fail-fast': false, matrix },
        env: { TF_ENV: '${{ matrix.environment }}' },
        steps: [
          checkout,
          setup,
          {
            name: 'terraform plan',
            id: 'plan',
            'working-directory':
              'terraform/environments/${{ matrix.environment }}',
            run: [
              'terraform init -input=false',
              'terraform plan -no-color -lock=false -input=false -out=tfplan > plan.txt 2>&1 || { cat plan.txt; exit 1; }',
              'cat plan.txt',
            ].join('\n'),
          },
          {
            name: 'Post the plan on the pull request',
            if: "always() && steps.plan.outcome != 'skipped'",
            uses: 'actions/github-script@v7.0.1',
            env: { PLAN_OUTCOME: '${{ steps.plan.outcome }}' },
            with: { script: PLAN_COMMENT_SCRIPT },
          },
        ],
      },
      apply: {
        name: 'apply (${{ matrix.environment }})',
        if: `github.event_name == 'push' && github.ref == 'refs/heads/${branch}'`,
        needs: 'check',
        'runs-on': 'ubuntu-latest',
        // A protected environment per Terraform environment: required
        // reviewers and the default branch as the only deployment branch.
        environment: 'terraform-${{ matrix.environment }}',
        permissions: { contents: 'read', 'id-token': 'write' },
        strategy: { 'fail-fast': true, 'max-parallel': 1, matrix },
        concurrency: { group: 'terraform-apply-${{ matrix.environment }}' },
        steps: [
          checkout,
          setup,
          {
            name: 'terraform apply',
            'working-directory':
              'terraform/environments/${{ matrix.environment }}',
            run: 'terraform init -input=false\nterraform apply -auto-approve -input=false',
          },
        ],
      },
      drift: {
        name: 'drift detection',
        if: "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
        'runs-on': 'ubuntu-latest',
        permissions: { contents: 'read', issues: 'write', 'id-token': 'write' },
        steps: [
          checkout,
          setup,
          {
            name: 'terraform plan -detailed-exitcode',
            id: 'drift',
            run: `${driftScript(
              options.environments,
            )}\necho "drifted=$drifted" >> "$GITHUB_OUTPUT"`,
          },
          {
            name: 'Open or update the drift issue',
            if: "steps.drift.outputs.drifted != ''",
            uses: 'actions/github-script@v7.0.1',
            env: {
              DRIFTED: '${{ steps.drift.outputs.drifted }}',
              ISSUE_TITLE: DRIFT_ISSUE_TITLE,
              ISSUE_LABEL: DRIFT_ISSUE_LABEL,
            },
            with: { script: DRIFT_ISSUE_SCRIPT },
          },
        ],
      },
    },
  };
  return toWorkflowYaml(
    workflow,
    ' Terraform: fmt and validate on every change, a plan per environment on\n' +
      ' every pull request (posted as a comment), apply from the default branch\n' +
      ' behind the protected environments terraform-<env>, nightly drift\n' +
      ' detection keeping one open issue. Generated by Slipway.',
  );
}

function gitlabPipeline(options: TerraformOptions, branch: string): string {
  const mergeRequest = { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' };
  const defaultBranchPush = {
    if: `$CI_COMMIT_BRANCH == "${branch}" && $CI_PIPELINE_SOURCE == "push"`,
  };
  const schedule = { if: '$CI_PIPELINE_SOURCE == "schedule"' };
  const notScheduled = { if: '$CI_PIPELINE_SOURCE != "schedule"' };
  const api = '$CI_API_V4_URL/projects/$CI_PROJECT_ID';
  const jobs: Record<string, unknown> = {
    fmt: {
      stage: 'validate',
      rules: [notScheduled],
      script: ['terraform fmt -check -recursive terraform'],
    },
    validate: {
      stage: 'validate',
      rules: [notScheduled],
      script: [
        [
          'for dir in terraform/environments/*/; do',
          '  terraform -chdir="$dir" init -backend=false || exit 1',
          '  terraform -chdir="$dir" validate || exit 1',
          'done',
        ].join('\n'),
      ],
    },
  };
  let previous: string | undefined;
  for (const env of options.environments) {
    const dir = `terraform/environments/${env}`;
    jobs[`plan:${env}`] = {
      stage: 'plan',
      rules: [mergeRequest],
      needs: ['fmt', 'validate'],
      variables: { TF_ENV: env },
      before_script: ['apk add --no-cache curl'],
      script: [
        `cd ${dir}`,
        'terraform init -input=false',
        'terraform plan -no-color -lock=false -input=false -out=tfplan > plan.txt 2>&1 || { cat plan.txt; exit 1; }',
        'cat plan.txt',
        [
          'printf \'### Terraform plan: %s\\n\\n<details><summary>Show plan</summary>\\n\\n```\\n\' "$TF_ENV" > note.md',
          'tail -c 60000 plan.txt >> note.md',
          "printf '\\n```\\n</details>\\n' >> note.md",
          `curl --fail --silent --show-error --request POST --header "PRIVATE-TOKEN: $TF_NOTE_TOKEN" --data-urlencode "body@note.md" "${api}/merge_requests/$CI_MERGE_REQUEST_IID/notes" > /dev/null`,
        ].join('\n'),
      ],
      artifacts: { paths: [`${dir}/plan.txt`], expire_in: '1 week' },
    };
    jobs[`apply:${env}`] = {
      stage: 'apply',
      rules: [defaultBranchPush],
      needs: previous ? [`apply:${previous}`] : ['fmt', 'validate'],
      // Protect terraform/<env> (Settings > CI/CD > Protected environments)
      // with approvals; resource_group keeps applies one at a time.
      environment: { name: `terraform/${env}`, action: 'start' },
      resource_group: `terraform-${env}`,
      script: [
        `cd ${dir}`,
        'terraform init -input=false',
        'terraform apply -auto-approve -input=false',
      ],
    };
    previous = env;
  }
  jobs.drift = {
    stage: 'drift',
    rules: [schedule],
    before_script: ['apk add --no-cache curl jq'],
    script: [
      driftScript(options.environments),
      [
        'if [ -z "$drifted" ]; then echo "No drift"; exit 0; fi',
        `title="${DRIFT_ISSUE_TITLE}"`,
        'body="terraform plan -detailed-exitcode found drift in:$drifted. Pipeline: $CI_PIPELINE_URL (plans in its artifacts)."',
        `issue=$(curl --fail --silent --show-error --get --header "PRIVATE-TOKEN: $TF_ISSUE_TOKEN" --data-urlencode "state=opened" --data-urlencode "labels=${DRIFT_ISSUE_LABEL}" --data-urlencode "in=title" --data-urlencode "search=$title" "${api}/issues" | jq -r --arg title "$title" '[.[] | select(.title == $title)][0].iid // empty')`,
        'if [ -n "$issue" ]; then',
        `  curl --fail --silent --show-error --request POST --header "PRIVATE-TOKEN: $TF_ISSUE_TOKEN" --data-urlencode "body=$body" "${api}/issues/$issue/notes" > /dev/null`,
        'else',
        `  curl --fail --silent --show-error --request POST --header "PRIVATE-TOKEN: $TF_ISSUE_TOKEN" --data-urlencode "title=$title" --data-urlencode "labels=${DRIFT_ISSUE_LABEL}" --data-urlencode "description=$body" "${api}/issues" > /dev/null`,
        'fi',
      ].join('\n'),
    ],
    artifacts: { paths: ['drift-*.txt'], when: 'always', expire_in: '1 week' },
  };
  const pipeline = {
    workflow: {
      rules: [
        mergeRequest,
        { if: `$CI_COMMIT_BRANCH == "${branch}"` },
        schedule,
      ],
    },
    stages: ['validate', 'plan', 'apply', 'drift'],
    variables: { TF_IN_AUTOMATION: 'true', TF_INPUT: 'false' },
    default: {
      image: {
        name: `hashicorp/terraform:${TERRAFORM_VERSION}`,
        entrypoint: [''],
      },
    },
    ...jobs,
  };
  return toWorkflowYaml(
    pipeline,
    ' Terraform: fmt and validate, a plan per environment on every merge\n' +
      ' request (posted as a note; CI/CD variable TF_NOTE_TOKEN), apply from the\n' +
      ' default branch behind the protected environments terraform/<env>, and a\n' +
      ' scheduled drift job keeping one open issue (TF_ISSUE_TOKEN). Generated\n' +
      ' by Slipway.',
  );
}

/**
 * Builds `terraform/` for a GitOps repository: `modules/platform/` (the
 * shared module, provider-free to start with), `environments/<env>/` per
 * environment (the module, a remote state backend keyed
 * `<prefix>/<env>`, outputs) and the CI of the chosen provider. HCL values
 * are validated and written as escaped string literals; the CI files are
 * objects serialised with `yaml`. Paths are relative to the repository root.
 *
 * @public
 */
export function buildTerraformFiles(
  options: TerraformOptions,
): ContainedFile[] {
  if (options.environments.length === 0) {
    throw new InputError('At least one environment is needed');
  }
  const seen = new Set<string>();
  for (const env of options.environments) {
    assertDnsLabel(env, 'environment');
    if (seen.has(env))
      throw new InputError(`Environment ${env} is listed twice`);
    seen.add(env);
  }
  required(options.backend.keyPrefix, 'state key prefix', KEY_PREFIX);
  const branch = options.defaultBranch ?? 'main';
  if (!BRANCH.test(branch) || branch.split('/').includes('..')) {
    throw new InputError('Invalid default branch');
  }
  if (!['github-actions', 'gitlab-ci'].includes(options.ciProvider)) {
    throw new InputError(`Unknown CI provider ${options.ciProvider}`);
  }
  const files: ContainedFile[] = [];
  for (const [name, content] of Object.entries(moduleFiles())) {
    files.push({ path: `terraform/modules/platform/${name}`, content });
  }
  for (const env of options.environments) {
    for (const [name, content] of Object.entries(
      environmentFiles(options, env),
    )) {
      files.push({ path: `terraform/environments/${env}/${name}`, content });
    }
  }
  files.push({
    path: 'terraform/.gitignore',
    content: '.terraform/\n*.tfplan\ntfplan\nplan.txt\ndrift-*.txt\n',
  });
  files.push(
    options.ciProvider === 'github-actions'
      ? {
          path: '.github/workflows/terraform.yaml',
          content: githubWorkflow(options, branch),
        }
      : { path: '.gitlab-ci.yml', content: gitlabPipeline(options, branch) },
  );
  return files;
}
