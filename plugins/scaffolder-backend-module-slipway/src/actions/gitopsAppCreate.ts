import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  normalizeRepoPath,
  SCAFFOLDED_IMAGE_TAG,
} from '@slipway/plugin-slipway-common';
import {
  readContainedFile,
  writeContainedFile,
} from '@slipway/plugin-slipway-node';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import fs from 'fs/promises';
import { assertAppFolderOwnership } from '../manifests/appOwnership';
import {
  buildGitOpsApp,
  DeliveryStrategy,
  environmentNamespace,
  resolveEnvironments,
} from '../manifests/gitopsApp';
import { examples } from './gitopsAppCreate.examples';
import { readSlipwayScaffolderConfig } from './scaffolderConfig';

/**
 * `slipway:gitops:app:create`: writes an application's Kustomize base and
 * one overlay per configured environment into the workspace.
 *
 * @public
 */
export function createGitOpsAppCreateAction(options: { config?: Config } = {}) {
  const settings = readSlipwayScaffolderConfig(options.config);
  return createTemplateAction({
    id: 'slipway:gitops:app:create',
    description:
      'Writes <gitopsPath>/base (workload for the delivery strategy, Service, HPA, PodDisruptionBudget) and <gitopsPath>/overlays/<env> for each configured environment (namespace, replicas, resources, ingress, image) into the workspace. Refuses a folder owned by another application; files already there are kept.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe(
              'Application name, a DNS-1123 label of at most 40 characters',
            ),
        image: z =>
          z
            .string()
            .describe(
              'Image repository without tag, e.g. harbor.example.com/acme/payments-api',
            ),
        tag: z =>
          z
            .string()
            .default(SCAFFOLDED_IMAGE_TAG)
            .describe(
              'Initial image tag in every overlay, until CI sets the first built commit SHA',
            ),
        gitopsPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Folder holding base/ and overlays/, relative to targetPath. Default apps/<name>',
            ),
        targetPath: z =>
          z
            .string()
            .default('.')
            .describe(
              'Workspace folder that stands for the GitOps repository root',
            ),
        strategy: z =>
          z
            .enum(['rolling', 'canary', 'blue-green'])
            .default('rolling')
            .describe(
              'rolling: Deployment; canary: Argo Rollout 5% → 25% → 100% with a health analysis; blue-green: Argo Rollout with a preview Service',
            ),
        port: z =>
          z
            .number()
            .int()
            .default(8080)
            .describe('Container port of the HTTP server'),
        healthPath: z =>
          z
            .string()
            .default('/healthz')
            .describe('HTTP path of the health endpoint'),
        ingressDomain: z =>
          z
            .string()
            .optional()
            .describe(
              'Domain of the ingress hosts <name>.<env>.<domain>; default from config or apps.example.com',
            ),
        environments: z =>
          z
            .array(
              z.object({
                name: z.string().describe('Environment name'),
                replicas: z.number().int().optional().describe('Replicas'),
                maxReplicas: z
                  .number()
                  .int()
                  .optional()
                  .describe('HPA maximum'),
                namespace: z.string().optional().describe('Namespace'),
                ingressHost: z.string().optional().describe('Ingress host'),
                resources: z
                  .object({
                    cpuRequest: z.string().optional(),
                    cpuLimit: z.string().optional(),
                    memoryRequest: z.string().optional(),
                    memoryLimit: z.string().optional(),
                  })
                  .optional()
                  .describe('Container resources'),
              }),
            )
            .optional()
            .describe(
              'Overrides per configured environment, applied over app config slipway.scaffolder.environments',
            ),
        previewEnvironments: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Also write overlays/preview/ (the first environment plus its own Namespace) for pull request previews',
            ),
      },
      output: {
        gitopsPath: z =>
          z.string().describe('Folder holding base/ and overlays/'),
        environments: z =>
          z
            .array(z.string())
            .describe('Environments an overlay was generated for'),
        namespaces: z =>
          z
            .record(z.string(), z.string())
            .describe('Namespace per environment'),
        written: z =>
          z.array(z.string()).describe('Files written, relative to targetPath'),
        kept: z =>
          z
            .array(z.string())
            .describe(
              'Files already present (same application) and left as they were',
            ),
      },
    },
    async handler(ctx) {
      // The scaffolder validates inputs but does not apply schema defaults.
      const input = {
        ...ctx.input,
        tag: ctx.input.tag ?? SCAFFOLDED_IMAGE_TAG,
        targetPath: ctx.input.targetPath ?? '.',
        strategy: ctx.input.strategy ?? 'rolling',
        port: ctx.input.port ?? 8080,
        healthPath: ctx.input.healthPath ?? '/healthz',
      };
      const app = input.name;
      const gitopsPath = normalizeRepoPath(
        input.gitopsPath ?? `apps/${app}`,
        'GitOps path',
      );
      const targetPath =
        input.targetPath === '.'
          ? '.'
          : normalizeRepoPath(input.targetPath, 'target path');
      const environments = resolveEnvironments(
        settings.environments.map(e => e.name),
        settings.overrides,
        input.environments,
      );
      const files = buildGitOpsApp({
        app,
        image: input.image,
        tag: input.tag,
        gitopsPath,
        strategy: input.strategy as DeliveryStrategy,
        environments,
        port: input.port,
        healthPath: input.healthPath,
        ingress: {
          domain: input.ingressDomain ?? settings.ingressDomain,
          className: settings.ingressClassName,
        },
        preview: input.previewEnvironments
          ? { fromEnvironment: environments[0].name }
          : undefined,
      });

      const root = resolveSafeChildPath(ctx.workspacePath, targetPath);
      await fs.mkdir(root, { recursive: true });
      await assertAppFolderOwnership(root, gitopsPath, app);
      const written: string[] = [];
      const kept: string[] = [];
      for (const file of files) {
        const existing = await readContainedFile(root, file.path);
        if (existing !== undefined) {
          kept.push(file.path);
          continue;
        }
        await writeContainedFile(root, file.path, file.content);
        written.push(file.path);
      }
      ctx.logger.info(
        `Wrote ${written.length} files of ${app} under ${gitopsPath} (${kept.length} kept)`,
      );
      ctx.output('gitopsPath', gitopsPath);
      ctx.output(
        'environments',
        environments.map(e => e.name),
      );
      ctx.output(
        'namespaces',
        Object.fromEntries(
          environments.map(e => [e.name, environmentNamespace(app, e)]),
        ),
      );
      ctx.output('written', written);
      ctx.output('kept', kept);
    },
  });
}
