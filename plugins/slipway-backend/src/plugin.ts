import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { slipwayPermissions } from '@slipway/plugin-slipway-common';
import {
  readEnvironments,
  SlipwayProvider,
  slipwayProvidersExtensionPoint,
} from '@slipway/plugin-slipway-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { KnexPolicyStore } from './database/KnexPolicyStore';
import {
  createDefaultProviders,
  groupProviders,
} from './providers/createDefaultProviders';
import { DeployStateService } from './state/DeployStateService';
import { FleetService } from './state/FleetService';
import { StateInvalidator } from './state/StateInvalidator';
import { SourceCache } from './state/SourceCache';
import { WebhookService } from './webhooks/WebhookService';
import { createRouter } from './router';
import { EntityConfigService } from './service/EntityConfigService';
import { PolicyService } from './service/PolicyService';

/**
 * The Slipway backend plugin.
 *
 * @public
 */
export const slipwayPlugin = createBackendPlugin({
  pluginId: 'slipway',
  register(env) {
    const providers: SlipwayProvider[] = [];
    env.registerExtensionPoint(slipwayProvidersExtensionPoint, {
      addProvider(...added) {
        for (const provider of added) {
          if (providers.some(p => p.id === provider.id)) {
            throw new Error(`Slipway provider "${provider.id}" added twice`);
          }
          providers.push(provider);
        }
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        cache: coreServices.cache,
        auth: coreServices.auth,
        signals: signalsServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        auditor,
        catalog,
        cache,
        auth,
        signals,
      }) {
        const environments = readEnvironments(config);
        permissionsRegistry.addPermissions(slipwayPermissions);
        const store = await KnexPolicyStore.create({ database });
        // Providers added by modules come first and win over the defaults.
        const allProviders = [
          ...providers,
          ...createDefaultProviders(config).filter(
            p => !providers.some(added => added.id === p.id),
          ),
        ];
        const grouped = groupProviders(allProviders);
        const sources = SourceCache.create({
          cache,
          timeoutMs:
            config.getOptionalNumber('slipway.state.sourceTimeoutMs') ?? 3000,
          ttlMs:
            (config.getOptionalNumber('slipway.state.cacheTtlSeconds') ?? 30) *
            1000,
          staleTtlMs:
            (config.getOptionalNumber('slipway.state.staleTtlSeconds') ??
              3600) * 1000,
        });
        const deployState = DeployStateService.create({
          catalog,
          environments,
          providers: grouped,
          sources,
        });
        const fleet = FleetService.create({
          catalog,
          environments,
          providers: grouped,
          sources,
        });
        const webhooks = WebhookService.create({
          secrets: {
            github: config.getOptionalString('slipway.webhooks.githubSecret'),
            argocd: config.getOptionalString('slipway.webhooks.argocdSecret'),
            harbor: config.getOptionalString('slipway.webhooks.harborSecret'),
          },
          invalidator: StateInvalidator.create({
            sources,
            gitopsReaders: grouped.gitops,
            catalog,
            auth,
            signals,
            logger,
          }),
        });
        httpRouter.addAuthPolicy({
          path: '/webhooks',
          allow: 'unauthenticated',
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            environments,
            entityConfig: EntityConfigService.create({
              catalog,
              environments,
              providers: allProviders,
            }),
            policies: PolicyService.create({ store, permissions, auditor }),
            deployState,
            fleet,
            webhooks,
          }),
        );
        logger.info(
          `Slipway ready: environments ${environments
            .map(e => `${e.name}(${e.syncMode})`)
            .join(' → ')}; providers: ${allProviders
            .map(p => p.id)
            .join(', ')}`,
        );
      },
    });
  },
});
