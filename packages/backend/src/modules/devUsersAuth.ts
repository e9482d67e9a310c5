import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { AuthenticationError, InputError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import Router from 'express-promise-router';

/** The auth provider id, and its key under `auth.providers`. */
const DEV_USERS_PROVIDER_ID = 'devUsers';

/** The request header naming the example user to sign in as. */
export const DEV_USER_HEADER = 'x-slipway-dev-user';

/** What the authenticator read from the request. */
interface DevUserResult {
  userEntityRef: string;
}

/**
 * True only for a development portal: `auth.providers.devUsers` is
 * configured, `auth.environment` is `development` (Backstage's default) and
 * the process does not run with `NODE_ENV=production`. The production
 * configuration sets `auth.environment: production`, so the merged
 * development + production configuration (as the Dockerfile runs it) never
 * enables the provider.
 */
export function devUsersEnabled(config: Config): boolean {
  if (!config.has(`auth.providers.${DEV_USERS_PROVIDER_ID}`)) return false;
  const environment =
    config.getOptionalString('auth.environment') ?? 'development';
  return environment === 'development' && process.env.NODE_ENV !== 'production';
}

/** Reads the chosen user from {@link DEV_USER_HEADER}; only user references. */
const devUsersAuthenticator = createProxyAuthenticator<
  undefined,
  DevUserResult,
  undefined
>({
  async defaultProfileTransform(result, context) {
    try {
      const { entity } = await context.findCatalogUser({
        entityRef: result.userEntityRef,
      });
      const profile = (entity.spec?.profile ?? {}) as {
        displayName?: string;
        email?: string;
        picture?: string;
      };
      return {
        profile: {
          displayName: profile.displayName ?? entity.metadata.name,
          email: profile.email,
          picture: profile.picture,
        },
      };
    } catch {
      return { profile: {} };
    }
  },
  initialize() {
    return undefined;
  },
  async authenticate({ req }) {
    const value = req.header(DEV_USER_HEADER)?.trim();
    if (!value) {
      throw new AuthenticationError(
        `Choose a user: the ${DEV_USER_HEADER} header is missing`,
      );
    }
    let ref;
    try {
      ref = parseEntityRef(value, {
        defaultKind: 'user',
        defaultNamespace: 'default',
      });
    } catch {
      throw new InputError(`${DEV_USER_HEADER} is not an entity reference`);
    }
    if (ref.kind.toLocaleLowerCase('en-US') !== 'user') {
      throw new InputError(`${DEV_USER_HEADER} must name a User entity`);
    }
    return { result: { userEntityRef: stringifyEntityRef(ref) } };
  },
});

/**
 * Signs in as the chosen User entity, with its ownership (the user and its
 * groups) resolved from the catalog. Users not in the catalog are refused.
 */
const signInAsCatalogUser: SignInResolver<DevUserResult> = async (
  { result },
  context,
) => context.signInWithCatalogUser({ entityRef: result.userEntityRef });

/** A user the sign-in page offers. */
interface DevUserOption {
  entityRef: string;
  displayName: string;
}

function optionOf(entity: Entity): DevUserOption {
  const profile = (entity.spec?.profile ?? {}) as { displayName?: string };
  return {
    entityRef: stringifyEntityRef(entity),
    displayName: profile.displayName ?? entity.metadata.name,
  };
}

/**
 * Development sign-in as any User entity of the catalog, for trying flows
 * that need several people (a requester and approvers). Installed only when
 * {@link devUsersEnabled}: otherwise `/api/auth/devUsers/*` does not exist.
 *
 * - `GET /api/auth/devUsers/refresh` with `x-slipway-dev-user: alice` (or a
 *   full `user:default/alice`) signs in as that user (Backstage's proxy
 *   provider flow, as the guest provider uses).
 * - `GET /api/auth/devUsers/users` lists the users to choose from (the
 *   sign-in page runs before anyone is signed in, so this list is public in
 *   development).
 */
export const devUsersAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'slipway-dev-users',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ providers, config, logger, httpRouter, auth, catalog }) {
        if (!devUsersEnabled(config)) return;
        logger.warn(
          'Development sign-in as any catalog user is enabled (auth.providers.devUsers); never use it in production',
        );
        providers.registerProvider({
          providerId: DEV_USERS_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: devUsersAuthenticator,
            signInResolver: signInAsCatalogUser,
          }),
        });
        const router = Router();
        router.get(`/${DEV_USERS_PROVIDER_ID}/users`, async (_req, res) => {
          const { items } = await catalog.getEntities(
            {
              filter: { kind: 'User' },
              fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec'],
            },
            { credentials: await auth.getOwnServiceCredentials() },
          );
          const users = items
            .map(optionOf)
            .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
          res.json({ items: users });
        });
        httpRouter.use(router);
      },
    });
  },
});
