import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { slipwayPermissions } from '@slipway/plugin-slipway-common';
import {
  SlipwayProvider,
  slipwayProvidersExtensionPoint,
} from '@slipway/plugin-slipway-node';
import { KnexPolicyStore } from './database/KnexPolicyStore';
import { createRouter } from './service/createRouter';
import { EntityConfigService } from './service/EntityConfigService';
import { PolicyService } from './service/PolicyService';
import { readEnvironments } from './service/readEnvironments';

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
      }) {
        const environments = readEnvironments(config);
        permissionsRegistry.addPermissions(slipwayPermissions);
        const store = await KnexPolicyStore.create({ database });
        httpRouter.use(
          await createRouter({
            httpAuth,
            environments,
            entityConfig: EntityConfigService.create({
              catalog,
              environments,
              providers,
            }),
            policies: PolicyService.create({ store, permissions, auditor }),
          }),
        );
        logger.info(
          `Slipway ready: environments ${environments
            .map(e => `${e.name}(${e.syncMode})`)
            .join(' → ')}; ${providers.length} provider(s)`,
        );
      },
    });
  },
});
