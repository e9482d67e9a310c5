import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import slipwayPlugin from '@slipway/plugin-slipway-backend';
import {
  EntityState,
  SecretHealth,
  secretsVerdict,
} from '@slipway/plugin-slipway-common';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import YAML from 'yaml';
import {
  eventually,
  FAST_SANDBOX_TIMINGS,
  freshClone,
  git,
  SANDBOX_GITHUB_TOKEN,
  sandboxAdmin,
  tempDir,
} from '../__testUtils__/promotionWiring';
import {
  sandboxBackendConfig,
  sandboxEntities,
} from '../__testUtils__/sandboxWiring';

// Integration test: a sandbox, git clones and a backend on a loaded 2-core machine.
jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const SERVICE = 'payments-api';
const APPLICATION = `${SERVICE}-dev`;
const OVERLAY = `apps/${SERVICE}/overlays/dev`;

/** What the service template's External Secrets and Sealed Secrets choices put in an overlay. */
const SECRET_OBJECTS = [
  {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { name: 'db-credentials' },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'SecretStore', name: 'vault' },
      target: { name: 'db-credentials' },
      data: [
        {
          secretKey: 'password',
          remoteRef: { key: 'payments-api/dev/db', property: 'password' },
        },
      ],
    },
  },
  {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name: 'api-token' },
    spec: { encryptedData: { token: 'AgBy3i4OJSWK+PiTySYZZA==' } },
  },
];

describe('secrets health on the Deploy tab, from Argo CD’s resource list (issue 16)', () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let root: string;

  beforeAll(async () => {
    dataDir = tempDir('slipway-secrets-sandbox-');
    root = tempDir('slipway-secrets-work-');
    sandbox = await createSandbox({
      dataDir,
      basePort: 0,
      log: () => {},
      timings: FAST_SANDBOX_TIMINGS,
    });
  });

  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function startBackend() {
    const { server } = await startTestBackend({
      features: [
        slipwayPlugin,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        catalogServiceMock.factory({ entities: sandboxEntities(sandbox) }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: sandboxBackendConfig(sandbox, tempDir('slipway-secrets-git-')),
        }),
      ],
    });
    return server;
  }

  /** The dev overlay gains the secret objects: a commit the stand-in auto-syncs. */
  async function pushSecretObjects(): Promise<string> {
    const dir = await freshClone(sandbox, 'acme/gitops', root);
    fs.writeFileSync(
      path.join(dir, OVERLAY, 'secrets.yaml'),
      SECRET_OBJECTS.map(object => new YAML.Document(object).toString()).join(
        '---\n',
      ),
    );
    const file = path.join(dir, OVERLAY, 'kustomization.yaml');
    const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
    const resources = document.get('resources') as YAML.YAMLSeq | undefined;
    if (resources) resources.add('secrets.yaml');
    else document.set('resources', ['secrets.yaml']);
    fs.writeFileSync(file, document.toString());
    await git(['add', '-A'], dir);
    await git(['commit', '--quiet', '-m', 'Add the dev secrets'], dir);
    const pushUrl = new URL(`${sandbox.urls.git}/acme/gitops.git`);
    pushUrl.username = 'x-access-token';
    pushUrl.password = SANDBOX_GITHUB_TOKEN;
    await git(['push', '--quiet', pushUrl.toString(), 'HEAD:main'], dir);
    return git(['rev-parse', 'HEAD'], dir);
  }

  it('reports the ExternalSecret and SealedSecret of a synced overlay with the health Argo CD computes from their conditions', async () => {
    const server = await startBackend();
    const devSecrets = async () => {
      const res = await request(server).get(
        `/api/slipway/entities/component/default/${SERVICE}/state`,
      );
      expect(res.status).toBe(200);
      const dev = (res.body as EntityState).environments.find(
        e => e.environment === 'dev',
      );
      return dev?.live?.secrets;
    };
    const setCondition = (
      kind: string,
      name: string,
      body: { status: string; message?: string },
    ) =>
      sandboxAdmin(
        sandbox,
        'POST',
        `/admin/applications/${APPLICATION}/secrets/${kind}/${name}`,
        body,
      );

    // No secret objects in the seeded overlay: nothing reported.
    expect(await devSecrets()).toBeUndefined();

    // The operators have not reported yet (SealedSecret), or fail (ExternalSecret).
    await setCondition('SealedSecret', 'api-token', { status: 'none' });
    await setCondition('ExternalSecret', 'db-credentials', {
      status: 'False',
      message:
        'could not get secret data from provider: permission denied (Vault role payments-api-dev)',
    });
    const revision = await pushSecretObjects();
    const failing = await eventually<SecretHealth[]>(
      async () => {
        const secrets = await devSecrets();
        return secrets?.length === 2 ? secrets : undefined;
      },
      90_000,
      `dev synced to ${revision.slice(0, 7)} with its secret objects`,
    );
    const namespace = failing[0].namespace;
    expect(namespace).toEqual(expect.any(String));
    expect(failing).toEqual([
      {
        kind: 'ExternalSecret',
        name: 'db-credentials',
        namespace,
        health: 'Degraded',
        message:
          'could not get secret data from provider: permission denied (Vault role payments-api-dev)',
      },
      {
        kind: 'SealedSecret',
        name: 'api-token',
        namespace,
        health: 'Progressing',
        message: 'Waiting for Sealed Secret to be decrypted',
      },
    ]);
    expect(secretsVerdict({ secrets: failing })).toMatchObject({
      status: 'degraded',
      reason:
        'ExternalSecret db-credentials: Degraded — could not get secret data from provider: permission denied (Vault role payments-api-dev)',
    });

    // The operators succeed: both Healthy, the ExternalSecret with ESO's message.
    await setCondition('ExternalSecret', 'db-credentials', {
      status: 'True',
      message: 'Secret was synced',
    });
    await setCondition('SealedSecret', 'api-token', { status: 'True' });
    const healthy = await eventually(async () => {
      const secrets = await devSecrets();
      return secrets?.every(s => s.health === 'Healthy') ? secrets : undefined;
    });
    expect(healthy).toEqual([
      {
        kind: 'ExternalSecret',
        name: 'db-credentials',
        namespace,
        health: 'Healthy',
        message: 'Secret was synced',
      },
      { kind: 'SealedSecret', name: 'api-token', namespace, health: 'Healthy' },
    ]);
    expect(secretsVerdict({ secrets: healthy })).toMatchObject({
      status: 'healthy',
      reason: 'All 2 secret objects are Healthy',
    });

    // The admin API refuses what no operator reports.
    await expect(
      setCondition('Secret', 'plain', { status: 'True' }),
    ).rejects.toThrow(/400/);
    await expect(
      setCondition('ExternalSecret', 'db-credentials', { status: 'maybe' }),
    ).rejects.toThrow(/400/);
  });
});
