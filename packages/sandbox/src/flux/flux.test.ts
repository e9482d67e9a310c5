import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { validateFluxObject } from '@slipway/vendor-schemas';
import {
  ADMIN,
  getJson,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
  waitFor,
} from '../__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and child processes on a
// loaded 2-core machine; the waits below are generous for the same reason.
jest.setTimeout(120_000);

const READ = { Authorization: 'Bearer sandbox-flux-token' };
const WRITE = { Authorization: 'Bearer sandbox-flux-write-token' };
const KUSTOMIZE = '/apis/kustomize.toolkit.fluxcd.io/v1';
const SOURCE = '/apis/source.toolkit.fluxcd.io/v1';
const NS = 'team-payments';
const SHA_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
const SHA_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
const DIGEST = `sha256:${'c'.repeat(64)}`;

async function patch(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  contentType = 'application/merge-patch+json',
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'PATCH',
    headers: { ...headers, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function ready(object: any) {
  return object.status.conditions.find((c: any) => c.type === 'Ready');
}

describe('the Flux stand-in (Kubernetes API)', () => {
  let sandbox: TestSandbox;
  let api: string;
  let work: string;
  let clone: string;
  let pushUrl: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox({
      timings: { syncOperationMs: 1_500, progressingMs: 1_500 },
    });
    api = sandbox.sandbox.urls.flux;
    work = makeTempDir('flux');
    const repoUrl = `${sandbox.sandbox.urls.git}/acme/gitops.git`;
    pushUrl = repoUrl.replace('http://', 'http://ci:sandbox-github-token@');
    clone = path.join(work, 'gitops');
    await run('git', ['clone', '--quiet', repoUrl, clone]);
  }, 120_000);

  afterAll(async () => {
    await sandbox.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const kustomization = (name: string, headers = READ) =>
    getJson(
      `${api}${KUSTOMIZE}/namespaces/${NS}/kustomizations/${name}`,
      headers,
    );
  const gitRepository = () =>
    getJson(`${api}${SOURCE}/namespaces/${NS}/gitrepositories/gitops`, READ);

  /** Edits an overlay of ledger-api on the parsed tree, commits and pushes; returns the commit. */
  async function pushOverlay(
    env: string,
    edit: (document: YAML.Document) => void,
    message: string,
  ): Promise<string> {
    await run('git', ['pull', '--quiet', '--rebase', pushUrl, 'main'], {
      cwd: clone,
    });
    const file = path.join(
      clone,
      `apps/ledger-api/overlays/${env}/kustomization.yaml`,
    );
    const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
    edit(document);
    fs.writeFileSync(file, document.toString());
    await run('git', ['commit', '--quiet', '-am', message], { cwd: clone });
    await run('git', ['push', '--quiet', pushUrl, 'HEAD:main'], { cwd: clone });
    return (
      await run('git', ['rev-parse', 'HEAD'], { cwd: clone })
    ).stdout.trim();
  }

  const setTag =
    (tag: string, digest?: string) => (document: YAML.Document) => {
      const entry = (document.get('images') as YAML.YAMLSeq<YAML.YAMLMap>)
        .items[0];
      entry.set('newTag', tag);
      if (digest) entry.set('digest', digest);
    };

  async function gitopsHead(): Promise<string> {
    return (
      await run('git', [
        '--git-dir',
        path.join(sandbox.dataDir, 'git/acme/gitops.git'),
        'rev-parse',
        'main',
      ])
    ).stdout.trim();
  }

  it('lists with label selectors, in all namespaces or one', async () => {
    const all = await getJson(`${api}${KUSTOMIZE}/kustomizations`, READ);
    expect(all.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(all.kind).toBe('KustomizationList');
    expect(all.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(all.items.map((k: any) => k.metadata.name)).toEqual([
      'ledger-api-dev',
      'ledger-api-prod',
      'ledger-api-staging',
    ]);
    const selector = (text: string) =>
      `labelSelector=${encodeURIComponent(text)}`;
    const byApp = await getJson(
      `${api}${KUSTOMIZE}/kustomizations?${selector(
        'slipway.dev/app=ledger-api',
      )}`,
      READ,
    );
    expect(byApp.items).toHaveLength(3);
    const later = await getJson(
      `${api}${KUSTOMIZE}/namespaces/${NS}/kustomizations?${selector(
        'slipway.dev/app=ledger-api,slipway.dev/environment in (staging,prod)',
      )}`,
      READ,
    );
    expect(later.items.map((k: any) => k.metadata.name).sort()).toEqual([
      'ledger-api-prod',
      'ledger-api-staging',
    ]);
    const other = await getJson(
      `${api}${KUSTOMIZE}/kustomizations?${selector(
        'slipway.dev/app=payments-api',
      )}`,
      READ,
    );
    expect(other.items).toEqual([]);
    const elsewhere = await getJson(
      `${api}${KUSTOMIZE}/namespaces/team-storefront/kustomizations`,
      READ,
    );
    expect(elsewhere.items).toEqual([]);

    const bad = await fetch(
      `${api}${KUSTOMIZE}/kustomizations?${selector('a in (b')}`,
      { headers: READ },
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
    });

    const sources = await getJson(`${api}${SOURCE}/gitrepositories`, READ);
    expect(sources.kind).toBe('GitRepositoryList');
    expect(sources.items).toHaveLength(1);
    expect(sources.items[0].spec.url).toBe(
      `${sandbox.sandbox.urls.git}/acme/gitops.git`,
    );
    const helm = await getJson(
      `${api}/apis/helm.toolkit.fluxcd.io/v2/helmreleases?${selector(
        'slipway.dev/app=ledger-api',
      )}`,
      READ,
    );
    expect(helm).toMatchObject({ kind: 'HelmReleaseList', items: [] });
  });

  it('gets objects as the seed left them, and the Deployments they applied', async () => {
    const head = await gitopsHead();
    const source = await gitRepository();
    expect(source.status.artifact.revision).toBe(`main@sha1:${head}`);
    expect(ready(source)).toMatchObject({ status: 'True' });

    const dev = await kustomization('ledger-api-dev');
    expect(dev.metadata.labels).toEqual({
      'slipway.dev/app': 'ledger-api',
      'slipway.dev/environment': 'dev',
    });
    expect(dev.spec).toMatchObject({
      interval: '1m',
      path: './apps/ledger-api/overlays/dev',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'gitops' },
      targetNamespace: 'ledger-api-dev',
      serviceAccountName: 'flux-reconciler',
    });
    expect(dev.status.lastAppliedRevision).toBe(`main@sha1:${head}`);
    expect(ready(dev)).toMatchObject({
      status: 'True',
      reason: 'ReconciliationSucceeded',
    });
    expect(dev.status.inventory.entries).toEqual(
      expect.arrayContaining([
        { id: 'ledger-api-dev_ledger-api_apps_Deployment', v: 'v1' },
        { id: 'ledger-api-dev_ledger-api__Service', v: 'v1' },
      ]),
    );

    // Staging applied the source's artifact too (kustomize-controller
    // reconciles every Kustomization of a source on a new revision); its
    // objects are what its own overlay says.
    const staging = await kustomization('ledger-api-staging');
    const main = (
      await run('git', [
        '--git-dir',
        path.join(sandbox.dataDir, 'git/acme/gitops.git'),
        'rev-parse',
        'main',
      ])
    ).stdout.trim();
    expect(staging.status.lastAppliedRevision).toBe(`main@sha1:${main}`);
    expect(staging.spec.interval).toBe('24h');

    const deployment = await getJson(
      `${api}/apis/apps/v1/namespaces/ledger-api-staging/deployments/ledger-api`,
      READ,
    );
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.metadata.namespace).toBe('ledger-api-staging');
    expect(deployment.spec.template.spec.containers[0].image).toMatch(
      /\/acme\/ledger-api:[0-9a-f]{40}@sha256:[0-9a-f]{64}$/,
    );
    expect(deployment.metadata.labels).toMatchObject({
      'kustomize.toolkit.fluxcd.io/name': 'ledger-api-staging',
      'kustomize.toolkit.fluxcd.io/namespace': NS,
    });

    const missing = await fetch(
      `${api}${KUSTOMIZE}/namespaces/${NS}/kustomizations/nope`,
      { headers: READ },
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: 'kustomizations.kustomize.toolkit.fluxcd.io "nope" not found',
    });
    const noDeployment = await fetch(
      `${api}/apis/apps/v1/namespaces/payments-api-dev/deployments/payments-api`,
      { headers: READ },
    );
    expect(noDeployment.status).toBe(404);
    const unknown = await fetch(`${api}/api/v1/pods`, { headers: READ });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).kind).toBe('Status');
  });

  it('needs a token; only the write token may PATCH, and only annotations', async () => {
    const url = `${api}${KUSTOMIZE}/namespaces/${NS}/kustomizations/ledger-api-prod`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      code: 401,
    });
    const argo = await fetch(url, {
      headers: { Authorization: 'Bearer sandbox-argocd-token' },
    });
    expect(argo.status).toBe(401);
    expect((await fetch(url, { headers: WRITE })).status).toBe(200);

    const body = { metadata: { annotations: { 'example.com/note': 'x' } } };
    const unauthenticated = await patch(url, {}, body);
    expect(unauthenticated.status).toBe(401);
    const readOnly = await patch(url, READ, body);
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
    });
    expect(readOnly.body.message).toContain('cannot patch resource');
    // Refused before the lookup: the answer does not tell what exists.
    expect(
      (await patch(url.replace('ledger-api-prod', 'nope'), READ, body)).status,
    ).toBe(403);

    const patched = await patch(url, WRITE, body);
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.annotations).toEqual({
      'example.com/note': 'x',
    });
    const removed = await patch(url, WRITE, {
      metadata: { annotations: { 'example.com/note': null } },
    });
    expect(removed.body.metadata.annotations).toBeUndefined();

    const spec = await patch(url, WRITE, { spec: { suspend: true } });
    expect(spec.status).toBe(422);
    expect(spec.body).toMatchObject({ kind: 'Status', reason: 'Invalid' });
    const labels = await patch(url, WRITE, {
      metadata: { labels: { a: 'b' } },
    });
    expect(labels.status).toBe(422);
    const json = await patch(url, WRITE, body, 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.reason).toBe('UnsupportedMediaType');
    const broken = await patch(url, WRITE, '{"metadata":');
    expect(broken.status).toBe(400);
    expect(broken.body.reason).toBe('BadRequest');
    const missing = await patch(
      url.replace('ledger-api-prod', 'nope'),
      WRITE,
      body,
    );
    expect(missing.status).toBe(404);

    const after = await kustomization('ledger-api-prod');
    expect(after.spec.suspend).toBeUndefined();
  });

  it('a new commit: source revision moves, dev Reconciling → applied → Ready; staging follows the revision', async () => {
    const before = await kustomization('ledger-api-staging');
    const commit = await pushOverlay(
      'dev',
      setTag(SHA_A),
      'Deploy ledger-api to dev',
    );
    const revision = `main@sha1:${commit}`;
    await waitFor(
      async () => (await gitRepository()).status.artifact.revision === revision,
      { what: 'the GitRepository artifact to move', timeoutMs: 30_000 },
    );
    const reconciling = await waitFor(
      async () => {
        const current = await kustomization('ledger-api-dev');
        return ready(current).status === 'Unknown' ? current : undefined;
      },
      { what: 'ledger-api-dev to be reconciling', timeoutMs: 30_000 },
    );
    expect(ready(reconciling).reason).toBe('Progressing');
    expect(
      reconciling.status.conditions.find((c: any) => c.type === 'Reconciling'),
    ).toMatchObject({ status: 'True', reason: 'Progressing' });
    expect(validateFluxObject(reconciling)).toEqual([]);

    const applied = await waitFor(
      async () => {
        const current = await kustomization('ledger-api-dev');
        return ready(current).status === 'True' &&
          current.status.lastAppliedRevision === revision
          ? current
          : undefined;
      },
      { what: 'ledger-api-dev to be Ready on the commit', timeoutMs: 30_000 },
    );
    expect(ready(applied)).toMatchObject({
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: ${revision}`,
    });
    expect(applied.status.lastAttemptedRevision).toBe(revision);
    expect(
      applied.status.conditions.find((c: any) => c.type === 'Reconciling'),
    ).toBeUndefined();
    const deployment = await getJson(
      `${api}/apis/apps/v1/namespaces/ledger-api-dev/deployments/ledger-api`,
      READ,
    );
    expect(deployment.spec.template.spec.containers[0].image).toMatch(
      new RegExp(`/acme/ledger-api:${SHA_A}$`),
    );

    // Staging (24h) follows the new source revision too, as
    // kustomize-controller does; its objects did not change.
    const staging = await waitFor(
      async () => {
        const current = await kustomization('ledger-api-staging');
        return current.status.lastAppliedRevision === revision &&
          ready(current).status === 'True'
          ? current
          : undefined;
      },
      { what: 'ledger-api-staging to follow the source', timeoutMs: 30_000 },
    );
    expect(staging.status.lastAppliedRevision).not.toBe(
      before.status.lastAppliedRevision,
    );
  });

  it('a broken overlay: Ready=False, BuildFailed, with the message; fixed by the next commit', async () => {
    const applied = (await kustomization('ledger-api-dev')).status
      .lastAppliedRevision;
    const commit = await pushOverlay(
      'dev',
      document => document.set('resources', ['../../missing']),
      'Break the dev overlay',
    );
    const failed = await waitFor(
      async () => {
        const current = await kustomization('ledger-api-dev');
        return ready(current).status === 'False' ? current : undefined;
      },
      { what: 'ledger-api-dev to fail', timeoutMs: 30_000 },
    );
    expect(ready(failed).reason).toBe('BuildFailed');
    expect(ready(failed).message).toMatch(/^kustomize build failed: .*missing/);
    expect(failed.status.lastAttemptedRevision).toBe(`main@sha1:${commit}`);
    expect(failed.status.lastAppliedRevision).toBe(applied);
    expect(validateFluxObject(failed)).toEqual([]);

    const fixed = await pushOverlay(
      'dev',
      document => document.set('resources', ['../../base']),
      'Fix the dev overlay',
    );
    await waitFor(
      async () => {
        const current = await kustomization('ledger-api-dev');
        return ready(current).status === 'True' &&
          current.status.lastAppliedRevision === `main@sha1:${fixed}`
          ? current
          : undefined;
      },
      { what: 'ledger-api-dev to recover', timeoutMs: 30_000 },
    );
  });

  it('a reconcile request (reconcile.fluxcd.io/requestedAt, source first, as the Flux CLI does) is handled and applies the promotion commit', async () => {
    const before = await kustomization('ledger-api-staging');
    const commit = await pushOverlay(
      'staging',
      setTag(SHA_B, DIGEST),
      'Promote ledger-api to staging',
    );
    const revision = `main@sha1:${commit}`;
    await waitFor(
      async () => (await gitRepository()).status.artifact.revision === revision,
      { what: 'the GitRepository artifact to move', timeoutMs: 30_000 },
    );
    expect(before.status.lastHandledReconcileAt).toBeUndefined();

    const requestedAt = new Date().toISOString();
    const request = {
      metadata: {
        annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
      },
    };
    const source = await patch(
      `${api}${SOURCE}/namespaces/${NS}/gitrepositories/gitops`,
      WRITE,
      request,
    );
    expect(source.status).toBe(200);
    expect(source.body.status.lastHandledReconcileAt).toBe(requestedAt);
    expect(source.body.status.artifact.revision).toBe(revision);
    const patched = await patch(
      `${api}${KUSTOMIZE}/namespaces/${NS}/kustomizations/ledger-api-staging`,
      WRITE,
      request,
    );
    expect(patched.status).toBe(200);
    expect(
      patched.body.metadata.annotations['reconcile.fluxcd.io/requestedAt'],
    ).toBe(requestedAt);

    const handled = await waitFor(
      async () => {
        const current = await kustomization('ledger-api-staging');
        return current.status.lastHandledReconcileAt === requestedAt
          ? current
          : undefined;
      },
      { what: 'the request to be handled', timeoutMs: 30_000 },
    );
    expect(handled.status.lastAppliedRevision).toBe(revision);
    expect(ready(handled).status).toBe('True');
    const deployment = await getJson(
      `${api}/apis/apps/v1/namespaces/ledger-api-staging/deployments/ledger-api`,
      READ,
    );
    expect(deployment.spec.template.spec.containers[0].image).toMatch(
      new RegExp(`/acme/ledger-api:${SHA_B}@${DIGEST}$`),
    );
    // Prod was not asked.
    expect(
      (await kustomization('ledger-api-prod')).status.lastHandledReconcileAt,
    ).toBeUndefined();
  });

  it('honours suspend: a suspended dev Kustomization stays put until resumed', async () => {
    const admin = `${sandbox.sandbox.urls.admin}/admin/flux/kustomizations/${NS}/ledger-api-dev/suspend`;
    const suspended = await sendJson('POST', admin, ADMIN, { suspend: true });
    expect(suspended.status).toBe(200);
    expect((await kustomization('ledger-api-dev')).spec.suspend).toBe(true);
    const applied = (await kustomization('ledger-api-dev')).status
      .lastAppliedRevision;

    const commit = await pushOverlay('dev', setTag(SHA_B), 'Deploy again');
    await waitFor(
      async () =>
        (await gitRepository()).status.artifact.revision ===
        `main@sha1:${commit}`,
      { what: 'the GitRepository artifact to move', timeoutMs: 30_000 },
    );
    await new Promise(resolve => setTimeout(resolve, 2_000));
    expect(
      (await kustomization('ledger-api-dev')).status.lastAppliedRevision,
    ).toBe(applied);

    await sendJson('POST', admin, ADMIN, { suspend: false });
    await waitFor(
      async () => {
        const current = await kustomization('ledger-api-dev');
        return ready(current).status === 'True' &&
          current.status.lastAppliedRevision === `main@sha1:${commit}`
          ? current
          : undefined;
      },
      { what: 'ledger-api-dev to apply after resume', timeoutMs: 30_000 },
    );
    const state = await getJson(
      `${sandbox.sandbox.urls.admin}/admin/state`,
      ADMIN,
    );
    expect(state.urls.flux).toBe(api);
    expect(state.kustomizations).toContainEqual(
      expect.objectContaining({
        name: `${NS}/ledger-api-dev`,
        ready: 'True',
        suspended: false,
      }),
    );
  });

  it('creates Kustomizations that appear under flux/ in Git, and refuses cross-namespace sources', async () => {
    await run('git', ['pull', '--quiet', '--rebase', pushUrl, 'main'], {
      cwd: clone,
    });
    const release = (name: string, sourceNamespace?: string) => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name,
        namespace: NS,
        labels: { 'slipway.dev/app': 'ledger-copy' },
      },
      spec: {
        interval: '24h',
        path: './apps/ledger-api/overlays/prod',
        prune: true,
        sourceRef: {
          kind: 'GitRepository',
          name: 'gitops',
          ...(sourceNamespace ? { namespace: sourceNamespace } : {}),
        },
        targetNamespace: name,
      },
    });
    const folder = path.join(clone, 'flux/releases/ledger-copy');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(
      path.join(folder, 'prod.yaml'),
      [
        new YAML.Document(release('ledger-copy-prod')).toString(),
        new YAML.Document(
          release('ledger-copy-cross', 'flux-system'),
        ).toString(),
      ].join('---\n'),
    );
    await run('git', ['add', '-A'], { cwd: clone });
    await run('git', ['commit', '--quiet', '-m', 'Add ledger-copy'], {
      cwd: clone,
    });
    await run('git', ['push', '--quiet', pushUrl, 'HEAD:main'], { cwd: clone });

    // A new object reconciles at once, whatever its interval.
    const created = await waitFor(
      async () => {
        const list = await getJson(
          `${api}${KUSTOMIZE}/kustomizations?labelSelector=${encodeURIComponent(
            'slipway.dev/app=ledger-copy',
          )}`,
          READ,
        );
        const prod = list.items.find(
          (k: any) => k.metadata.name === 'ledger-copy-prod',
        );
        return prod && ready(prod).status === 'True' ? list : undefined;
      },
      { what: 'ledger-copy-prod to be Ready', timeoutMs: 30_000 },
    );
    const cross = created.items.find(
      (k: any) => k.metadata.name === 'ledger-copy-cross',
    );
    expect(ready(cross)).toMatchObject({
      status: 'False',
      reason: 'AccessDenied',
    });
    expect(ready(cross).message).toContain(
      'cross-namespace references have been disabled',
    );
    expect(validateFluxObject(...created.items)).toEqual([]);
    const deployment = await getJson(
      `${api}/apis/apps/v1/namespaces/ledger-copy-prod/deployments/ledger-api`,
      READ,
    );
    expect(deployment.metadata.namespace).toBe('ledger-copy-prod');
  });

  it('injects faults for vendor flux', async () => {
    const admin = `${sandbox.sandbox.urls.admin}/admin/faults`;
    const client = { ...ADMIN, 'X-Sandbox-Client': 'flux-test' };
    const set = await sendJson('PUT', admin, client, [
      {
        vendor: 'flux',
        mode: 'error',
        status: 502,
        pathPrefix: '/apis/kustomize.toolkit.fluxcd.io',
        times: 1,
      },
      { vendor: 'flux', mode: 'malformed', method: 'PATCH', times: 1 },
    ]);
    expect(set.status).toBe(200);
    const url = `${api}${KUSTOMIZE}/kustomizations`;
    expect((await fetch(url, { headers: READ })).status).toBe(502);
    expect((await fetch(url, { headers: READ })).status).toBe(200);
    // Other vendors and other paths are untouched.
    expect(
      (await fetch(`${api}${SOURCE}/gitrepositories`, { headers: READ }))
        .status,
    ).toBe(200);
    const malformed = await fetch(
      `${api}${KUSTOMIZE}/namespaces/${NS}/kustomizations/ledger-api-prod`,
      {
        method: 'PATCH',
        headers: { ...WRITE, 'content-type': 'application/merge-patch+json' },
        body: '{}',
      },
    );
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
    await sendJson('DELETE', admin, client);
  });
});
