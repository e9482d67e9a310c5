import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';

// One in-memory SQLite per backend, destroyed after the file (no pool left behind).
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
import { Entity } from '@backstage/catalog-model';
import { ConfigReader, JsonObject } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import authPlugin from '@backstage/plugin-auth-backend';
import request from 'supertest';
import { parse } from 'yaml';
import {
  DEV_USER_HEADER,
  devUsersAuthModule,
  devUsersEnabled,
} from './devUsersAuth';

// Starts the auth backend in-process; slow on a loaded 2-core machine.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../../..');

function readConfig(file: string): JsonObject {
  return parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
}

const development = readConfig('app-config.yaml');
const production = readConfig('app-config.production.yaml');

/** The parts of a portal configuration the auth backend reads. */
function authParts(data: JsonObject): JsonObject {
  const app = data.app as JsonObject | undefined;
  return {
    ...(app?.baseUrl ? { app: { baseUrl: app.baseUrl } } : {}),
    ...(data.auth ? { auth: data.auth } : {}),
  };
}

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'platform-admins', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice', namespace: 'default' },
    spec: {
      profile: { displayName: 'Alice Admin', email: 'alice@acme.example' },
      memberOf: ['platform-admins'],
    },
    relations: [
      { type: 'memberOf', targetRef: 'group:default/platform-admins' },
    ],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'bob', namespace: 'default' },
    spec: { profile: { displayName: 'Bob Builder' }, memberOf: [] },
  },
];

/** The auth backend with the module, under the given configuration layers (later wins). */
async function startAuth(layers: JsonObject[]) {
  const config = ConfigReader.fromConfigs(
    layers.map((data, index) => ({ data, context: `layer-${index}` })),
  );
  return startTestBackend({
    features: [
      authPlugin,
      devUsersAuthModule,
      catalogServiceMock.factory({ entities }),
      mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
      createServiceFactory({
        service: coreServices.rootConfig,
        deps: {},
        factory: () => config,
      }),
    ],
  });
}

describe('development sign-in as an example user', () => {
  it('is enabled by the development configuration', () => {
    expect(devUsersEnabled(new ConfigReader(development))).toBe(true);
  });

  it('is never enabled by the production configuration, alone or over the development one', () => {
    expect(devUsersEnabled(new ConfigReader(production))).toBe(false);
    // The Dockerfile runs `--config app-config.yaml --config app-config.production.yaml`.
    expect(
      devUsersEnabled(
        ConfigReader.fromConfigs([
          { data: development, context: 'app-config.yaml' },
          { data: production, context: 'app-config.production.yaml' },
        ]),
      ),
    ).toBe(false);
  });

  it('is off under NODE_ENV=production even with the development configuration', () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(devUsersEnabled(new ConfigReader(development))).toBe(false);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('signs in as the chosen user, with ownership from the catalog', async () => {
    const { server } = await startAuth([authParts(development)]);
    const response = await request(server)
      .get('/api/auth/devUsers/refresh')
      .set(DEV_USER_HEADER, 'alice')
      .set('X-Requested-With', 'XMLHttpRequest');
    expect(response.status).toBe(200);
    expect(response.body.profile.displayName).toBe('Alice Admin');
    expect(response.body.backstageIdentity.token).toEqual(expect.any(String));
    expect(response.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: expect.arrayContaining([
        'user:default/alice',
        'group:default/platform-admins',
      ]),
    });

    const full = await request(server)
      .get('/api/auth/devUsers/refresh')
      .set(DEV_USER_HEADER, 'user:default/bob');
    expect(full.status).toBe(200);
    expect(full.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/bob',
    );
  });

  it('lists the catalog users to choose from', async () => {
    const { server } = await startAuth([authParts(development)]);
    const response = await request(server).get('/api/auth/devUsers/users');
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      { entityRef: 'user:default/alice', displayName: 'Alice Admin' },
      { entityRef: 'user:default/bob', displayName: 'Bob Builder' },
    ]);
  });

  it('refuses a missing header, a group and a user the catalog does not know', async () => {
    const { server } = await startAuth([authParts(development)]);
    const missing = await request(server).get('/api/auth/devUsers/refresh');
    expect(missing.status).toBe(401);
    const group = await request(server)
      .get('/api/auth/devUsers/refresh')
      .set(DEV_USER_HEADER, 'group:default/platform-admins');
    expect(group.status).toBe(400);
    const unknown = await request(server)
      .get('/api/auth/devUsers/refresh')
      .set(DEV_USER_HEADER, 'mallory');
    expect(unknown.status).toBe(404);
    for (const response of [missing, group, unknown]) {
      expect(response.body.backstageIdentity).toBeUndefined();
    }
  });

  it('does not exist under the production configuration (404)', async () => {
    // The production file's own app.baseUrl is an environment variable.
    const { server } = await startAuth([
      authParts(development),
      { auth: production.auth },
    ]);
    const refresh = await request(server)
      .get('/api/auth/devUsers/refresh')
      .set(DEV_USER_HEADER, 'alice');
    expect(refresh.status).toBe(404);
    expect(refresh.body.backstageIdentity).toBeUndefined();
    const users = await request(server).get('/api/auth/devUsers/users');
    expect(users.status).toBe(404);
  });
});
