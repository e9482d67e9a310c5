import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import {
  parsePromotionTargetRef,
  SLIPWAY_ANNOTATIONS,
  slipwayPermissions,
  slipwayPromotionApprovePermission,
  slipwayPromotionCreatePermission,
  slipwayPromotionOverridePermission,
} from '@slipway/plugin-slipway-common';
import {
  GitOpsGateway,
  HarborRetentionClient,
  promotionTargetResourceRef,
  promotionTargetRules,
  readEnvironments,
  ScmCredentials,
  SlipwayProvider,
  slipwayProvidersExtensionPoint,
} from '@slipway/plugin-slipway-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { notificationService } from '@backstage/plugin-notifications-node';
import { DatabaseLock } from './database/DatabaseLock';
import { connectSlipwayDatabase } from './database/migrate';
import { PromotionStore } from './database/PromotionStore';
import { GatewayPromotionWriter } from './promotion/GatewayPromotionWriter';
import { NotificationsPromotionNotifier } from './promotion/NotificationsPromotionNotifier';
import { PromotionService } from './promotion/PromotionService';
import { subjectOf } from './promotion/gateFacts';
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
import { withPlatformFailuresAsUnavailable } from './service/serviceCalls';
import {
  readRetentionConfig,
  RetentionService,
} from './retention/RetentionService';

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
        scheduler: coreServices.scheduler,
        userInfo: coreServices.userInfo,
        notifications: notificationService,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        config,
        logger,
        database,
        httpAuth,
        httpRouter,
        permissions: permissionsService,
        permissionsRegistry,
        auditor,
        catalog: catalogService,
        cache,
        auth,
        signals,
        scheduler,
        userInfo,
        notifications,
        lifecycle,
      }) {
        // A refused service token or a 5xx from these plugins is the
        // platform failing (e.g. a database restart), answered 503 so that
        // clients retry; see serviceCalls.ts.
        const permissions = withPlatformFailuresAsUnavailable(
          permissionsService,
          'permission service',
        );
        const catalog = withPlatformFailuresAsUnavailable(
          catalogService,
          'catalog',
        );
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
        // With a shared cache (Redis, Valkey, ...) a miss is read by one
        // replica for all, under a lease in the database; with the
        // in-memory store nothing is shared, so no lease.
        const sharedCache =
          (config.getOptionalString('backend.cache.store') ?? 'memory') !==
          'memory';
        const sources = SourceCache.create({
          cache,
          lease: sharedCache
            ? DatabaseLock.create({
                db: await connectSlipwayDatabase(database),
              })
            : undefined,
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
          warmUp: true,
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
            coalesceMs:
              config.getOptionalNumber('slipway.webhooks.coalesceMs') ?? 500,
          }),
        });
        const promotions = await createPromotions({
          config,
          logger,
          database,
          permissions,
          permissionsRegistry,
          auditor,
          catalog,
          auth,
          signals,
          userInfo,
          notifications,
          scheduler,
          lifecycle,
          environments,
          policies: store,
          deployState,
          providers: grouped,
        });
        const retention = await createRetention({
          config,
          logger,
          catalog,
          auth,
          permissions,
          cache,
          scheduler,
          deployState,
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
            promotions,
            retention,
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

/** The promotion engine: its stores, writer, permissions resource and scheduled work. */
async function createPromotions(options: {
  config: typeof coreServices.rootConfig.T;
  logger: typeof coreServices.logger.T;
  database: typeof coreServices.database.T;
  permissions: typeof coreServices.permissions.T;
  permissionsRegistry: typeof coreServices.permissionsRegistry.T;
  auditor: typeof coreServices.auditor.T;
  catalog: typeof catalogServiceRef.T;
  auth: typeof coreServices.auth.T;
  signals: typeof signalsServiceRef.T;
  userInfo: typeof coreServices.userInfo.T;
  notifications: typeof notificationService.T;
  scheduler: typeof coreServices.scheduler.T;
  lifecycle: typeof coreServices.lifecycle.T;
  environments: ReturnType<typeof readEnvironments>;
  policies: KnexPolicyStore;
  deployState: DeployStateService;
  providers: ReturnType<typeof groupProviders>;
}): Promise<PromotionService> {
  const { config, catalog, auth, logger } = options;
  const db = await connectSlipwayDatabase(options.database);
  // This process's own warm clones of GitOps repositories: a promotion
  // fetches what is new instead of cloning afresh.
  const warmClonesDir = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'slipway-gitops-warm-'),
  );
  options.lifecycle.addShutdownHook(() =>
    fs.promises.rm(warmClonesDir, { recursive: true, force: true }),
  );
  const ownerOf = async (entityRef: string) => {
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    return entity ? subjectOf(entity).owner : undefined;
  };
  // Conditional decisions (e.g. "owners, dev and staging only") are applied
  // to the promotion target: the entity's owner and system, and the environment.
  options.permissionsRegistry.addResourceType({
    resourceRef: promotionTargetResourceRef,
    permissions: [
      slipwayPromotionCreatePermission,
      slipwayPromotionApprovePermission,
      slipwayPromotionOverridePermission,
    ],
    rules: Object.values(promotionTargetRules),
    getResources: async refs => {
      const credentials = await auth.getOwnServiceCredentials();
      return Promise.all(
        refs.map(async ref => {
          const target = parsePromotionTargetRef(ref);
          if (!target) return undefined;
          const entity = await catalog.getEntityByRef(target.entityRef, {
            credentials,
          });
          if (!entity) return undefined;
          const subject = subjectOf(entity);
          return {
            entityRef: subject.entityRef,
            environment: target.environment,
            owner: subject.owner,
            system: subject.system,
          };
        }),
      );
    },
  });
  const promotions = PromotionService.create({
    catalog,
    auth,
    userInfo: options.userInfo,
    permissions: options.permissions,
    auditor: options.auditor,
    logger,
    environments: options.environments,
    policies: options.policies,
    store: PromotionStore.create({ db }),
    lock: DatabaseLock.create({ db }),
    deployState: options.deployState,
    artifacts: options.providers.artifacts,
    delivery: options.providers.delivery,
    ci: options.providers.ci,
    writer: GatewayPromotionWriter.create({
      gateway: GitOpsGateway.create({
        credentials: ScmCredentials.fromConfig(config),
        warmClonesDir,
      }),
      readers: options.providers.gitops,
    }),
    notifier: NotificationsPromotionNotifier.create({
      notifications: options.notifications,
      logger,
      adminGroups:
        config.getOptionalStringArray('slipway.platformAdminGroups') ?? [],
      ownerOf,
    }),
    signals: options.signals,
  });
  // Once across replicas: the scheduler's distributed lock.
  await options.scheduler.scheduleTask({
    id: 'slipway-promotions-reconcile',
    frequency: {
      seconds:
        config.getOptionalNumber(
          'slipway.promotions.reconcileIntervalSeconds',
        ) ?? 15,
    },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 5 },
    fn: async () => {
      const result = await promotions.reconcile({
        deployTimeoutMs:
          (config.getOptionalNumber(
            'slipway.promotions.deployTimeoutMinutes',
          ) ?? 30) * 60_000,
      });
      const { items } = await catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${SLIPWAY_ANNOTATIONS.gitopsRepo}`]:
              CATALOG_FILTER_EXISTS,
          },
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      const started = await promotions.autoPromote(items);
      if (result.moved > 0 || started.length > 0) {
        logger.info(
          `Slipway promotions: ${result.moved} of ${result.checked} moved on, ${started.length} auto-promotions started`,
        );
      }
    },
  });
  return promotions;
}

/**
 * Image retention: the service behind `GET /retention`, and (when
 * `slipway.retention.enabled`) its scheduled run, once across replicas.
 */
async function createRetention(options: {
  config: typeof coreServices.rootConfig.T;
  logger: typeof coreServices.logger.T;
  catalog: typeof catalogServiceRef.T;
  auth: typeof coreServices.auth.T;
  permissions: typeof coreServices.permissions.T;
  cache: typeof coreServices.cache.T;
  scheduler: typeof coreServices.scheduler.T;
  deployState: DeployStateService;
}): Promise<RetentionService> {
  const { config } = options;
  const retentionConfig = readRetentionConfig(config);
  const harbor = config.getOptionalConfig('slipway.harbor');
  const retention = RetentionService.create({
    catalog: options.catalog,
    auth: options.auth,
    permissions: options.permissions,
    deployState: options.deployState,
    cache: options.cache,
    logger: options.logger,
    harbor: harbor
      ? HarborRetentionClient.create({
          url: harbor.getString('url'),
          username: harbor.getString('username'),
          password: harbor.getString('password'),
        })
      : undefined,
    config: retentionConfig,
  });
  if (retentionConfig.enabled) {
    await options.scheduler.scheduleTask({
      id: 'slipway-retention',
      ...retentionConfig.schedule,
      fn: async () => {
        await retention.run();
      },
    });
  }
  return retention;
}
