import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import {
  readContainedFile,
  writeContainedFile,
} from '@slipway/plugin-slipway-node';
import fs from 'fs/promises';
import { buildTerraformFiles, TerraformBackend } from '../manifests/terraform';
import { examples } from './terraformCreate.examples';
import { readSlipwayScaffolderConfig } from './scaffolderConfig';

/**
 * `slipway:terraform:create`: writes `terraform/` (shared module, a folder
 * per environment with its remote state backend) and its CI into a GitOps
 * repository's workspace.
 *
 * @public
 */
export function createTerraformCreateAction(options: { config?: Config } = {}) {
  const settings = readSlipwayScaffolderConfig(options.config);
  return createTemplateAction({
    id: 'slipway:terraform:create',
    description:
      'Writes terraform/modules/platform/ (the shared module, provider-free to start with), terraform/environments/<env>/ per environment (the module, a remote state backend s3, gcs, azurerm or http keyed <keyPrefix>/<env>, outputs) and CI: .github/workflows/terraform.yaml or .gitlab-ci.yml with fmt -check and validate on every change, a plan per environment posted on every pull or merge request, apply from the default branch behind a protected environment per Terraform environment, and nightly drift detection (plan -detailed-exitcode) that opens or updates one issue. Takes names and addresses only, never credentials. Files already present are kept.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        backend: z =>
          z
            .enum(['s3', 'gcs', 'azurerm', 'http'])
            .describe('Remote state backend'),
        stateBucket: z =>
          z
            .string()
            .optional()
            .describe('s3 / gcs: bucket; azurerm: container'),
        stateRegion: z => z.string().optional().describe('s3: region'),
        azureResourceGroup: z =>
          z
            .string()
            .optional()
            .describe('azurerm: resource group of the storage account'),
        azureStorageAccount: z =>
          z.string().optional().describe('azurerm: storage account'),
        httpAddress: z =>
          z
            .string()
            .optional()
            .describe(
              'http: base address (https); each environment uses <address>/<env>, e.g. GitLab-managed state https://gitlab.com/api/v4/projects/<id>/terraform/state',
            ),
        stateKeyPrefix: z =>
          z
            .string()
            .describe('Prefix of every state key, e.g. the repository name'),
        ciProvider: z =>
          z
            .enum(['github-actions', 'gitlab-ci'])
            .default('github-actions')
            .describe('CI that runs fmt, validate, plan, apply and drift'),
        environments: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Environments in promotion order. Default: slipway.environments',
            ),
        defaultBranch: z =>
          z.string().default('main').describe('Branch apply runs from'),
        targetPath: z =>
          z
            .string()
            .default('.')
            .describe('Workspace folder that stands for the repository root'),
      },
      output: {
        files: z => z.array(z.string()).describe('Files written'),
        environments: z =>
          z.array(z.string()).describe('Environment folders generated'),
      },
    },
    async handler(ctx) {
      const input = {
        ...ctx.input,
        ciProvider: ctx.input.ciProvider ?? 'github-actions',
        defaultBranch: ctx.input.defaultBranch ?? 'main',
        targetPath: ctx.input.targetPath ?? '.',
      };
      const environments =
        input.environments && input.environments.length > 0
          ? input.environments
          : settings.environments.map(e => e.name);
      const files = buildTerraformFiles({
        environments,
        ciProvider: input.ciProvider,
        defaultBranch: input.defaultBranch,
        backend: {
          type: input.backend as TerraformBackend,
          bucket: input.stateBucket || undefined,
          region: input.stateRegion || undefined,
          resourceGroup: input.azureResourceGroup || undefined,
          storageAccount: input.azureStorageAccount || undefined,
          address: input.httpAddress || undefined,
          keyPrefix: input.stateKeyPrefix,
        },
      });
      const targetPath =
        input.targetPath === '.'
          ? '.'
          : normalizeRepoPath(input.targetPath, 'target path');
      const root = resolveSafeChildPath(ctx.workspacePath, targetPath);
      const written: string[] = [];
      for (const file of files) {
        if ((await readContainedFile(root, file.path)) !== undefined) continue;
        if (!ctx.isDryRun) {
          await fs.mkdir(root, { recursive: true });
          await writeContainedFile(root, file.path, file.content);
        }
        written.push(file.path);
      }
      ctx.logger.info(
        `Terraform for ${environments.join(', ')} (${input.backend} state, ${
          input.ciProvider
        }): ${written.length} files`,
      );
      ctx.output('files', written);
      ctx.output('environments', environments);
    },
  });
}
