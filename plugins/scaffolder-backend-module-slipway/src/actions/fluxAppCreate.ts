import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import {
  ContainedFile,
  readContainedFile,
  readContainedTree,
  writeContainedFile,
} from '@slipway/plugin-slipway-node';
import fs from 'fs/promises';
import { parseDocument } from 'yaml';
import {
  folderEntries,
  isKustomizeConfig,
  mergeScaffoldedFile,
} from '../gitops/mergeScaffoldedFile';
import { assertAppFolderOwnership } from '../manifests/appOwnership';
import {
  assertFluxTenancy,
  buildFluxObjects,
  FLUX_SOURCE_NAME,
  fluxFiles,
  fluxSelector,
} from '../manifests/flux';
import {
  environmentNamespace,
  resolveEnvironments,
} from '../manifests/gitopsApp';
import { toYaml } from '../manifests/yamlFiles';
import { teamOfOwner } from './argocdAppCreate';
import { examples } from './fluxAppCreate.examples';
import { readSlipwayScaffolderConfig } from './scaffolderConfig';

/**
 * `slipway:flux:app:create`: writes an app's Flux objects (the team's
 * namespace, GitRepository and service account, the app's target namespaces
 * with RoleBindings, one Kustomization per environment) and the cluster's
 * entry point into the workspace, checked against the admin's tenancy
 * allowlists. The Flux counterpart of `slipway:argocd:app:create`; both are
 * committed by `slipway:gitops:commit`.
 *
 * @public
 */
export function createFluxAppCreateAction(options: { config?: Config } = {}) {
  const settings = readSlipwayScaffolderConfig(options.config);
  return createTemplateAction({
    id: 'slipway:flux:app:create',
    description:
      "Writes the Flux layout of an app into the workspace: <fluxPath>/sources/<team>/ (the team's Namespace, GitRepository, ServiceAccount flux-reconciler, and <name>.yaml with the app's target Namespaces and a RoleBinding of flux-reconciler to the namespaced admin ClusterRole in each), <fluxPath>/releases/<name>/<env>.yaml (Kustomizations <name>-<env> labelled slipway.dev/app and slipway.dev/environment: prune, health check of the workload, targetNamespace, serviceAccountName; interval 1m for auto-sync environments, 24h for the others) and <fluxPath>/clusters/<cluster>/kustomization.yaml including both. Kustomization files and the team's objects already present are merged, never overwritten. Source repositories and target namespaces are checked against slipway.scaffolder.flux in app config; cross-namespace source references are refused. Nothing is applied to a cluster: Flux picks the files up from the GitOps repository.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string().describe('Application name (DNS-1123 label)'),
        owner: z =>
          z
            .string()
            .describe(
              "Owning group, e.g. group:default/team-payments; names the team's namespace",
            ),
        repoUrl: z =>
          z
            .string()
            .describe(
              'Clone URL of the GitOps repository Flux reads, e.g. https://github.com/acme/gitops.git',
            ),
        branch: z =>
          z
            .string()
            .default('main')
            .describe('Branch the GitRepository tracks'),
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
        fluxPath: z =>
          z
            .string()
            .default('flux')
            .describe(
              'Folder of the Flux layout (clusters/, sources/, releases/), relative to targetPath',
            ),
        cluster: z =>
          z
            .string()
            .optional()
            .describe(
              'Cluster whose entry point includes the app. Default: slipway.scaffolder.flux.cluster, else the first of slipway.flux.clusters, else default',
            ),
        strategy: z =>
          z
            .enum(['rolling', 'canary', 'blue-green'])
            .default('rolling')
            .describe(
              'Delivery strategy of the overlays: the Deployment (rolling) or Rollout (canary, blue-green) is health-checked',
            ),
        sourceName: z =>
          z
            .string()
            .default(FLUX_SOURCE_NAME)
            .describe("Name of the team's GitRepository"),
        sopsDecryption: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Decrypt SOPS files with the age key in the Secret sops-age-<env> of the team namespace (spec.decryption)',
            ),
        sourceNamespace: z =>
          z
            .string()
            .optional()
            .describe(
              "Refused unless it is the team's namespace: cross-namespace source references are not allowed",
            ),
        environments: z =>
          z
            .array(
              z.object({
                name: z.string().describe('Environment name'),
                namespace: z.string().optional().describe('Target namespace'),
              }),
            )
            .optional()
            .describe(
              'Overrides per configured environment (slipway.environments)',
            ),
      },
      output: {
        kustomizations: z =>
          z
            .array(z.string())
            .describe('Names of the Kustomizations, <name>-<env>'),
        namespace: z =>
          z
            .string()
            .describe("The team's namespace holding them and the source"),
        cluster: z => z.string().describe('Cluster entry point written'),
        fluxSelector: z =>
          z
            .string()
            .describe('Value for the slipway.dev/flux-selector annotation'),
        files: z => z.array(z.string()).describe('Files written or merged'),
      },
    },
    async handler(ctx) {
      // The scaffolder validates inputs but does not apply schema defaults.
      const input = {
        ...ctx.input,
        branch: ctx.input.branch ?? 'main',
        targetPath: ctx.input.targetPath ?? '.',
        fluxPath: ctx.input.fluxPath ?? 'flux',
        strategy: ctx.input.strategy ?? 'rolling',
        sourceName: ctx.input.sourceName ?? FLUX_SOURCE_NAME,
      };
      const app = input.name;
      const team = teamOfOwner(input.owner);
      if (
        input.sourceNamespace !== undefined &&
        input.sourceNamespace !== team
      ) {
        throw new InputError(
          `Cross-namespace source references are not allowed: the source must be in ${team}`,
        );
      }
      const gitopsPath = normalizeRepoPath(
        input.gitopsPath ?? `apps/${app}`,
        'GitOps path',
      );
      const fluxPath = normalizeRepoPath(input.fluxPath, 'Flux path');
      const targetPath =
        input.targetPath === '.'
          ? '.'
          : normalizeRepoPath(input.targetPath, 'target path');
      const cluster = input.cluster ?? settings.flux.cluster;
      const namespaces = resolveEnvironments(
        settings.environments.map(e => e.name),
        settings.overrides,
        input.environments,
      );
      const environments = settings.environments.map(env => ({
        name: env.name,
        syncMode: env.syncMode,
        namespace: environmentNamespace(
          app,
          namespaces.find(n => n.name === env.name)!,
        ),
      }));
      const objects = buildFluxObjects({
        app,
        team,
        repoUrl: input.repoUrl,
        branch: input.branch,
        gitopsPath,
        environments,
        workloadKind: input.strategy === 'rolling' ? 'Deployment' : 'Rollout',
        sourceName: input.sourceName,
        sopsDecryption: input.sopsDecryption,
      });
      assertFluxTenancy(objects, settings.flux.tenancy);
      if (!settings.flux.tenancy.allowedSourceRepos) {
        ctx.logger.warn(
          'slipway.scaffolder.flux.allowedSourceRepos is not configured: any GitOps repository is accepted',
        );
      }
      const files = fluxFiles({ app, team, cluster, fluxPath }, objects);

      const root = resolveSafeChildPath(ctx.workspacePath, targetPath);
      await fs.mkdir(root, { recursive: true });
      await assertAppFolderOwnership(root, `${fluxPath}/releases/${app}`, app);
      // Every merge is decided before anything is written.
      const writes: ContainedFile[] = [];
      for (const file of files) {
        const existing = await readContainedFile(root, file.path);
        let content = file.content;
        if (existing !== undefined) {
          const merged = mergeScaffoldedFile({
            path: file.path,
            existing,
            generated: file.content,
            app,
          });
          if (!merged.changed) continue;
          content = merged.content;
        } else if (isKustomizeConfig(content)) {
          const folder = file.path.slice(0, file.path.lastIndexOf('/'));
          const entries = folderEntries(
            folder,
            await readContainedTree(root, folder),
          );
          if (entries.length > 0) {
            const parsed = parseDocument(content).toJS();
            content = toYaml({
              ...parsed,
              resources: [...new Set([...entries, ...parsed.resources])],
            });
          }
        }
        writes.push({ path: file.path, content });
      }
      for (const file of writes) {
        await writeContainedFile(root, file.path, file.content);
      }
      const kustomizations = objects.kustomizations.map(
        k => k.metadata.name as string,
      );
      ctx.logger.info(
        `Flux objects of ${app}: ${kustomizations.join(
          ', ',
        )} in namespace ${team}, cluster ${cluster}`,
      );
      ctx.output('kustomizations', kustomizations);
      ctx.output('namespace', team);
      ctx.output('cluster', cluster);
      ctx.output('fluxSelector', fluxSelector(app));
      ctx.output(
        'files',
        writes.map(f => f.path),
      );
    },
  });
}
