import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { EntityState } from '@slipway/plugin-slipway-common';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import YAML from 'yaml';
import {
  buildNewImage,
  createPromotionReplica,
  eventually,
  FAST_SANDBOX_TIMINGS,
  FLUX_WRITE_TOKEN,
  freshClone,
  git,
  PEOPLE,
  REGISTRY_HOST,
  renderedImages,
  SANDBOX_GITHUB_TOKEN,
  sandboxAdmin,
  savePolicy,
  tempDir,
} from '../__testUtils__/promotionWiring';

// A sandbox, git clones, kubectl, CI builds and Flux's reconciliations on a
// loaded 2-core machine.
jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const SERVICE = 'ledger-api';
const NAMESPACE = 'team-payments';
const GITOPS = 'acme/gitops';
const READ_TOKEN = 'sandbox-flux-token';
const KUSTOMIZATIONS = '/apis/kustomize.toolkit.fluxcd.io/v1';
const ref = { kind: 'component', namespace: 'default', name: SERVICE };
const as = (user: string) => mockCredentials.user(user);
const overlayOf = (environment: string) =>
  `apps/${SERVICE}/overlays/${environment}`;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Kustomization {
  metadata: { annotations?: Record<string, string> };
  status: {
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
    conditions?: Condition[];
  };
}

const ready = (k: Kustomization) =>
  k.status.conditions?.find(c => c.type === 'Ready');

describe('promoting the Flux service ledger-api through the engine (issue 15)', () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let root: string;
  let knex: Knex;
  /** Every request the engine sent to the Kubernetes API stand-in. */
  const calls: {
    method: string;
    path: string;
    token?: string;
    contentType?: string;
    body?: string;
  }[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.startsWith(sandbox.urls.flux)) {
      const headers = new Headers(init?.headers);
      calls.push({
        method: (init?.method ?? 'GET').toUpperCase(),
        path: new URL(url).pathname,
        token: headers.get('authorization')?.replace(/^Bearer /, ''),
        contentType: headers.get('content-type') ?? undefined,
        body: typeof init?.body === 'string' ? init.body : undefined,
      });
    }
    return fetch(input, init);
  };

  beforeAll(async () => {
    dataDir = tempDir('slipway-flux-promotion-sandbox-');
    root = tempDir('slipway-flux-promotion-work-');
    sandbox = await createSandbox({
      dataDir,
      basePort: 0,
      log: () => {},
      registryHost: REGISTRY_HOST,
      timings: FAST_SANDBOX_TIMINGS,
    });
    knex = await databases.init('SQLITE_3');
  });

  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function replica(
    options: Partial<Parameters<typeof createPromotionReplica>[0]> = {},
  ) {
    return createPromotionReplica({
      sandbox,
      knex,
      cacheDir: tempDir('slipway-flux-promotion-cache-'),
      fetch: recordingFetch,
      ...options,
    });
  }

  /** The Kustomization as the stand-in serves it (the reader's token). */
  async function kustomization(environment: string): Promise<Kustomization> {
    const res = await fetch(
      `${sandbox.urls.flux}${KUSTOMIZATIONS}/namespaces/${NAMESPACE}/kustomizations/${SERVICE}-${environment}`,
      { headers: { authorization: `Bearer ${READ_TOKEN}` } },
    );
    if (!res.ok) throw new Error(`GET ${environment}: ${res.status}`);
    return (await res.json()) as Kustomization;
  }

  async function overlayImages(environment: string) {
    const dir = await freshClone(sandbox, GITOPS, root);
    return renderedImages(dir, overlayOf(environment));
  }

  /** A developer's direct commit to an overlay's kustomization.yaml. */
  async function pushOverlay(
    environment: string,
    edit: (document: YAML.Document) => void,
    message: string,
  ): Promise<string> {
    const dir = await freshClone(sandbox, GITOPS, root);
    const file = path.join(dir, overlayOf(environment), 'kustomization.yaml');
    const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
    edit(document);
    fs.writeFileSync(file, document.toString());
    await git(['commit', '--quiet', '-am', message], dir);
    const pushUrl = new URL(`${sandbox.urls.git}/${GITOPS}.git`);
    pushUrl.username = 'x-access-token';
    pushUrl.password = SANDBOX_GITHUB_TOKEN;
    await git(['push', '--quiet', pushUrl.toString(), 'HEAD:main'], dir);
    return git(['rev-parse', 'HEAD'], dir);
  }

  const envOf = (state: EntityState, name: string) =>
    state.environments.find(e => e.environment === name)!;

  it('dev → staging → prod: each a commit to the overlay; staging and prod reconciled with the write token; deployed only on the applied commit with Ready=True', async () => {
    const { service, policies, parts } = await replica();
    await savePolicy(policies, 'ledger-flux-reconcile', {
      selector: { entities: [`component:default/${SERVICE}`] },
      environments: {
        staging: { mode: 'direct', sync: true, gates: [] },
        prod: { mode: 'direct', sync: true, gates: [] },
      },
    });
    const image = `${REGISTRY_HOST}/acme/${SERVICE}`;
    const built = await buildNewImage(sandbox, SERVICE, root);

    // dev reconciles on every commit (no request); held by `flux suspend`
    // first, to show the promotion waits for the applied revision.
    await sandboxAdmin(
      sandbox,
      'POST',
      `/admin/flux/kustomizations/${NAMESPACE}/${SERVICE}-dev/suspend`,
      { suspend: true },
    );
    const dev = await service.request(
      ref,
      { environment: 'dev', artifact: { digest: built.digest } },
      as(PEOPLE.guest),
    );
    expect({ state: dev.state, error: dev.error }).toEqual({
      state: 'syncing',
      error: undefined,
    });
    expect(dev.commit?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await overlayImages('dev')).toEqual([
      `${image}:${built.tag}@${built.digest}`,
    ]);
    // The GitRepository has the commit; the suspended dev has not applied it.
    await eventually(
      async () => {
        const res = await fetch(
          `${sandbox.urls.flux}/apis/source.toolkit.fluxcd.io/v1/namespaces/${NAMESPACE}/gitrepositories/gitops`,
          { headers: { authorization: `Bearer ${READ_TOKEN}` } },
        );
        const source = (await res.json()) as {
          status: { artifact?: { revision?: string } };
        };
        return (
          source.status.artifact?.revision === `main@sha1:${dev.commit!.sha}`
        );
      },
      60_000,
      'the GitRepository to fetch the dev commit',
    );
    for (let round = 0; round < 3; round++) {
      await service.reconcile();
      expect((await service.get(dev.id, as(PEOPLE.guest))).state).toBe(
        'syncing',
      );
    }
    expect((await kustomization('dev')).status.lastAppliedRevision).not.toBe(
      `main@sha1:${dev.commit!.sha}`,
    );
    await sandboxAdmin(
      sandbox,
      'POST',
      `/admin/flux/kustomizations/${NAMESPACE}/${SERVICE}-dev/suspend`,
      { suspend: false },
    );
    await eventually(
      async () => {
        await service.reconcile();
        return (
          (await service.get(dev.id, as(PEOPLE.guest))).state === 'deployed'
        );
      },
      90_000,
      'dev deployed',
    );
    const devApplied = await kustomization('dev');
    expect(devApplied.status.lastAppliedRevision).toBe(
      `main@sha1:${dev.commit!.sha}`,
    );
    expect(ready(devApplied)?.status).toBe('True');
    // dev was never asked to reconcile: its interval (here, the new
    // revision) applied it.
    expect(calls.filter(c => c.method === 'PATCH')).toEqual([]);

    for (const environment of ['staging', 'prod']) {
      const before = calls.length;
      let requested = false;
      const requesting = service
        .request(
          ref,
          { environment, artifact: { from: 'upstream' } },
          as(PEOPLE.guest),
        )
        .finally(() => {
          requested = true;
        });
      // The scheduled reconciler runs while the request waits for Flux: it
      // leaves the committed promotion to the request holding the lease (a
      // second reconcile request would replace the first's requestedAt).
      const reconciling = (async () => {
        while (!requested) {
          await service.reconcile();
          await new Promise(r => setTimeout(r, 50));
        }
      })();
      const [promotion] = await Promise.all([requesting, reconciling]);
      expect({ state: promotion.state, error: promotion.error }).toEqual({
        state: 'syncing',
        error: undefined,
      });
      expect(promotion.artifact).toMatchObject({
        digest: built.digest,
        tag: built.tag,
      });
      const sha = promotion.commit!.sha;
      expect(await overlayImages(environment)).toEqual([
        `${image}:${built.tag}@${built.digest}`,
      ]);
      expect(promotion.timeline.at(-1)?.message).toBe(
        `Flux reconciled ${NAMESPACE}/${SERVICE}-${environment}`,
      );
      // `flux reconcile kustomization --with-source`: the source, then the
      // Kustomization, each a merge patch of one annotation, write token.
      const patches = calls.slice(before).filter(c => c.method === 'PATCH');
      expect(patches.map(c => c.path)).toEqual([
        `${KUSTOMIZATIONS.replace(
          'kustomize',
          'source',
        )}/namespaces/${NAMESPACE}/gitrepositories/gitops`,
        `${KUSTOMIZATIONS}/namespaces/${NAMESPACE}/kustomizations/${SERVICE}-${environment}`,
      ]);
      for (const patch of patches) {
        expect(patch.token).toBe(FLUX_WRITE_TOKEN);
        expect(patch.contentType).toBe('application/merge-patch+json');
        expect(Object.keys(JSON.parse(patch.body!))).toEqual(['metadata']);
      }
      const requestedAt = JSON.parse(patches[1].body!).metadata.annotations[
        'reconcile.fluxcd.io/requestedAt'
      ];
      // The reconcile request returned once Flux applied the commit.
      const applied = await kustomization(environment);
      expect(applied.status.lastHandledReconcileAt).toBe(requestedAt);
      expect(
        applied.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'],
      ).toBe(requestedAt);
      expect(applied.status.lastAppliedRevision).toBe(`main@sha1:${sha}`);
      expect(ready(applied)?.status).toBe('True');
      // Reads only with the reader's token.
      for (const read of calls.slice(before).filter(c => c.method === 'GET')) {
        expect(read.token).toBe(READ_TOKEN);
      }
      await eventually(
        async () => {
          await service.reconcile();
          return (
            (await service.get(promotion.id, as(PEOPLE.guest))).state ===
            'deployed'
          );
        },
        90_000,
        `${environment} deployed`,
      );
      expect(
        (await service.get(promotion.id, as(PEOPLE.guest))).timeline.at(-1)
          ?.message,
      ).toBe(`Flux reports ${SERVICE}-${environment} synced and healthy`);
    }

    // The Deploy tab's rule agrees: every environment on the build, on Flux.
    const state = await parts.deployState.getEntityState(
      ref,
      mockCredentials.service(),
      { fresh: true },
    );
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(envOf(state, environment)).toMatchObject({
        deployed: true,
        desired: { image: { digest: built.digest, tag: built.tag } },
        live: { controller: 'flux', application: `${SERVICE}-${environment}` },
      });
    }
  });

  it("a broken overlay: the promotion fails with the controller's message, never deployed", async () => {
    // No registry: the digest is taken as given (the overlay is what fails).
    const { service, parts } = await replica({ registry: false });
    const broken = await pushOverlay(
      'staging',
      document => document.set('resources', ['../../base', 'missing-config']),
      'Reference a file that is not there',
    );
    await eventually(
      async () => {
        const current = await kustomization('staging');
        return (
          current.status.lastAttemptedRevision === `main@sha1:${broken}` &&
          ready(current)?.status === 'False'
        );
      },
      60_000,
      'staging to fail on the broken overlay',
    );
    const digest = `sha256:${'e1'.repeat(32)}`;
    const promotion = await service.request(
      ref,
      { environment: 'staging', artifact: { digest } },
      as(PEOPLE.guest),
    );
    expect(promotion.state).toBe('failed');
    expect(promotion.commit?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(promotion.error).toMatch(
      new RegExp(
        `^Flux sandbox: ${NAMESPACE}/${SERVICE}-staging failed to apply ${promotion.commit!.sha.slice(
          0,
          7,
        )}: kustomize build failed: .*missing-config`,
      ),
    );
    const failed = await kustomization('staging');
    expect(failed.status.lastAttemptedRevision).toBe(
      `main@sha1:${promotion.commit!.sha}`,
    );
    expect(failed.status.lastAppliedRevision).not.toBe(
      `main@sha1:${promotion.commit!.sha}`,
    );
    expect(ready(failed)).toMatchObject({
      status: 'False',
      reason: 'BuildFailed',
    });
    const state = await parts.deployState.getEntityState(
      ref,
      mockCredentials.service(),
      { fresh: true },
    );
    expect(envOf(state, 'staging')).toMatchObject({
      deployed: false,
      live: { healthStatus: 'Degraded' },
    });
  });
});
