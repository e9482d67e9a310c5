import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  ArgoService,
  createRouter,
} from '@roadiehq/backstage-plugin-argo-cd-backend';
import express from 'express';
import Router from 'express-promise-router';

/**
 * Any write through Roadie's Argo CD backend: sync, create, update and delete
 * of Applications and AppProjects, and terminating operations. The portal's
 * permission policy gives it to platform admins only.
 */
export const argoCdWritePermission = createPermission({
  name: 'argocd.application.write',
  attributes: { action: 'update' },
});

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses every request that is not a read unless the caller holds
 * {@link argoCdWritePermission}. Reads pass unchanged (Roadie's entity tab
 * needs them); the caller must still be signed in, as for every route.
 */
function argoCdWriteGuard(options: {
  httpAuth: typeof coreServices.httpAuth.T;
  permissions: typeof coreServices.permissions.T;
}): express.Router {
  const router = Router();
  router.use(async (req, _res, next) => {
    if (READ_METHODS.has(req.method)) {
      next();
      return;
    }
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await options.permissions.authorize(
      [{ permission: argoCdWritePermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'Argo CD changes go through Git in this portal; only platform admins may call Argo CD write routes',
      );
    }
    next();
  });
  return router;
}

/**
 * Roadie's Argo CD backend (`@roadiehq/backstage-plugin-argo-cd-backend`)
 * with its mutating routes behind {@link argoCdWriteGuard}. Install this
 * instead of Roadie's own plugin: same plugin id, same routes, same config.
 */
export const guardedArgoCdPlugin = createBackendPlugin({
  pluginId: 'argocd',
  register(env) {
    env.registerInit({
      deps: {
        http: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
      },
      async init({ http, httpAuth, permissions, logger, config }) {
        const argocdService = ArgoService.fromConfig({ config, logger });
        const router = Router();
        router.use(argoCdWriteGuard({ httpAuth, permissions }));
        router.use(await createRouter({ logger, config, argocdService }));
        http.use(router);
      },
    });
  },
});
