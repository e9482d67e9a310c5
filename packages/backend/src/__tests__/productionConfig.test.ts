import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader, JsonObject, JsonValue } from '@backstage/config';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { devUsersEnabled } from '../modules/devUsersAuth';

// The production configuration turns off everything development-only: the
// sandbox, guest sign-in, the sign-in as any user, the sandbox's addresses
// and credentials. Checked on the layers as the image merges them
// (`--config app-config.yaml --config app-config.production.yaml`, later
// wins, objects merged key by key, arrays replaced) and with the Kubernetes
// layer of deploy/ on top.

// Starts the auth backend in-process; slow on a loaded 2-core machine.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../../..');
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function readConfig(file: string): JsonObject {
  return parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
}

const development = readConfig('app-config.yaml');
const production = readConfig('app-config.production.yaml');
const kubernetes = readConfig('deploy/base/app-config.kubernetes.yaml');

function merge(...layers: [string, JsonObject][]) {
  return ConfigReader.fromConfigs(
    layers.map(([context, data]) => ({ context, data })),
  );
}

const layerings: [string, ConfigReader][] = [
  [
    'app-config.yaml + app-config.production.yaml (the image)',
    merge(
      ['app-config.yaml', development],
      ['app-config.production.yaml', production],
    ),
  ],
  [
    'the image + deploy/base/app-config.kubernetes.yaml (Kubernetes)',
    merge(
      ['app-config.yaml', development],
      ['app-config.production.yaml', production],
      ['app-config.kubernetes.yaml', kubernetes],
    ),
  ],
];

/** Every string in a configuration, with its key path. */
function strings(
  value: JsonValue | undefined,
  at = '',
): { at: string; value: string }[] {
  if (typeof value === 'string') return [{ at, value }];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => strings(item, `${at}[${index}]`));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      strings(item, at ? `${at}.${key}` : key),
    );
  }
  return [];
}

/** Addresses and variables that only exist on a development machine. */
const DEVELOPMENT_ONLY =
  /127\.0\.0\.1|localhost|\$\{SANDBOX_|:710[0-4]\b|\.\.\/\.\.\/examples|\.\.\/\.\.\/templates/;

describe.each(layerings)('production configuration: %s', (_name, config) => {
  it('turns the sandbox off', () => {
    expect(config.getBoolean('slipway.sandbox')).toBe(false);
  });

  it('runs auth in production: no sign-in as any user, no guest outside development', () => {
    expect(config.getString('auth.environment')).toBe('production');
    expect(devUsersEnabled(config)).toBe(false);
    // auth.providers.guest stays in the merge (a later layer cannot delete
    // a key, and the guest module reads it at start-up); Backstage's guest
    // provider refuses every sign-in outside NODE_ENV=development unless
    // this flag is set, which no layer may do. The image and the Deployment
    // set NODE_ENV=production (dockerfile and deployManifests tests).
    for (const provider of config.getOptionalConfig('auth.providers')?.keys() ??
      []) {
      expect(
        config.getOptionalBoolean(
          `auth.providers.${provider}.dangerouslyAllowOutsideDevelopment`,
        ),
      ).toBeUndefined();
    }
  });

  it('keeps no sandbox address, sandbox credential or example file', () => {
    const leftovers = strings(config.get()).filter(({ value }) =>
      DEVELOPMENT_ONLY.test(value),
    );
    expect(leftovers).toEqual([]);
  });

  it('reads PostgreSQL and registers no file locations from the repository', () => {
    expect(config.getString('backend.database.client')).toBe('pg');
    expect(config.getConfigArray('catalog.locations')).toEqual([]);
  });

  it('takes every vendor address and credential from the environment', () => {
    const vendorKeys = [
      'slipway.argocd',
      'slipway.harbor',
      'slipway.sonarqube',
      'slipway.webhooks',
      'integrations.github',
      'argocd.appLocatorMethods',
    ];
    const values = vendorKeys.flatMap(key =>
      strings(config.getOptional(key)).map(({ at, value }) => ({
        key: at ? `${key}.${at}` : key,
        value,
      })),
    );
    expect(values.length).toBeGreaterThan(0);
    // Addresses and credentials are environment variables; the rest (names,
    // hosts, locator types) are plain words.
    const fromEnvironment = values.filter(({ key }) =>
      /url|token|password|secret|username/i.test(key),
    );
    expect(fromEnvironment.length).toBeGreaterThan(0);
    expect(
      fromEnvironment.filter(({ value }) => !/\$\{[A-Z0-9_]+\}/.test(value)),
    ).toEqual([]);
    expect(
      values.filter(
        ({ value }) =>
          !/^(https?:\/\/)?[\w.-]+$/.test(value) && !value.includes('${'),
      ),
    ).toEqual([]);
  });
});

describe('the Kubernetes configuration layer', () => {
  it('adds only cluster settings and never touches sandbox or sign-in keys', () => {
    expect(Object.keys(kubernetes).sort()).toEqual(['backend', 'techdocs']);
    expect(Object.keys(kubernetes.backend as JsonObject)).toEqual(['cache']);
  });
});

const guestUser: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'guest', namespace: 'default' },
  spec: { memberOf: [] },
};

/** The auth backend with the guest provider, under the merged auth configuration. */
async function startAuth(nodeEnv: string) {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = nodeEnv;
  try {
    // The production file's own app.baseUrl is an environment variable.
    const config = merge(
      [
        'app-config.yaml',
        { app: { baseUrl: 'http://localhost:3000' }, auth: development.auth! },
      ],
      ['app-config.production.yaml', { auth: production.auth! }],
    );
    const backend = await startTestBackend({
      features: [
        authPlugin,
        guestProviderModule,
        catalogServiceMock.factory({ entities: [guestUser] }),
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        createServiceFactory({
          service: coreServices.rootConfig,
          deps: {},
          factory: () => config,
        }),
      ],
    });
    const refresh = await request(backend.server)
      .get('/api/auth/guest/refresh')
      .set('X-Requested-With', 'XMLHttpRequest');
    return refresh;
  } finally {
    process.env.NODE_ENV = previous;
  }
}

describe('guest sign-in under the merged production configuration', () => {
  it('is refused when the process runs with NODE_ENV=production (the image and the Deployment)', async () => {
    const refresh = await startAuth('production');
    expect(refresh.status).toBeGreaterThanOrEqual(400);
    expect(refresh.body.backstageIdentity).toBeUndefined();
  });

  it('works only under NODE_ENV=development (the check above can fail)', async () => {
    const refresh = await startAuth('development');
    expect(refresh.status).toBe(200);
    expect(refresh.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/guest',
    );
  });
});
