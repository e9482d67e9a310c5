import { EntityDeployConfig } from '@slipway/plugin-slipway-common';
import { DeliveryApplication } from '@slipway/plugin-slipway-node';

/**
 * The Argo CD Application of one environment: the one labelled
 * `slipway.dev/environment: <env>`. An entity that names a single
 * Application with `argocd/app-name` (as Roadie's Argo CD plugin has it) and
 * has exactly one environment also takes that Application when it carries no
 * environment label; the environment is never parsed from the name.
 */
export function applicationFor<
  T extends Pick<DeliveryApplication, 'environment'>,
>(
  apps: T[] | undefined,
  environment: string,
  config: Pick<EntityDeployConfig, 'argocd' | 'environments'>,
): T | undefined {
  const labelled = apps?.find(a => a.environment === environment);
  if (labelled) return labelled;
  const single =
    config.argocd?.appName !== undefined &&
    config.argocd.appSelector === undefined &&
    config.environments.length === 1 &&
    config.environments[0].name === environment;
  return single ? apps?.find(a => !a.environment) : undefined;
}
