/**
 * Backstage's jsdom environment: the frontend plugin's modules touch `window`
 * when they load; the backend checks run as well in it as in Node's.
 *
 * @jest-environment @backstage/cli-module-test-jest/config/jest-environment-jsdom
 */
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { execFile } from 'child_process';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { promisify } from 'util';

/**
 * The published entry points load. Builds the plugin packages with
 * `backstage-cli package build`, packs them the way they are published
 * (`backstage-cli build-workspace`: the production package.json from
 * `publishConfig`, only the `files`), installs them into a scratch app whose
 * `node_modules` sits inside the repository's (so third-party dependencies
 * resolve as they would in an adopter's app), and loads them from there.
 *
 * Needs `dist-types` (`yarn tsc`, or `yarn build:api-reports`, which
 * scripts/test.sh runs before the tests).
 */
jest.setTimeout(300_000);

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../../..');
const backstageCli = path.join(
  repoRoot,
  'node_modules/@backstage/cli/bin/backstage-cli',
);

/** In build order: libraries first, so the plugins skip rebuilding them. */
const PACKAGES = [
  { name: '@slipway/plugin-slipway-common', dir: 'plugins/slipway-common' },
  { name: '@slipway/plugin-slipway-node', dir: 'plugins/slipway-node' },
  { name: '@slipway/plugin-slipway-backend', dir: 'plugins/slipway-backend' },
  {
    name: '@slipway/plugin-scaffolder-backend-module-slipway',
    dir: 'plugins/scaffolder-backend-module-slipway',
  },
  { name: '@slipway/plugin-slipway', dir: 'plugins/slipway' },
];

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('published packages', () => {
  let scratch: string;
  let appDir: string;

  const installed = (name: string) => path.join(appDir, 'node_modules', name);
  const manifest = (name: string) =>
    JSON.parse(
      fs.readFileSync(path.join(installed(name), 'package.json'), 'utf8'),
    );
  /** Resolves a module the way the scratch app would. */
  const resolveFromApp = (request_: string) =>
    require.resolve(request_, { paths: [appDir] });

  beforeAll(async () => {
    for (const { dir } of PACKAGES) {
      await run(
        process.execPath,
        [backstageCli, 'package', 'build', '--skip-build-dependencies'],
        { cwd: path.join(repoRoot, dir), maxBuffer: 16 * 1024 * 1024 },
      );
    }

    const cacheDir = path.join(repoRoot, 'node_modules/.cache');
    fs.mkdirSync(cacheDir, { recursive: true });
    scratch = fs.mkdtempSync(path.join(cacheDir, 'slipway-published-'));
    const workspace = path.join(scratch, 'workspace');
    fs.mkdirSync(workspace);
    await run(
      process.execPath,
      [
        backstageCli,
        'build-workspace',
        workspace,
        ...PACKAGES.map(p => p.name),
      ],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
    );

    appDir = path.join(scratch, 'app');
    fs.mkdirSync(path.join(appDir, 'node_modules/@slipway'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'scratch-app', private: true }),
    );
    for (const { name, dir } of PACKAGES) {
      fs.renameSync(path.join(workspace, dir), installed(name));
    }
  });

  afterAll(() => {
    if (scratch) {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('ships only built entry points, with their config schemas and migrations', () => {
    for (const { name } of PACKAGES) {
      const pkg = manifest(name);
      const entryPoints = [
        pkg.main,
        pkg.module,
        pkg.types,
        ...Object.values<string | Record<string, string>>(
          pkg.exports ?? {},
        ).flatMap(e =>
          typeof e === 'string'
            ? [e]
            : Object.entries(e)
                .filter(([condition]) => condition !== 'backstage')
                .map(([, target]) => target),
        ),
      ].filter((e): e is string => typeof e === 'string');
      expect({ name, entryPoints }).toEqual({
        name,
        entryPoints: expect.not.arrayContaining([
          expect.stringMatching(/(^|\/)src\//),
        ]),
      });
      for (const entryPoint of entryPoints) {
        expect(fs.existsSync(path.join(installed(name), entryPoint))).toBe(
          true,
        );
      }
    }
    // config.d.ts ships compiled, where the app's config loader finds it.
    const configSchemas = PACKAGES.flatMap(({ name }) => {
      const { configSchema } = manifest(name);
      return configSchema
        ? [
            {
              name,
              configSchema,
              exists: fs.existsSync(path.join(installed(name), configSchema)),
            },
          ]
        : [];
    });
    expect(configSchemas).toEqual(
      [
        '@slipway/plugin-slipway-backend',
        '@slipway/plugin-scaffolder-backend-module-slipway',
        '@slipway/plugin-slipway',
      ].map(name => ({
        name,
        configSchema: 'config.schema.json',
        exists: true,
      })),
    );
    expect(
      fs.readdirSync(
        path.join(installed('@slipway/plugin-slipway-backend'), 'migrations'),
      ).length,
    ).toBeGreaterThan(0);
  });

  it('declares the features a Backstage app discovers', () => {
    expect(
      manifest('@slipway/plugin-slipway-backend').backstage.features,
    ).toEqual({ '.': '@backstage/BackendFeature' });
    expect(
      manifest('@slipway/plugin-scaffolder-backend-module-slipway').backstage
        .features,
    ).toEqual({ '.': '@backstage/BackendFeature' });
    expect(manifest('@slipway/plugin-slipway').backstage.features).toEqual({
      './alpha': '@backstage/FrontendPlugin',
    });
  });

  it('loads the backend plugin and scaffolder module in plain Node', async () => {
    const script = `
      const backend = require('@slipway/plugin-slipway-backend');
      const scaffolder = require('@slipway/plugin-scaffolder-backend-module-slipway');
      const node = require('@slipway/plugin-slipway-node');
      console.log(JSON.stringify({
        backend: backend.default.$$type,
        scaffolder: scaffolder.default.$$type,
        extensionPoint: node.slipwayProvidersExtensionPoint.id,
        resolved: require.resolve('@slipway/plugin-slipway-backend'),
      }));
    `;
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: appDir,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toEqual({
      backend: '@backstage/BackendFeature',
      scaffolder: '@backstage/BackendFeature',
      extensionPoint: 'slipway.providers',
      resolved: path.join(
        installed('@slipway/plugin-slipway-backend'),
        'dist/index.cjs.js',
      ),
    });
  });

  it('starts the published backend plugin in a test backend', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const published = require(resolveFromApp(
      '@slipway/plugin-slipway-backend',
    ));
    const { server } = await startTestBackend({
      features: [
        published.default,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    const res = await request(server).get('/api/slipway/environments');
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { name: string }) => e.name)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
  });

  it('loads the frontend plugin: legacy exports and the new-system default', () => {
    // Frontend packages are published as ES modules for the app's bundler;
    // Jest transforms them the way the bundler would.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const legacy = require(resolveFromApp('@slipway/plugin-slipway'));
    const alpha = require(resolveFromApp('@slipway/plugin-slipway/alpha'));
    /* eslint-enable @typescript-eslint/no-require-imports */
    expect(resolveFromApp('@slipway/plugin-slipway/alpha')).toBe(
      path.join(installed('@slipway/plugin-slipway'), 'dist/alpha.esm.js'),
    );
    expect(legacy.slipwayPlugin.getId()).toBe('slipway');
    expect(typeof legacy.EntitySlipwayDeployContent).toBe('function');
    expect(typeof legacy.SlipwayFleetPage).toBe('function');
    expect(alpha.default.$$type).toBe('@backstage/FrontendPlugin');
    expect(alpha.default.id ?? alpha.default.pluginId).toBe('slipway');
  });
});
