import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import slipwayPlugin from '@slipway/plugin-slipway-backend';

jest.setTimeout(60_000);

/**
 * Destroys the Slipway plugin's database client when the backend stops. The
 * default database service leaves SQLite pools open at shutdown, and each
 * pool's reaper interval kept the Jest worker alive ("a worker process has
 * failed to exit gracefully").
 */
const closeDatabaseOnShutdown = createBackendModule({
  pluginId: 'slipway',
  moduleId: 'test-close-database',
  register(env) {
    env.registerInit({
      deps: {
        database: coreServices.database,
        lifecycle: coreServices.lifecycle,
      },
      async init({ database, lifecycle }) {
        lifecycle.addShutdownHook(async () => {
          const client = await database.getClient();
          await client.destroy();
        });
      },
    });
  },
});

/**
 * The embedded default keeps state in SQLite files under the data folder:
 * what is written survives a restart of the backend.
 */
describe('embedded SQLite persistence', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-persist-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function start() {
    return startTestBackend({
      features: [
        slipwayPlugin,
        closeDatabaseOnShutdown,
        databaseServiceFactory,
        catalogServiceMock.factory(),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: {
                client: 'better-sqlite3',
                connection: { directory: dataDir },
              },
            },
          },
        }),
      ],
    });
  }

  it('keeps a saved policy across a backend restart', async () => {
    const first = await start();
    const saved = await request(first.server)
      .put('/api/slipway/policies/default')
      .send({
        expectedVersion: 0,
        policy: {
          selector: {},
          environments: { prod: { mode: 'direct', gates: [] } },
        },
      });
    expect(saved.status).toBe(200);
    await first.stop();

    expect(fs.readdirSync(dataDir)).toContain('slipway.sqlite');

    const second = await start();
    const read = await request(second.server).get(
      '/api/slipway/policies/default',
    );
    expect(read.status).toBe(200);
    expect(read.body.version).toBe(1);
    await second.stop();
  });
});
