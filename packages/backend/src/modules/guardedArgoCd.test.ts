import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import roadieArgoCdPlugin from '@roadiehq/backstage-plugin-argo-cd-backend';
import request from 'supertest';
import { guardedArgoCdPlugin } from './guardedArgoCd';
import { SlipwayPortalPermissionPolicy } from './permissionPolicy';

jest.setTimeout(60_000);

const GUEST = 'user:default/guest';
const ADMIN = 'user:default/alice';
const MEMBERSHIPS: Record<string, string[]> = {
  [GUEST]: [GUEST, 'group:default/team-payments'],
  [ADMIN]: [ADMIN, 'group:default/platform-admins'],
};

const config = {
  argocd: {
    appLocatorMethods: [
      {
        type: 'config',
        // Nothing listens here: a request that gets past the guard fails
        // inside Roadie's router, which is what "allowed" looks like.
        instances: [
          { name: 'test', url: 'http://127.0.0.1:9', token: 'argocd-token' },
        ],
      },
    ],
  },
};

/** The permissions service, deciding with the portal's real policy. */
const permissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory() {
    const policy = SlipwayPortalPermissionPolicy.fromConfig(
      mockServices.rootConfig({ data: {} }),
    );
    const decide = async (
      requests: { permission: any }[],
      options: { credentials: any },
    ) =>
      Promise.all(
        requests.map(async ({ permission }) => {
          const principal = options.credentials.principal;
          const ref: string | undefined =
            principal?.type === 'user' ? principal.userEntityRef : undefined;
          const decision = await policy.handle(
            { permission },
            ref
              ? {
                  info: {
                    userEntityRef: ref,
                    ownershipEntityRefs: MEMBERSHIPS[ref] ?? [ref],
                  },
                  credentials: options.credentials,
                }
              : undefined,
          );
          if (
            decision.result === AuthorizeResult.CONDITIONAL ||
            isResourcePermission(permission)
          ) {
            return { result: AuthorizeResult.DENY };
          }
          return { result: decision.result };
        }),
      );
    return {
      authorize: decide,
      authorizeConditional: decide,
    } as any;
  },
});

/** Every mutating route of Roadie's Argo CD backend 4.x. */
const MUTATING_ROUTES: [method: 'post' | 'put' | 'delete', path: string][] = [
  ['post', '/api/argocd/createArgo'],
  ['put', '/api/argocd/updateArgo/payments-api-dev'],
  ['post', '/api/argocd/sync'],
  ['delete', '/api/argocd/argoInstance/test/applications/payments-api-dev'],
  [
    'delete',
    '/api/argocd/argoInstance/test/applications/payments-api-dev/operation',
  ],
];

const BODY = {
  clusterName: 'test',
  namespace: 'payments',
  projectName: 'payments',
  appName: 'payments-api-dev',
  labelValue: 'payments-api',
  sourceRepo: 'http://git.example/gitops.git',
  sourcePath: 'apps/payments-api/overlays/dev',
  appSelector: 'slipway.dev/app=payments-api',
};

async function start(feature: typeof guardedArgoCdPlugin) {
  return startTestBackend({
    features: [
      feature,
      mockServices.rootConfig.factory({ data: config }),
      permissionsFactory,
    ],
  });
}

describe('Argo CD writes in the portal (THREATS 33)', () => {
  it("Roadie's plugin as shipped lets a guest call every write route (the hole)", async () => {
    const backend = await start(roadieArgoCdPlugin);
    const server = backend.server;
    try {
      for (const [method, path] of MUTATING_ROUTES) {
        const response = await request(server)
          [method](path)
          .set('Authorization', mockCredentials.user.header(GUEST))
          .send(BODY);
        expect([401, 403]).not.toContain(response.status);
      }
    } finally {
      await backend.stop();
    }
  });

  it('refuses a guest with 403 on each mutating route, before Argo CD is called', async () => {
    const backend = await start(guardedArgoCdPlugin);
    const server = backend.server;
    try {
      for (const [method, path] of MUTATING_ROUTES) {
        const response = await request(server)
          [method](path)
          .set('Authorization', mockCredentials.user.header(GUEST))
          .send(BODY);
        expect({ method, path, status: response.status }).toEqual({
          method,
          path,
          status: 403,
        });
        expect(response.body.error.name).toBe('NotAllowedError');
      }
    } finally {
      await backend.stop();
    }
  });

  it('refuses writes with invalid credentials with 401', async () => {
    const backend = await start(guardedArgoCdPlugin);
    const server = backend.server;
    try {
      for (const [method, path] of MUTATING_ROUTES) {
        const response = await request(server)
          [method](path)
          .set('Authorization', mockCredentials.user.invalidHeader())
          .send(BODY);
        expect(response.status).toBe(401);
      }
    } finally {
      await backend.stop();
    }
  });

  it('lets a platform admin through to Roadie’s routes', async () => {
    const backend = await start(guardedArgoCdPlugin);
    const server = backend.server;
    try {
      for (const [method, path] of MUTATING_ROUTES) {
        const response = await request(server)
          [method](path)
          .set('Authorization', mockCredentials.user.header(ADMIN))
          .send(BODY);
        expect([401, 403]).not.toContain(response.status);
      }
    } finally {
      await backend.stop();
    }
  });

  it('keeps the read routes open to every signed-in user', async () => {
    const backend = await start(guardedArgoCdPlugin);
    const server = backend.server;
    try {
      const response = await request(server)
        .get('/api/argocd/find/name/payments-api-dev')
        .set('Authorization', mockCredentials.user.header(GUEST));
      expect([401, 403]).not.toContain(response.status);
    } finally {
      await backend.stop();
    }
  });
});
