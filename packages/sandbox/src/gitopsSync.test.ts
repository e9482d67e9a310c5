import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  ARGOCD,
  ARGOCD_WRITE,
  getJson,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
  waitFor,
} from './__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

const NEW_SHA = 'abcdef0123456789abcdef0123456789abcdef01';

/** Points the first `images:` entry of an overlay at a new tag, editing the parsed tree. */
function setImage(file: string, tag: string, digest?: string) {
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  const images = document.get('images') as YAML.YAMLSeq<YAML.YAMLMap>;
  const entry = images.items[0];
  entry.set('newTag', tag);
  if (digest) entry.set('digest', digest);
  else entry.delete('digest');
  fs.writeFileSync(file, document.toString());
  return String(entry.get('name'));
}

describe('GitOps repo → Argo CD state', () => {
  let sandbox: TestSandbox;
  let work: string;
  let clone: string;
  let pushUrl: string;

  beforeAll(async () => {
    // The auto-sync delay leaves room to observe OutOfSync even on a loaded
    // machine; the waits below are generous for the same reason.
    sandbox = await startTestSandbox({
      timings: {
        syncOperationMs: 2_000,
        autoSyncDelayMs: 5_000,
        canaryStepMs: 600,
      },
    });
    work = makeTempDir('gitops');
    const repoUrl = `${sandbox.sandbox.urls.git}/acme/gitops.git`;
    pushUrl = repoUrl.replace('http://', 'http://ci:sandbox-github-token@');
    clone = path.join(work, 'gitops');
    await run('git', ['clone', '--quiet', repoUrl, clone]);
  }, 90_000);

  afterAll(async () => {
    await sandbox.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const app = (name: string) =>
    getJson(
      `${sandbox.sandbox.urls.argocd}/api/v1/applications/${name}`,
      ARGOCD,
    );

  async function commitAndPush(message: string) {
    await run('git', ['commit', '--quiet', '-am', message], { cwd: clone });
    await run('git', ['push', '--quiet', pushUrl, 'main'], { cwd: clone });
    return (
      await run('git', ['rev-parse', 'HEAD'], { cwd: clone })
    ).stdout.trim();
  }

  it('auto-syncs dev after a push and renders the new image', async () => {
    const overlay = path.join(
      clone,
      'apps/checkout-web/overlays/dev/kustomization.yaml',
    );
    const imageName = setImage(overlay, NEW_SHA);
    const revision = await commitAndPush('Deploy checkout-web to dev');
    const expectedImage = `${imageName}:${NEW_SHA}`;

    const outOfSync = await app('checkout-web-dev');
    expect(outOfSync.status.sync.status).toBe('OutOfSync');
    expect(outOfSync.status.sync.revision).toBe(revision);

    const synced = await waitFor(
      async () => {
        const current = await app('checkout-web-dev');
        return current.status.sync.status === 'Synced' &&
          current.status.health.status === 'Healthy'
          ? current
          : undefined;
      },
      { what: 'checkout-web-dev to be Synced and Healthy', timeoutMs: 30_000 },
    );
    expect(synced.status.summary.images).toEqual([expectedImage]);
    expect(synced.status.operationState.phase).toBe('Succeeded');
    expect(synced.status.operationState.syncResult.revision).toBe(revision);
    expect(
      synced.status.history[synced.status.history.length - 1].revision,
    ).toBe(revision);

    // kubectl kustomize, on a fresh clone, is the oracle for what the overlay renders.
    const fresh = path.join(work, 'fresh');
    await run('git', [
      'clone',
      '--quiet',
      `${sandbox.sandbox.urls.git}/acme/gitops.git`,
      fresh,
    ]);
    const rendered = (
      await run('kubectl', [
        'kustomize',
        path.join(fresh, 'apps/checkout-web/overlays/dev'),
      ])
    ).stdout;
    const images = YAML.parseAllDocuments(rendered)
      .map(d => d.toJS())
      .filter(o => o.kind === 'Deployment')
      .flatMap(o =>
        o.spec.template.spec.containers.map((c: { image: string }) => c.image),
      );
    expect(images).toEqual([expectedImage]);
  }, 60_000);

  it('keeps a manual-sync app OutOfSync until synced and refuses a second sync while one runs', async () => {
    const overlay = path.join(
      clone,
      'apps/payments-api/overlays/staging/kustomization.yaml',
    );
    setImage(overlay, NEW_SHA, `sha256:${'c'.repeat(64)}`);
    const revision = await commitAndPush('Promote payments-api to staging');

    await new Promise(resolve => setTimeout(resolve, 1000));
    const still = await app('payments-api-staging');
    expect(still.status.sync.status).toBe('OutOfSync');
    expect(still.spec.syncPolicy.automated).toBeUndefined();

    const url = `${sandbox.sandbox.urls.argocd}/api/v1/applications/payments-api-staging/sync`;
    const first = await sendJson('POST', url, ARGOCD_WRITE, {
      revision,
      prune: false,
    });
    expect(first.status).toBe(200);
    expect(first.body.status.operationState.phase).toBe('Running');

    const second = await sendJson('POST', url, ARGOCD_WRITE, {});
    expect(second.status).toBeGreaterThanOrEqual(400);
    expect(second.body.message).toContain(
      'another operation is already in progress',
    );

    const synced = await waitFor(
      async () => {
        const current = await app('payments-api-staging');
        return current.status.sync.status === 'Synced' &&
          current.status.health.status === 'Healthy'
          ? current
          : undefined;
      },
      { what: 'payments-api-staging to sync', timeoutMs: 30_000 },
    );
    expect(synced.status.summary.images[0]).toContain(
      `:${NEW_SHA}@sha256:${'c'.repeat(64)}`,
    );
  }, 60_000);

  it('terminates a running operation', async () => {
    const url = `${sandbox.sandbox.urls.argocd}/api/v1/applications/payments-api-prod`;
    const overlay = path.join(
      clone,
      'apps/payments-api/overlays/prod/kustomization.yaml',
    );
    setImage(overlay, NEW_SHA, `sha256:${'d'.repeat(64)}`);
    await commitAndPush('Promote payments-api to prod');
    expect(
      (await sendJson('POST', `${url}/sync`, ARGOCD_WRITE, {})).status,
    ).toBe(200);
    expect(
      (await sendJson('DELETE', `${url}/operation`, ARGOCD_WRITE)).status,
    ).toBe(200);
    const after = await app('payments-api-prod');
    expect(after.status.operationState.phase).toBe('Failed');
    expect(after.status.sync.status).toBe('OutOfSync');
    expect(
      (await sendJson('DELETE', `${url}/operation`, ARGOCD_WRITE)).status,
    ).toBe(400);
  });

  it('steps a Rollout canary to 100% after a sync', async () => {
    const overlay = path.join(
      clone,
      'apps/orders-service/overlays/staging/kustomization.yaml',
    );
    setImage(overlay, NEW_SHA, `sha256:${'e'.repeat(64)}`);
    await commitAndPush('Promote orders-service to staging');
    const base = `${sandbox.sandbox.urls.argocd}/api/v1/applications/orders-service-staging`;
    expect(
      (await sendJson('POST', `${base}/sync`, ARGOCD_WRITE, {})).status,
    ).toBe(200);
    const weights = new Set<string>();
    await waitFor(
      async () => {
        const tree = await getJson(`${base}/resource-tree`, ARGOCD);
        const rollout = tree.nodes.find(
          (n: { kind: string }) => n.kind === 'Rollout',
        );
        const weight = rollout?.info?.find(
          (i: { name: string }) => i.name === 'Set Weight',
        )?.value;
        if (weight) weights.add(weight);
        const current = await app('orders-service-staging');
        const sawCanary = weights.has('5') || weights.has('25');
        return (
          sawCanary &&
          current.status.health.status === 'Healthy' &&
          weight === '100'
        );
      },
      { what: 'canary to finish', timeoutMs: 30_000, intervalMs: 50 },
    );
    expect([...weights]).toEqual(expect.arrayContaining(['25', '100']));
  }, 60_000);

  it('creates Applications from apps/<app>/argocd/ like an app-of-apps, then syncs dev', async () => {
    for (const folder of ['base', 'overlays/dev']) {
      fs.cpSync(
        path.join(clone, 'apps/payments-api', folder),
        path.join(clone, 'apps/demo-svc', folder),
        { recursive: true },
      );
    }
    fs.mkdirSync(path.join(clone, 'apps/demo-svc/argocd'), { recursive: true });
    const application = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'demo-svc-dev',
        namespace: 'argocd',
        labels: {
          'slipway.dev/app': 'demo-svc',
          'slipway.dev/environment': 'dev',
        },
      },
      spec: {
        project: 'team-payments',
        source: {
          repoURL: `${sandbox.sandbox.urls.git}/acme/gitops.git`,
          path: 'apps/demo-svc/overlays/dev',
          targetRevision: 'main',
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'demo-svc-dev',
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    };
    const foreign = {
      ...application,
      metadata: { ...application.metadata, name: 'demo-svc-foreign' },
      spec: {
        ...application.spec,
        source: {
          ...application.spec.source,
          repoURL: 'https://evil.example/x.git',
        },
      },
    };
    fs.writeFileSync(
      path.join(clone, 'apps/demo-svc/argocd/applications.yaml'),
      [YAML.stringify(application), YAML.stringify(foreign)].join('---\n'),
    );
    await run('git', ['add', '-A'], { cwd: clone });
    await commitAndPush('Add demo-svc');

    const healthy = await waitFor(
      async () => {
        const response = await fetch(
          `${sandbox.sandbox.urls.argocd}/api/v1/applications/demo-svc-dev`,
          { headers: ARGOCD },
        );
        if (response.status !== 200) return undefined;
        const current = await response.json();
        return current.status.sync.status === 'Synced' &&
          current.status.health.status === 'Healthy'
          ? current
          : undefined;
      },
      { what: 'demo-svc-dev to be created and Healthy', timeoutMs: 30_000 },
    );
    expect(healthy.metadata.labels['slipway.dev/environment']).toBe('dev');
    // A manifest pointing at another repository is not taken over.
    const foreignResponse = await fetch(
      `${sandbox.sandbox.urls.argocd}/api/v1/applications/demo-svc-foreign`,
      { headers: ARGOCD },
    );
    expect(foreignResponse.status).toBe(404);
  }, 60_000);
});
