import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import slipwayPlugin from '@slipway/plugin-slipway-backend';
// The provider itself, as the plugin builds it from slipway.flux.clusters
// (the plugin exports no providers), as promotionWiring does for the engine.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { FluxProvider } from '@slipway/plugin-slipway-backend/src/providers/FluxProvider';
import { EntityState } from '@slipway/plugin-slipway-common';
import { UpstreamError } from '@slipway/plugin-slipway-node';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { FAST_SANDBOX_TIMINGS } from '../__testUtils__/promotionWiring';
import {
  sandboxBackendConfig,
  sandboxEntities,
} from '../__testUtils__/sandboxWiring';

// Starts the sandbox (git, Flux stand-in) and a backend: slow on 2 cores.
jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const READ_TOKEN = 'sandbox-flux-token';
const WRITE_TOKEN = 'sandbox-flux-write-token';

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe('the Flux provider against the sandbox stand-in (issue 15)', () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let cacheDir: string;
  let entities: Entity[];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-flux-sandbox-'));
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-flux-git-'));
    sandbox = await createSandbox({
      dataDir,
      basePort: 0,
      log: () => {},
      timings: FAST_SANDBOX_TIMINGS,
    });
    entities = sandboxEntities(sandbox);
  });

  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  const flux = (reconcileToken?: string) =>
    FluxProvider.create({
      name: 'sandbox',
      url: sandbox.urls.flux,
      serviceAccountToken: READ_TOKEN,
      reconcileToken,
      reconcilePollMs: 100,
    });
  const ctx = () => ({ signal: AbortSignal.timeout(20_000) });

  it('lists the Kustomizations of ledger-api, one per environment, with their live images', async () => {
    const apps = await flux().listApplications(
      'slipway.dev/app=ledger-api',
      ctx(),
    );
    expect(apps.map(a => a.environment).sort()).toEqual([
      'dev',
      'prod',
      'staging',
    ]);
    for (const app of apps) {
      expect(app.live).toMatchObject({
        application: `ledger-api-${app.environment}`,
        namespace: 'team-payments',
        controller: 'flux',
        instance: 'sandbox',
      });
      expect(app.live.revision).toMatch(/^[0-9a-f]{40}$/);
    }
    const dev = await eventually(
      () => flux().getApplication('team-payments/ledger-api-dev', ctx()),
      app => app?.live.healthStatus === 'Healthy',
    );
    expect(dev?.live.images.join()).toContain('ledger-api');
  });

  it('answers the fleet list (label existence) and a bare name', async () => {
    const all = await flux().listApplications('slipway.dev/app', ctx());
    expect(all.some(a => a.live.application === 'ledger-api-prod')).toBe(true);
    expect(
      (await flux().getApplication('ledger-api-prod', ctx()))?.live.namespace,
    ).toBe('team-payments');
  });

  it('reconciles staging to the commit dev runs, with the write token', async () => {
    const dev = await eventually(
      () => flux().getApplication('team-payments/ledger-api-dev', ctx()),
      app => app?.live.syncStatus === 'Synced',
    );
    const wanted = dev!.live.revision!;
    await flux(WRITE_TOKEN).sync('team-payments/ledger-api-staging', {
      revision: wanted,
      signal: AbortSignal.timeout(60_000),
    });
    const staging = await flux().getApplication(
      'team-payments/ledger-api-staging',
      ctx(),
    );
    expect(staging?.live.revision).toBe(wanted);
  });

  it('is refused the patch with the read token (403), and unauthenticated reads (401)', async () => {
    const error = await flux(READ_TOKEN)
      .sync('team-payments/ledger-api-staging', {
        signal: AbortSignal.timeout(10_000),
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(403);
    const anonymous = FluxProvider.create({
      name: 'sandbox',
      url: sandbox.urls.flux,
      serviceAccountToken: '',
    });
    await expect(
      anonymous.listApplications('slipway.dev/app=ledger-api', ctx()),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('shows ledger-api on its Deploy tab state as Flux-managed', async () => {
    const { server } = await startTestBackend({
      features: [
        slipwayPlugin,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: sandboxBackendConfig(sandbox, cacheDir, {
            flux: {
              clusters: [
                {
                  name: 'sandbox',
                  url: sandbox.urls.flux,
                  serviceAccountToken: READ_TOKEN,
                  reconcileToken: WRITE_TOKEN,
                },
              ],
            },
          }),
        }),
      ],
    });
    const state = await eventually(
      async () =>
        (
          await request(server).get(
            '/api/slipway/entities/component/default/ledger-api/state',
          )
        ).body as EntityState,
      body => body.environments?.[0]?.deployed === true,
    );
    expect(state.sources.find(s => s.kind === 'delivery')).toMatchObject({
      source: 'flux:sandbox',
      status: 'ok',
    });
    expect(state.environments.map(e => e.live?.controller)).toEqual([
      'flux',
      'flux',
      'flux',
    ]);
    expect(state.environments[0]).toMatchObject({
      environment: 'dev',
      deployed: true,
      live: { namespace: 'team-payments', application: 'ledger-api-dev' },
    });
  });
});
