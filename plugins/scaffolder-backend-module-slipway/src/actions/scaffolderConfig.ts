import { Config, ConfigReader } from '@backstage/config';
import { readEnvironments } from '@slipway/plugin-slipway-node';
import { ArgoCdTenancyPolicy } from '../manifests/argoCd';
import { FluxTenancyPolicy } from '../manifests/flux';
import { GitOpsEnvironmentOverride } from '../manifests/gitopsApp';

/** One configured environment as the scaffolder actions see it. @public */
export interface ScaffolderEnvironment {
  name: string;
  syncMode: 'auto' | 'manual';
  server?: string;
}

/** Slipway's scaffolder settings, read once from app config. @public */
export interface SlipwayScaffolderConfig {
  environments: ScaffolderEnvironment[];
  overrides: GitOpsEnvironmentOverride[];
  ingressDomain?: string;
  ingressClassName?: string;
  argocdNamespace: string;
  tenancy: ArgoCdTenancyPolicy;
  /** `slipway.scaffolder.flux`. */
  flux: {
    /**
     * Cluster whose entry point the Flux action writes to:
     * `slipway.scaffolder.flux.cluster`, else the first of
     * `slipway.flux.clusters`, else `default`.
     */
    cluster: string;
    tenancy: FluxTenancyPolicy;
  };
}

/**
 * Reads `slipway.environments` (through slipway-node's `readEnvironments`,
 * the one reader the backend uses too: names and sync modes, defaulting to
 * dev auto, staging and prod manual) and `slipway.scaffolder.*`.
 *
 * @public
 */
export function readSlipwayScaffolderConfig(
  config?: Config,
): SlipwayScaffolderConfig {
  const scaffolder = config?.getOptionalConfig('slipway.scaffolder');
  const overrides: (GitOpsEnvironmentOverride & { server?: string })[] = (
    scaffolder?.getOptionalConfigArray('environments') ?? []
  ).map(entry => ({
    name: entry.getString('name'),
    replicas: entry.getOptionalNumber('replicas'),
    maxReplicas: entry.getOptionalNumber('maxReplicas'),
    namespace: entry.getOptionalString('namespace'),
    server: entry.getOptionalString('server'),
    resources: {
      cpuRequest: entry.getOptionalString('resources.cpuRequest'),
      cpuLimit: entry.getOptionalString('resources.cpuLimit'),
      memoryRequest: entry.getOptionalString('resources.memoryRequest'),
      memoryLimit: entry.getOptionalString('resources.memoryLimit'),
    },
  }));
  const environments: ScaffolderEnvironment[] = readEnvironments(
    config ?? new ConfigReader({}),
  ).map(env => ({ name: env.name, syncMode: env.syncMode }));
  for (const env of environments) {
    env.server = overrides.find(o => o.name === env.name)?.server;
  }
  const argocd = scaffolder?.getOptionalConfig('argocd');
  const flux = scaffolder?.getOptionalConfig('flux');
  const fluxClusters = config?.getOptionalConfigArray('slipway.flux.clusters');
  return {
    environments,
    overrides,
    ingressDomain: scaffolder?.getOptionalString('ingressDomain'),
    ingressClassName: scaffolder?.getOptionalString('ingressClassName'),
    argocdNamespace: argocd?.getOptionalString('namespace') ?? 'argocd',
    tenancy: {
      allowedDestinations: argocd
        ?.getOptionalConfigArray('allowedDestinations')
        ?.map(d => ({
          server: d.getString('server'),
          namespace: d.getString('namespace'),
        })),
      allowedSourceRepos: argocd?.getOptionalStringArray('allowedSourceRepos'),
      forbiddenProjects: argocd?.getOptionalStringArray('forbiddenProjects'),
      deniedNamespaces: argocd?.getOptionalStringArray('deniedNamespaces'),
    },
    flux: {
      cluster:
        flux?.getOptionalString('cluster') ??
        fluxClusters?.[0]?.getOptionalString('name') ??
        'default',
      tenancy: {
        allowedSourceRepos: flux?.getOptionalStringArray('allowedSourceRepos'),
        allowedTargetNamespaces: flux?.getOptionalStringArray(
          'allowedTargetNamespaces',
        ),
        deniedTargetNamespaces: flux?.getOptionalStringArray(
          'deniedTargetNamespaces',
        ),
      },
    },
  };
}
