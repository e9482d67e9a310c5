import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { normalizeRepoPath, overlayPath } from '@slipway/plugin-slipway-common';
import {
  ContainedFile,
  readContainedFile,
  writeContainedFile,
} from '@slipway/plugin-slipway-node';
import fs from 'fs/promises';
import { assertAppFolderOwnership } from '../manifests/appOwnership';
import {
  environmentNamespace,
  resolveEnvironments,
} from '../manifests/gitopsApp';
import {
  addOverlayResources,
  buildAppSecretsFiles,
  SecretsProvider,
  SOPS_CONFIG_FILE,
  sopsConfig,
} from '../manifests/secrets';
import { teamOfOwner } from './argocdAppCreate';
import { examples } from './secretsCreate.examples';
import { readSlipwayScaffolderConfig } from './scaffolderConfig';

/**
 * `slipway:secrets:create`: writes the secrets choice of an application
 * (per overlay) and/or of a repository (`.sops.yaml`). Never takes a secret
 * value: only public keys, names and addresses.
 *
 * @public
 */
export function createSecretsCreateAction(options: { config?: Config } = {}) {
  const settings = readSlipwayScaffolderConfig(options.config);
  return createTemplateAction({
    id: 'slipway:secrets:create',
    description:
      "Writes the secrets choice into the workspace. With a name, per overlay of <gitopsPath>/overlays/<env>: sops: secret.sops.yaml, a SOPS-format example Secret <name>-secrets with the environment's age recipient and placeholder ciphertext (not listed in the overlay until replaced by real `sops --encrypt` output); sealed-secrets: sealed-secret.yaml, a strict-scope SealedSecret <name>-secrets without data yet (fill with kubeseal --merge-into), listed; external-secrets: secret-store.yaml (ServiceAccount vault-auth and SecretStore vault: Vault KV v2, Kubernetes auth role <team>-<env>) and external-secret.yaml (ExternalSecret <name>-secrets extracting <team>/<name>/<env>), listed. With sopsConfig: .sops.yaml creation rules per environment at the target root, merged into an existing file. Takes public keys and addresses only, never a secret value.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        provider: z =>
          z
            .enum(['none', 'sops', 'sealed-secrets', 'external-secrets'])
            .describe('The secrets choice; none writes nothing'),
        name: z =>
          z
            .string()
            .optional()
            .describe(
              'Application name; without it only repository-wide files are written',
            ),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              'Owning group, e.g. group:default/team-payments; names the Vault role and path',
            ),
        gitopsPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Folder holding overlays/, relative to targetPath. Default apps/<name>',
            ),
        targetPath: z =>
          z
            .string()
            .default('.')
            .describe(
              'Workspace folder that stands for the GitOps repository root',
            ),
        sopsConfig: z =>
          z
            .boolean()
            .default(false)
            .describe(
              'sops: also write .sops.yaml (creation rules per environment) at the target root',
            ),
        ageRecipients: z =>
          z
            .array(
              z.object({
                environment: z.string().describe('Environment name'),
                recipient: z
                  .string()
                  .describe('age public key (age1…), never a private key'),
              }),
            )
            .optional()
            .describe('sops: one age recipient per environment'),
        vaultServer: z =>
          z
            .string()
            .optional()
            .describe(
              'external-secrets: Vault address, e.g. https://vault.example.com:8200',
            ),
        vaultKvMount: z =>
          z
            .string()
            .default('secret')
            .describe('external-secrets: Vault KV version 2 mount'),
        vaultAuthMount: z =>
          z
            .string()
            .default('kubernetes')
            .describe('external-secrets: Vault Kubernetes auth mount'),
      },
      output: {
        files: z => z.array(z.string()).describe('Files written or merged'),
        secretName: z =>
          z
            .string()
            .optional()
            .describe('The Secret the application reads, <name>-secrets'),
      },
    },
    async handler(ctx) {
      const input = {
        ...ctx.input,
        targetPath: ctx.input.targetPath ?? '.',
        sopsConfig: ctx.input.sopsConfig ?? false,
        vaultKvMount: ctx.input.vaultKvMount ?? 'secret',
        vaultAuthMount: ctx.input.vaultAuthMount ?? 'kubernetes',
      };
      const provider = input.provider as SecretsProvider;
      const targetPath =
        input.targetPath === '.'
          ? '.'
          : normalizeRepoPath(input.targetPath, 'target path');
      const recipients: Record<string, string> = {};
      for (const entry of input.ageRecipients ?? []) {
        if (recipients[entry.environment] !== undefined) {
          throw new InputError(
            `Two age recipients for environment ${entry.environment}`,
          );
        }
        recipients[entry.environment] = entry.recipient.trim();
      }
      const root = resolveSafeChildPath(ctx.workspacePath, targetPath);
      const writes: ContainedFile[] = [];

      let secretName: string | undefined;
      if (input.name !== undefined && provider !== 'none') {
        const app = input.name;
        if (!input.owner) {
          throw new InputError('The owner is needed with a name');
        }
        const team = teamOfOwner(input.owner);
        const gitopsPath = normalizeRepoPath(
          input.gitopsPath ?? `apps/${app}`,
          'GitOps path',
        );
        const environments = resolveEnvironments(
          settings.environments.map(e => e.name),
          settings.overrides,
        ).map(env => ({
          name: env.name,
          namespace: environmentNamespace(app, env),
        }));
        await assertAppFolderOwnership(root, gitopsPath, app);
        const generated = buildAppSecretsFiles({
          app,
          team,
          gitopsPath,
          provider,
          environments,
          ageRecipients: recipients,
          vault: {
            server: input.vaultServer ?? '',
            kvMount: input.vaultKvMount,
            authMount: input.vaultAuthMount,
          },
        });
        for (const env of environments) {
          const file = `${overlayPath(
            gitopsPath,
            env.name,
          )}/kustomization.yaml`;
          const existing = await readContainedFile(root, file);
          if (existing === undefined) {
            throw new InputError(
              `${file} does not exist: run slipway:gitops:app:create first`,
            );
          }
          const listed = generated.resources[env.name] ?? [];
          if (listed.length > 0) {
            const content = addOverlayResources(existing, listed);
            if (content !== existing) writes.push({ path: file, content });
          }
        }
        for (const file of generated.files) {
          if ((await readContainedFile(root, file.path)) === undefined) {
            writes.push(file);
          }
        }
        secretName = `${app}-secrets`;
      }

      if (provider === 'sops' && input.sopsConfig) {
        const existing = await readContainedFile(root, SOPS_CONFIG_FILE);
        const merged = sopsConfig(recipients, existing);
        if (merged.content !== existing) {
          writes.push({ path: SOPS_CONFIG_FILE, content: merged.content });
        }
      }

      if (!ctx.isDryRun) {
        await fs.mkdir(root, { recursive: true });
        for (const file of writes) {
          await writeContainedFile(root, file.path, file.content);
        }
      }
      ctx.logger.info(
        `Secrets (${provider}): ${writes.length} files written or merged`,
      );
      ctx.output(
        'files',
        writes.map(f => f.path),
      );
      if (secretName) ctx.output('secretName', secretName);
    },
  });
}
