import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  appSelector,
  assertDnsLabel,
  normalizeRepoPath,
} from '@slipway/plugin-slipway-common';
import {
  readContainedFile,
  writeContainedFile,
} from '@slipway/plugin-slipway-node';
import fs from 'fs/promises';
import { assertAppFolderOwnership } from '../manifests/appOwnership';
import {
  argoCdFiles,
  assertArgoCdTenancy,
  buildArgoCdObjects,
  mergeAppProject,
} from '../manifests/argoCd';
import { examples } from './argocdAppCreate.examples';
import { readSlipwayScaffolderConfig } from './scaffolderConfig';

/**
 * The team name of an owner: `group:default/team-payments`,
 * `group:team-payments` or `team-payments`. Users cannot own an AppProject.
 *
 * @public
 */
export function teamOfOwner(owner: string): string {
  const match =
    /^(?:([A-Za-z]+):)?(?:([A-Za-z0-9_.-]+)\/)?([A-Za-z0-9_.-]+)$/.exec(owner);
  if (!match) {
    throw new InputError(`Invalid owner ${JSON.stringify(owner.slice(0, 80))}`);
  }
  const [, kind, , name] = match;
  if (kind && kind.toLowerCase() !== 'group') {
    throw new InputError('The owner must be a group (it names the AppProject)');
  }
  return assertDnsLabel(name, 'owning team');
}

/**
 * `slipway:argocd:app:create`: writes one Argo CD Application per
 * environment, the owning team's AppProject and optionally a pull request
 * preview ApplicationSet into the workspace, checked against the admin's
 * tenancy allowlists.
 *
 * @public
 */
export function createArgoCdAppCreateAction(options: { config?: Config } = {}) {
  const settings = readSlipwayScaffolderConfig(options.config);
  return createTemplateAction({
    id: 'slipway:argocd:app:create',
    description:
      "Writes Argo CD Applications <name>-<env> (labelled slipway.dev/app and slipway.dev/environment; auto-sync environments with prune and self-heal, the others manual), the owning team's AppProject (restricted to the GitOps repository and the app's namespaces) and optionally a pull request preview ApplicationSet into the workspace. Destinations, source repositories and projects are checked against slipway.scaffolder.argocd in app config. Nothing is applied to a cluster: Argo CD picks the files up from the GitOps repository.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string().describe('Application name (DNS-1123 label)'),
        owner: z =>
          z
            .string()
            .describe(
              'Owning group, e.g. group:default/team-payments; names the AppProject',
            ),
        repoUrl: z =>
          z
            .string()
            .describe(
              'Clone URL of the GitOps repository Argo CD reads, e.g. https://github.com/acme/gitops.git',
            ),
        image: z =>
          z
            .string()
            .describe('Image repository (used by preview environments)'),
        gitopsPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Folder holding base/ and overlays/ in the GitOps repository. Default apps/<name>',
            ),
        targetPath: z =>
          z
            .string()
            .default('.')
            .describe(
              'Workspace folder that stands for the GitOps repository root',
            ),
        projectsPath: z =>
          z
            .string()
            .default('projects')
            .describe('Folder of AppProjects, relative to targetPath'),
        targetRevision: z =>
          z.string().default('HEAD').describe('Git revision Argo CD tracks'),
        environments: z =>
          z
            .array(
              z.object({
                name: z.string().describe('Environment name'),
                syncMode: z
                  .enum(['auto', 'manual'])
                  .optional()
                  .describe('Sync mode'),
                namespace: z
                  .string()
                  .optional()
                  .describe('Destination namespace'),
                server: z
                  .string()
                  .optional()
                  .describe('Destination API server'),
              }),
            )
            .optional()
            .describe(
              'Overrides per configured environment (slipway.environments)',
            ),
        previewEnvironments: z =>
          z
            .boolean()
            .default(false)
            .describe(
              'Also write an ApplicationSet with the pull request generator: one ephemeral namespace per open pull request',
            ),
        previewProvider: z =>
          z
            .enum(['github', 'gitlab'])
            .default('github')
            .describe('SCM of the service repository'),
        previewRepository: z =>
          z
            .string()
            .optional()
            .describe(
              'Service repository as owner/name (GitHub) or group/project (GitLab)',
            ),
        previewApi: z =>
          z
            .string()
            .optional()
            .describe(
              'SCM API base URL (GitHub Enterprise, self-managed GitLab)',
            ),
        previewDomain: z =>
          z
            .string()
            .optional()
            .describe('Domain of preview hosts <name>-pr-<n>.<domain>'),
      },
      output: {
        applications: z =>
          z
            .array(z.string())
            .describe('Names of the Applications, <name>-<env>'),
        project: z => z.string().describe('Name of the AppProject'),
        appSelector: z =>
          z.string().describe('Value for the argocd/app-selector annotation'),
        files: z => z.array(z.string()).describe('Files written or merged'),
      },
    },
    async handler(ctx) {
      // The scaffolder validates inputs but does not apply schema defaults.
      const input = {
        ...ctx.input,
        targetPath: ctx.input.targetPath ?? '.',
        projectsPath: ctx.input.projectsPath ?? 'projects',
        targetRevision: ctx.input.targetRevision ?? 'HEAD',
        previewEnvironments: ctx.input.previewEnvironments ?? false,
        previewProvider: ctx.input.previewProvider ?? 'github',
      };
      const app = input.name;
      const team = teamOfOwner(input.owner);
      const gitopsPath = normalizeRepoPath(
        input.gitopsPath ?? `apps/${app}`,
        'GitOps path',
      );
      const targetPath =
        input.targetPath === '.'
          ? '.'
          : normalizeRepoPath(input.targetPath, 'target path');
      const environments = settings.environments.map(env => {
        const override = input.environments?.find(o => o.name === env.name);
        const configured = settings.overrides.find(o => o.name === env.name);
        return {
          name: env.name,
          syncMode: override?.syncMode ?? env.syncMode,
          namespace: override?.namespace ?? configured?.namespace,
          server: override?.server ?? env.server,
        };
      });
      for (const override of input.environments ?? []) {
        if (!environments.some(e => e.name === override.name)) {
          throw new InputError(
            `Environment ${override.name} is not configured`,
          );
        }
      }
      if (input.previewEnvironments && !input.previewRepository) {
        throw new InputError(
          'previewRepository is needed for preview environments',
        );
      }
      const objects = buildArgoCdObjects({
        app,
        team,
        repoUrl: input.repoUrl,
        gitopsPath,
        image: input.image,
        environments,
        targetRevision: input.targetRevision,
        argocdNamespace: settings.argocdNamespace,
        preview: input.previewEnvironments
          ? {
              provider: input.previewProvider,
              repository: input.previewRepository!,
              api: input.previewApi,
              domain: input.previewDomain,
            }
          : undefined,
      });
      assertArgoCdTenancy(objects, settings.tenancy, settings.argocdNamespace);
      if (!settings.tenancy.allowedSourceRepos) {
        ctx.logger.warn(
          'slipway.scaffolder.argocd.allowedSourceRepos is not configured: any GitOps repository is accepted',
        );
      }

      const root = resolveSafeChildPath(ctx.workspacePath, targetPath);
      await fs.mkdir(root, { recursive: true });
      await assertAppFolderOwnership(root, `${gitopsPath}/argocd`, app);
      const files = argoCdFiles(
        { app, gitopsPath, projectsPath: input.projectsPath },
        objects,
      );
      const touched: string[] = [];
      for (const file of files) {
        const existing = await readContainedFile(root, file.path);
        if (existing === undefined) {
          await writeContainedFile(root, file.path, file.content);
          touched.push(file.path);
        } else if (
          file.path.endsWith(`/${objects.project.metadata.name}.yaml`) &&
          !file.path.startsWith(`${gitopsPath}/`)
        ) {
          const merged = mergeAppProject(existing, objects.project);
          if (merged.changed) {
            await writeContainedFile(root, file.path, merged.content);
            touched.push(file.path);
          }
        }
      }
      const applications = objects.applications.map(
        a => a.metadata.name as string,
      );
      ctx.logger.info(
        `Argo CD objects of ${app}: ${applications.join(
          ', ',
        )} in project ${team}`,
      );
      ctx.output('applications', applications);
      ctx.output('project', team);
      ctx.output('appSelector', appSelector(app));
      ctx.output('files', touched);
    },
  });
}
