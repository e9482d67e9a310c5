/* eslint-disable @backstage/no-forbidden-package-imports */
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PromotionPolicy } from '@slipway/plugin-slipway-common';
import {
  DEFAULT_ENVIRONMENTS,
  GitOpsGateway,
  ScmCredentials,
} from '@slipway/plugin-slipway-node';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
// The engine's parts, wired as the plugin wires them (plugin.ts,
// createPromotions), so a test can inject a clock and run two replicas.
import { DatabaseLock } from '@slipway/plugin-slipway-backend/src/database/DatabaseLock';
import { KnexPolicyStore } from '@slipway/plugin-slipway-backend/src/database/KnexPolicyStore';
import { connectSlipwayDatabase } from '@slipway/plugin-slipway-backend/src/database/migrate';
import { PromotionStore } from '@slipway/plugin-slipway-backend/src/database/PromotionStore';
import { GatewayPromotionWriter } from '@slipway/plugin-slipway-backend/src/promotion/GatewayPromotionWriter';
import { PromotionService } from '@slipway/plugin-slipway-backend/src/promotion/PromotionService';
import { PromotionWriter } from '@slipway/plugin-slipway-backend/src/promotion/PromotionWriter';
import {
  createDefaultProviders,
  groupProviders,
} from '@slipway/plugin-slipway-backend/src/providers/createDefaultProviders';
import { DeployStateService } from '@slipway/plugin-slipway-backend/src/state/DeployStateService';
import { SourceCache } from '@slipway/plugin-slipway-backend/src/state/SourceCache';
import { sandboxBackendConfig, sandboxEntities } from './sandboxWiring';

export type { PromotionWriter };

const exec = promisify(execFile);

const SANDBOX_ADMIN_TOKEN = 'sandbox-admin-token';
export const SANDBOX_GITHUB_TOKEN = 'sandbox-github-token';
export const ARGOCD_WRITE_TOKEN = 'sandbox-argocd-write-token';
export const FLUX_WRITE_TOKEN = 'sandbox-flux-write-token';
/**
 * The registry host the sandbox writes into image names. Passed to
 * `createSandbox` explicitly: with ephemeral ports the seeded overlays name
 * `127.0.0.1:7103/...` while `sandboxEntities` names the Harbor stand-in's
 * real port, and a promotion edits the overlay entry the entity names.
 */
export const REGISTRY_HOST = '127.0.0.1:7103';

/** Sandbox timings that keep CI runs, syncs and rollouts short in tests. */
export const FAST_SANDBOX_TIMINGS = {
  ciQueuedMs: 150,
  ciRunMs: 300,
  pollIntervalMs: 200,
  faultTimeoutMs: 3000,
  autoSyncDelayMs: 400,
  syncOperationMs: 500,
  progressingMs: 300,
  canaryStepMs: 60_000,
};

/** People of the tests: a requester of the owning team and three platform admins. */
export const PEOPLE = {
  guest: 'user:default/guest',
  alice: 'user:default/alice',
  dave: 'user:default/dave',
  erin: 'user:default/erin',
};

const MEMBERSHIPS: Record<string, string[]> = {
  [PEOPLE.guest]: ['group:default/team-payments'],
  [PEOPLE.alice]: ['group:default/platform-admins'],
  [PEOPLE.dave]: ['group:default/platform-admins'],
  [PEOPLE.erin]: ['group:default/platform-admins'],
};

function userEntities(): Entity[] {
  return Object.entries(MEMBERSHIPS).map(([ref, groups]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: ref.split('/')[1], namespace: 'default' },
    spec: { memberOf: groups },
    relations: groups.map(g => ({ type: 'memberOf', targetRef: g })),
  }));
}

function memoryCache(): CacheService {
  const entries = new Map<string, { value: any; expires: number }>();
  const cache = {
    async get(key: string) {
      const entry = entries.get(key);
      if (!entry || entry.expires < Date.now()) return undefined;
      return entry.value;
    },
    async set(key: string, value: any, options?: { ttl?: any }) {
      const ttl = typeof options?.ttl === 'number' ? options.ttl : 60_000;
      entries.set(key, { value, expires: Date.now() + ttl });
    },
    async delete(key: string) {
      entries.delete(key);
    },
    withOptions: () => cache,
  } as unknown as CacheService;
  return cache;
}

const silentLogger: LoggerService = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  child: () => silentLogger,
};

/** The sandbox's git and vendor parts the engine talks to, as config and providers. */
export function sandboxParts(
  sandbox: Sandbox,
  cacheDir: string,
  options: { fetch?: typeof fetch } = {},
) {
  const config = new ConfigReader(
    sandboxBackendConfig(sandbox, cacheDir, {
      argocd: {
        instances: [
          {
            name: 'sandbox',
            url: sandbox.urls.argocd,
            token: 'sandbox-argocd-token',
            writeToken: ARGOCD_WRITE_TOKEN,
          },
        ],
      },
      // The Flux stand-in, as app-config.yaml points at it (ledger-api).
      flux: {
        clusters: [
          {
            name: 'sandbox',
            url: sandbox.urls.flux,
            serviceAccountToken: 'sandbox-flux-token',
            reconcileToken: FLUX_WRITE_TOKEN,
          },
        ],
      },
    }),
  );
  const providers = groupProviders(
    createDefaultProviders(config, { fetch: options.fetch }),
  );
  const entities = [
    ...sandboxEntities(sandbox).map(entity => {
      const annotations = { ...entity.metadata.annotations };
      if (annotations['slipway.dev/image']) {
        annotations[
          'slipway.dev/image'
        ] = `${REGISTRY_HOST}/acme/${entity.metadata.name}`;
      }
      return { ...entity, metadata: { ...entity.metadata, annotations } };
    }),
    ...userEntities(),
  ];
  const catalog = catalogServiceMock({ entities });
  const deployState = DeployStateService.create({
    catalog,
    environments: DEFAULT_ENVIRONMENTS,
    providers,
    sources: SourceCache.create({
      cache: memoryCache(),
      timeoutMs: 5000,
      ttlMs: 0,
    }),
  });
  const gateway = GitOpsGateway.create({
    credentials: ScmCredentials.fromConfig(config),
    // As the plugin does: a warm clone per repository, fetched per write.
    warmClonesDir: path.join(cacheDir, 'warm-clones'),
  });
  return { config, providers, catalog, deployState, gateway, entities };
}

/** One backend replica's promotion engine on its own database client. */
export async function createPromotionReplica(options: {
  sandbox: Sandbox;
  knex: Knex;
  cacheDir: string;
  now?: () => Date;
  /** The lease clock (Date.now by default). */
  lockNow?: () => number;
  /** Wraps the real writer (to kill the process after the push, to time it). */
  wrapWriter?: (writer: PromotionWriter) => PromotionWriter;
  fetch?: typeof fetch;
  parts?: ReturnType<typeof sandboxParts>;
  /** False: the engine asks no registry (any digest is taken as given). */
  registry?: boolean;
}) {
  const parts =
    options.parts ??
    sandboxParts(options.sandbox, options.cacheDir, { fetch: options.fetch });
  const db = await connectSlipwayDatabase(
    mockServices.database({ knex: options.knex, migrations: { skip: false } }),
  );
  const policies = await KnexPolicyStore.create({
    database: mockServices.database({ knex: db, migrations: { skip: true } }),
  });
  const now = options.now ?? (() => new Date());
  const store = PromotionStore.create({ db, now: () => now().getTime() });
  const lock = DatabaseLock.create({ db, now: options.lockNow });
  const realWriter = GatewayPromotionWriter.create({
    gateway: parts.gateway,
    readers: parts.providers.gitops,
  });
  const writer = options.wrapWriter
    ? options.wrapWriter(realWriter)
    : realWriter;
  const service = PromotionService.create({
    catalog: parts.catalog,
    auth: mockServices.auth(),
    userInfo: mockServices.userInfo(),
    permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
    logger: silentLogger,
    environments: DEFAULT_ENVIRONMENTS,
    policies,
    store,
    lock,
    deployState: parts.deployState,
    artifacts: options.registry === false ? [] : parts.providers.artifacts,
    delivery: parts.providers.delivery,
    ci: parts.providers.ci,
    writer,
    now,
  });
  return { service, store, lock, policies, parts, db };
}

/** Saves (or replaces) a promotion policy as a platform admin. */
export async function savePolicy(
  policies: KnexPolicyStore,
  name: string,
  policy: PromotionPolicy,
) {
  const latest = await policies.getLatest(name);
  return policies.save({
    name,
    policy,
    expectedVersion: latest?.version ?? 0,
    createdBy: PEOPLE.alice,
  });
}

/** Calls the sandbox's admin API. */
export async function sandboxAdmin(
  sandbox: Sandbox,
  method: string,
  route: string,
  body?: unknown,
) {
  const res = await fetch(`${sandbox.urls.admin}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${SANDBOX_ADMIN_TOKEN}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  }
  return res.json().catch(() => undefined);
}

export async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** A fresh clone of a sandbox repository (anonymous, as Argo CD reads it). */
export async function freshClone(
  sandbox: Sandbox,
  repo: string,
  root: string,
): Promise<string> {
  const dir = fs.mkdtempSync(path.join(root, 'clone-'));
  await git(['clone', '--quiet', `${sandbox.urls.git}/${repo}.git`, dir]);
  return dir;
}

/** What `kubectl kustomize` renders as the image of an overlay's workload. */
export async function renderedImages(
  dir: string,
  overlay: string,
): Promise<string[]> {
  const { stdout } = await exec(
    'kubectl',
    ['kustomize', path.join(dir, overlay)],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return [...stdout.matchAll(/^\s*(?:- )?image: (\S+)$/gm)].map(m => m[1]);
}

/**
 * Pushes a new commit to a service repository and waits for the sandbox CI
 * to publish its image: the full SHA as tag, and the digest Harbor reports.
 */
export async function buildNewImage(
  sandbox: Sandbox,
  service: string,
  root: string,
): Promise<{ tag: string; digest: string }> {
  const dir = await freshClone(sandbox, `acme/${service}`, root);
  fs.appendFileSync(path.join(dir, 'README.md'), `\nchange ${Date.now()}\n`);
  await git(['commit', '--quiet', '-am', 'A change to promote'], dir);
  const pushUrl = new URL(`${sandbox.urls.git}/acme/${service}.git`);
  pushUrl.username = 'x-access-token';
  pushUrl.password = SANDBOX_GITHUB_TOKEN;
  await git(['push', '--quiet', pushUrl.toString(), 'HEAD:main'], dir);
  const tag = await git(['rev-parse', 'HEAD'], dir);
  const auth = Buffer.from('admin:sandbox-harbor-password').toString('base64');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await fetch(
      `${sandbox.urls.harbor}/api/v2.0/projects/acme/repositories/${service}/artifacts/${tag}`,
      { headers: { authorization: `Basic ${auth}` } },
    );
    if (res.ok) {
      const artifact = (await res.json()) as { digest: string };
      return { tag, digest: artifact.digest };
    }
    await new Promise(r => setTimeout(r, 150));
  }
  throw new Error(`No image for ${service}@${tag} within 60 s`);
}

/** Polls until `check` returns a value, or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  ms = 60_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A sandbox on ephemeral ports for the tests of one `describe`, with the
 * seeded overlays naming REGISTRY_HOST and FAST_SANDBOX_TIMINGS; started in
 * `beforeAll`, stopped and removed in `afterAll`. Returns its getter.
 */
export function useTestSandbox(prefix: string): () => Sandbox {
  let sandbox: Sandbox | undefined;
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = tempDir(`${prefix}-sandbox-`);
    sandbox = await createSandbox({
      dataDir,
      basePort: 0,
      log: () => {},
      registryHost: REGISTRY_HOST,
      timings: FAST_SANDBOX_TIMINGS,
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!sandbox) throw new Error('The test sandbox is not started yet');
    return sandbox;
  };
}
