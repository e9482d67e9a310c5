import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  isProviderOfKind,
  ScmCredentials,
  SlipwayProvider,
} from '@slipway/plugin-slipway-node';
import os from 'node:os';
import path from 'node:path';
import { StateProviders } from '../state/DeployStateService';
import { ArgoCdProvider } from './ArgoCdProvider';
import { FluxProvider } from './FluxProvider';
import { GitCliGitOpsReader } from './GitCliGitOpsReader';
import { GithubActionsProvider } from './GithubActionsProvider';
import { GitlabCiProvider } from './GitlabCiProvider';
import { HarborProvider } from './HarborProvider';
import { OciRegistryProvider } from './OciRegistryProvider';
import { SonarQubeProvider } from './SonarQubeProvider';

/** Builds the default providers from `slipway.*` and `integrations.*` config. */
export function createDefaultProviders(
  config: Config,
  options: { fetch?: typeof fetch } = {},
): SlipwayProvider[] {
  const providers: SlipwayProvider[] = [];
  const integrations = ScmIntegrations.fromConfig(config);

  for (const instance of config.getOptionalConfigArray(
    'slipway.argocd.instances',
  ) ?? []) {
    providers.push(
      ArgoCdProvider.create({
        instance: instance.getString('name'),
        url: instance.getString('url'),
        token: instance.getString('token'),
        writeToken: instance.getOptionalString('writeToken'),
        fetch: options.fetch,
      }),
    );
  }

  for (const cluster of config.getOptionalConfigArray(
    'slipway.flux.clusters',
  ) ?? []) {
    providers.push(
      FluxProvider.create({
        name: cluster.getString('name'),
        url: cluster.getString('url'),
        serviceAccountToken: cluster.getString('serviceAccountToken'),
        reconcileToken: cluster.getOptionalString('reconcileToken'),
        caData: cluster.getOptionalString('caData'),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify'),
        namespaces: cluster.getOptionalStringArray('namespaces'),
        uiUrl: cluster.getOptionalString('uiUrl'),
        fetch: options.fetch,
      }),
    );
  }

  const harbor = config.getOptionalConfig('slipway.harbor');
  if (harbor) {
    providers.push(
      HarborProvider.create({
        url: harbor.getString('url'),
        username: harbor.getString('username'),
        password: harbor.getString('password'),
        fetch: options.fetch,
      }),
    );
  }

  const registries = config.getOptionalConfigArray('slipway.registries') ?? [];
  if (registries.length > 0) {
    providers.push(
      OciRegistryProvider.create({
        registries: registries.map(r => ({
          host: r.getString('host'),
          username: r.getOptionalString('username'),
          password: r.getOptionalString('password'),
          insecure: r.getOptionalBoolean('insecure'),
        })),
        fetch: options.fetch,
      }),
    );
  }

  const sonarqube = config.getOptionalConfig('slipway.sonarqube');
  if (sonarqube) {
    providers.push(
      SonarQubeProvider.create({
        url: sonarqube.getString('url'),
        token: sonarqube.getString('token'),
        fetch: options.fetch,
      }),
    );
  }

  const githubHost = config.getOptionalString('slipway.github.host');
  const githubs = integrations.github.list();
  const github =
    (githubHost
      ? githubs.find(g => g.config.host === githubHost)
      : undefined) ??
    githubs.find(g => g.config.host === 'github.com') ??
    githubs[0];
  if (github?.config.apiBaseUrl) {
    providers.push(
      GithubActionsProvider.create({
        host: github.config.host,
        apiBaseUrl: github.config.apiBaseUrl,
        token: github.config.token,
        fetch: options.fetch,
      }),
    );
  }
  const gitlabHost = config.getOptionalString('slipway.gitlab.host');
  const gitlabs = integrations.gitlab.list();
  const gitlab =
    (gitlabHost
      ? gitlabs.find(g => g.config.host === gitlabHost)
      : undefined) ??
    gitlabs.find(g => g.config.host === 'gitlab.com') ??
    gitlabs[0];
  if (gitlab?.config.apiBaseUrl && gitlab.config.token) {
    providers.push(
      GitlabCiProvider.create({
        host: gitlab.config.host,
        apiBaseUrl: gitlab.config.apiBaseUrl,
        token: gitlab.config.token,
        fetch: options.fetch,
      }),
    );
  }

  const allowedHosts = (
    config.getOptionalStringArray('slipway.gitops.allowedHosts') ?? []
  ).map(h => h.toLowerCase());
  providers.push(
    GitCliGitOpsReader.create({
      cacheDir:
        config.getOptionalString('slipway.gitops.cacheDir') ??
        path.join(os.tmpdir(), 'slipway-gitops-cache'),
      minFetchIntervalMs: config.getOptionalNumber(
        'slipway.gitops.minFetchIntervalMs',
      ),
      allowHost: host =>
        allowedHosts.includes(host) ||
        integrations.github.byHost(host) !== undefined ||
        integrations.gitlab.byHost(host) !== undefined,
      // The same lookup as the GitOps gateway's writes (GitHub Apps included).
      auth: ScmCredentials.create({ integrations }).gitCredentialsLookup(),
    }),
  );
  return providers;
}

/** Sorts providers by kind; earlier ones (added by modules) win. */
export function groupProviders(providers: SlipwayProvider[]): StateProviders {
  return {
    gitops: providers.filter(p =>
      isProviderOfKind(p, 'gitops'),
    ) as StateProviders['gitops'],
    delivery: providers.filter(p =>
      isProviderOfKind(p, 'delivery'),
    ) as StateProviders['delivery'],
    ci: providers.filter(p =>
      isProviderOfKind(p, 'ci'),
    ) as StateProviders['ci'],
    artifacts: providers.filter(p =>
      isProviderOfKind(p, 'artifacts'),
    ) as StateProviders['artifacts'],
    quality: providers.filter(p =>
      isProviderOfKind(p, 'quality'),
    ) as StateProviders['quality'],
  };
}
