/* eslint-disable no-console */
/**
 * Deploy-state benchmark. Run with `yarn workspace backend bench`.
 *
 * 1. One entity's state against the sandbox with injected latency per
 *    vendor: server time / slowest upstream call (target ≤ 1.15).
 * 2. 100 concurrent views of one entity with a cold cache: upstream
 *    requests per vendor (target: one call per source).
 * 3. Fleet of 2,000 entities × 3 environments against an in-process Argo CD
 *    with 50 ms latency (real ArgoCdProvider over HTTP) and a GitOps reader
 *    with 50 ms latency: answer time (target ≤ 1 s) and upstream calls for
 *    200 and 2,000 entities (must not grow).
 * 4. A webhook storm beside readers: valid Argo CD webhooks at 50/s and
 *    invalid ones at 50/s for 10 s while 20 readers poll five entities;
 *    Argo CD calls against the same readers without webhooks (target: at
 *    most one extra read per named entity per coalescing window; invalid
 *    webhooks cost none).
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import slipwayPlugin from '@slipway/plugin-slipway-backend';
import {
  GitOpsReaderProvider,
  slipwayProvidersExtensionPoint,
} from '@slipway/plugin-slipway-node';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  sandboxBackendConfig,
  sandboxEntities,
} from '../src/__testUtils__/sandboxWiring';

const run = promisify(execFile);
const COUNTING_TIMES = 1_000_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Latency (and counting) rules per vendor; `times` counts requests down. */
function latencyRules(latency: Record<string, number>) {
  return Object.entries(latency).map(([vendor, latencyMs]) => ({
    vendor,
    mode: 'latency',
    latencyMs,
    times: COUNTING_TIMES,
  })) as any[];
}

function counts(sandbox: Sandbox): Record<string, number> {
  const result: Record<string, number> = {};
  for (const rule of sandbox.faults.list()) {
    result[rule.vendor] = COUNTING_TIMES - (rule.remaining ?? COUNTING_TIMES);
  }
  return result;
}

async function benchSandbox() {
  const dataDir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'slipway-bench-sandbox-'),
  );
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-git-'));
  const sandbox = await createSandbox({ dataDir, basePort: 0, log: () => {} });
  const entities = sandboxEntities(sandbox);
  try {
    // 1. Fan-out: each vendor has its own latency; the slowest is GitHub.
    const latency = {
      argocd: 150,
      harbor: 200,
      sonarqube: 100,
      github: 250,
      git: 40,
    };
    {
      const backend = await startTestBackend({
        features: [
          slipwayPlugin,
          catalogServiceMock.factory({ entities }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          mockServices.rootConfig.factory({
            data: sandboxBackendConfig(sandbox, cacheDir, {
              state: {
                cacheTtlSeconds: 0,
                sourceTimeoutMs: 5000,
              },
            }),
          }),
        ],
      });
      const url = '/api/slipway/entities/component/default/payments-api/state';
      await request(backend.server).get(url).expect(200); // clone the GitOps repository once
      const baseline: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        await request(backend.server).get(url).expect(200);
        baseline.push(Date.now() - started);
      }
      console.log(
        `0) one entity without injected latency: server median ${median(
          baseline,
        )} ms`,
      );
      sandbox.faults.setRules(latencyRules(latency));
      const probeClone = path.join(cacheDir, 'probe.git');
      await run('git', [
        'clone',
        '--bare',
        '--quiet',
        `${sandbox.urls.git}/acme/gitops.git`,
        probeClone,
      ]);
      const serverTimes: number[] = [];
      const upstreamTimes: number[] = [];
      for (let i = 0; i < 7; i++) {
        let started = Date.now();
        const res = await request(backend.server).get(url);
        serverTimes.push(Date.now() - started);
        if (res.body.sources.some((s: any) => s.status !== 'ok'))
          throw new Error('a source failed');
        started = Date.now();
        await fetch(
          `${sandbox.urls.githubApi}/repos/acme/payments-api/actions/runs?per_page=20`,
          {
            headers: { authorization: 'Bearer sandbox-github-token' },
          },
        ).then(r => r.json());
        const githubMs = Date.now() - started;
        // The GitOps fetch is an upstream call too: time the same fetch the reader makes.
        started = Date.now();
        await run(
          'git',
          [
            'fetch',
            '--quiet',
            '--prune',
            '--no-tags',
            'origin',
            '+refs/heads/*:refs/heads/*',
          ],
          {
            cwd: probeClone,
          },
        );
        const gitMs = Date.now() - started;
        upstreamTimes.push(Math.max(githubMs, gitMs));
      }
      const ratio = median(serverTimes) / median(upstreamTimes);
      console.log(
        `1) one entity, latencies ${JSON.stringify(
          latency,
        )} ms: server median ${median(serverTimes)} ms, ` +
          `slowest upstream call (GitHub runs or git fetch) median ${median(
            upstreamTimes,
          )} ms, sum of upstream latencies ${Object.values(latency).reduce(
            (a, b) => a + b,
          )} ms → ratio ${ratio.toFixed(2)} (target ≤ 1.15)`,
      );
      sandbox.faults.clear();
      await backend.stop();
    }

    // 2. Single flight: 100 concurrent views, cold cache.
    {
      const backend = await startTestBackend({
        features: [
          slipwayPlugin,
          catalogServiceMock.factory({ entities }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          mockServices.rootConfig.factory({
            data: sandboxBackendConfig(sandbox, cacheDir, {
              state: { cacheTtlSeconds: 30 },
            }),
          }),
        ],
      });
      sandbox.faults.setRules(
        latencyRules({
          argocd: 50,
          harbor: 50,
          sonarqube: 50,
          github: 50,
          git: 50,
        }),
      );
      const url = '/api/slipway/entities/component/default/payments-api/state';
      const started = Date.now();
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => request(backend.server).get(url)),
      );
      const elapsed = Date.now() - started;
      if (responses.some(r => r.status !== 200))
        throw new Error('a view failed');
      const seen = counts(sandbox);
      console.log(
        `2) 100 concurrent views of payments-api in ${elapsed} ms: upstream HTTP requests per vendor ${JSON.stringify(
          seen,
        )} ` +
          `(git = one fetch: info/refs + upload-pack; target ≤ 1 call per source)`,
      );
      sandbox.faults.clear();
      await backend.stop();
    }
  } finally {
    await sandbox.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Section 4: webhooks absorbed per second and the upstream calls they cause. */
async function benchWebhookStorm() {
  const dataDir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'slipway-bench-storm-sandbox-'),
  );
  const cacheDir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'slipway-bench-storm-git-'),
  );
  const sandbox = await createSandbox({ dataDir, basePort: 0, log: () => {} });
  const secret = 'bench-webhook-secret';
  const coalesceMs = 500;
  const seconds = 10;
  const rate = 50;
  const services = [
    'payments-api',
    'checkout-web',
    'orders-service',
    'inventory-api',
    'notifications-worker',
  ];
  const backend = await startTestBackend({
    features: [
      slipwayPlugin,
      catalogServiceMock.factory({ entities: sandboxEntities(sandbox) }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      mockServices.rootConfig.factory({
        data: sandboxBackendConfig(sandbox, cacheDir, {
          state: { cacheTtlSeconds: 300, sourceTimeoutMs: 5000 },
          webhooks: { argocdSecret: secret, coalesceMs },
        }),
      }),
    ],
  });
  try {
    const stateUrl = (name: string) =>
      `/api/slipway/entities/component/default/${name}/state`;
    // Cold reads: what one read of each entity costs in Argo CD calls.
    sandbox.faults.setRules(latencyRules({ argocd: 1 }));
    for (const name of services) {
      await request(backend.server).get(stateUrl(name)).expect(200);
    }
    const coldCalls = counts(sandbox).argocd ?? 0;
    sandbox.faults.clear();
    const phase = async (webhooks: { valid: boolean; invalid: boolean }) => {
      sandbox.faults.setRules(latencyRules({ argocd: 1 }));
      const until = Date.now() + seconds * 1000;
      const statuses: Record<string, number> = {};
      const readers = Array.from({ length: 20 }, async (_, i) => {
        let reads = 0;
        while (Date.now() < until) {
          await request(backend.server)
            .get(stateUrl(services[i % services.length]))
            .expect(200);
          reads++;
          await new Promise(r => setTimeout(r, 100));
        }
        return reads;
      });
      const sender = (async () => {
        let sent = 0;
        const started = Date.now();
        const inFlight: Promise<unknown>[] = [];
        while (Date.now() < until) {
          const service = services[sent % services.length];
          const env = ['dev', 'staging', 'prod'][sent % 3];
          const send = (header: string) =>
            request(backend.server)
              .post('/api/slipway/webhooks/argocd')
              .set('content-type', 'application/json')
              .set('x-slipway-webhook-secret', header)
              .send({ app: `${service}-${env}` })
              .then(r => {
                statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              });
          // Not awaited: the storm does not slow down when the server does.
          if (webhooks.valid) inFlight.push(send(secret));
          if (webhooks.invalid) inFlight.push(send('wrong-secret'));
          sent++;
          // Paced to `rate` per second per kind.
          const due = started + (sent * 1000) / rate;
          await new Promise(r => setTimeout(r, Math.max(0, due - Date.now())));
        }
        await Promise.all(inFlight);
        return sent;
      })();
      const reads = (await Promise.all(readers)).reduce((a, b) => a + b, 0);
      const sent = await sender;
      const argoCalls = counts(sandbox).argocd ?? 0;
      sandbox.faults.clear();
      return { reads, sent, argoCalls, statuses };
    };
    const quiet = await phase({ valid: false, invalid: false });
    const invalid = await phase({ valid: false, invalid: true });
    const storm = await phase({ valid: true, invalid: true });
    const bound =
      (coldCalls / services.length) *
      services.length *
      Math.ceil((seconds * 1000) / coalesceMs);
    console.log(
      `4) webhook storm over ${seconds} s beside 20 readers of ${services.length} entities (${quiet.reads} reads): ` +
        `no webhooks → ${quiet.argoCalls} Argo CD calls; ` +
        `${(invalid.sent / seconds).toFixed(0)}/s invalid → ${
          invalid.argoCalls
        } calls (HTTP ${JSON.stringify(invalid.statuses)}); ` +
        `${(storm.sent / seconds).toFixed(0)}/s valid + ${(
          storm.sent / seconds
        ).toFixed(0)}/s invalid absorbed → ${
          storm.argoCalls
        } calls (HTTP ${JSON.stringify(storm.statuses)}), ` +
        `bound: one read per named entity per ${coalesceMs} ms window = ${bound} calls (a cold read of the five costs ${coldCalls})`,
    );
  } finally {
    await backend.stop();
    await sandbox.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** An in-process Argo CD answering `GET /api/v1/applications` for many apps, with latency. */
async function fakeArgoCd(names: string[], latencyMs: number) {
  let calls = 0;
  const body = JSON.stringify({
    metadata: { resourceVersion: '1' },
    items: names.flatMap(name =>
      ['dev', 'staging', 'prod'].map(environment => ({
        metadata: {
          name: `${name}-${environment}`,
          namespace: 'argocd',
          labels: {
            'slipway.dev/app': name,
            'slipway.dev/environment': environment,
          },
        },
        spec: {
          project: 'default',
          source: {
            repoURL: 'https://git.example.com/acme/gitops.git',
            path: `apps/${name}/overlays/${environment}`,
          },
        },
        status: {
          sync: { status: 'Synced', revision: 'c'.repeat(40) },
          health: { status: 'Healthy' },
          summary: {
            images: [`registry.example.com/acme/${name}:${'d'.repeat(40)}`],
          },
          reconciledAt: '2026-01-01T00:05:00Z',
          operationState: {
            phase: 'Succeeded',
            startedAt: '2026-01-01T00:00:00Z',
            finishedAt: '2026-01-01T00:01:00Z',
          },
          history: [
            {
              id: 1,
              revision: 'c'.repeat(40),
              deployedAt: '2026-01-01T00:01:00Z',
            },
          ],
        },
      })),
    ),
  });
  const server = http.createServer((_req, res) => {
    calls++;
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    }, latencyMs);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

async function benchFleet(entityCount: number) {
  const latencyMs = 50;
  const names = Array.from(
    { length: entityCount },
    (_, i) => `svc-${String(i).padStart(4, '0')}`,
  );
  const argo = await fakeArgoCd(names, latencyMs);
  let gitopsCalls = 0;
  const reader: GitOpsReaderProvider = {
    id: 'git',
    kind: 'gitops',
    supports: () => true,
    async readOverlays(req) {
      gitopsCalls++;
      await new Promise(r => setTimeout(r, latencyMs));
      return {
        revision: 'c'.repeat(40),
        overlays: Object.fromEntries(
          req.paths.map(p => [
            p.path,
            {
              path: p.path,
              treeId: 't',
              image: { repository: p.imageName ?? 'x', tag: 'd'.repeat(40) },
            },
          ]),
        ),
      };
    },
    async history() {
      gitopsCalls++;
      return [];
    },
  };
  const entities: Entity[] = names.map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'argocd/app-selector': `slipway.dev/app=${name}`,
        'slipway.dev/gitops-repo': 'https://git.example.com/acme/gitops.git',
        'slipway.dev/gitops-path': `apps/${name}`,
        'slipway.dev/image': `registry.example.com/acme/${name}`,
      },
    },
    spec: { type: 'service', owner: 'group:default/team-a', system: 'shop' },
  }));
  const backend = await startTestBackend({
    features: [
      slipwayPlugin,
      createBackendModule({
        pluginId: 'slipway',
        moduleId: 'bench-gitops',
        register(env) {
          env.registerInit({
            deps: { providers: slipwayProvidersExtensionPoint },
            async init({ providers }) {
              providers.addProvider(reader);
            },
          });
        },
      }),
      catalogServiceMock.factory({ entities }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      mockServices.rootConfig.factory({
        data: {
          integrations: { github: [] },
          slipway: {
            argocd: {
              instances: [{ name: 'main', url: argo.url, token: 't' }],
            },
          },
        },
      }),
    ],
  });
  try {
    const started = Date.now();
    const res = await request(backend.server).get(
      '/api/slipway/fleet?limit=100',
    );
    const elapsed = Date.now() - started;
    if (res.status !== 200 || res.body.totalItems !== entityCount)
      throw new Error(`fleet failed: ${res.status}`);
    const deployed = res.body.items.filter(
      (i: any) => i.cells.prod.deployed,
    ).length;
    const argoCalls = argo.calls();
    const calls = gitopsCalls;
    const warmStarted = Date.now();
    await request(backend.server)
      .get(`/api/slipway/fleet?limit=100&cursor=${res.body.nextCursor}`)
      .expect(200);
    const warm = Date.now() - warmStarted;
    return {
      elapsed,
      warm,
      argoCalls,
      gitopsCalls: calls,
      deployed,
      page: res.body.items.length,
    };
  } finally {
    await backend.stop();
    await argo.close();
  }
}

async function main() {
  if (process.env.BENCH_ONLY === 'storm') {
    await benchWebhookStorm();
    return;
  }
  if (process.env.BENCH_ONLY !== 'fleet') await benchSandbox();
  const small = await benchFleet(200);
  const large = await benchFleet(2000);
  console.log(
    `3) fleet, 50 ms upstream latency: 200 entities × 3 envs in ${small.elapsed} ms (Argo CD calls ${small.argoCalls}, GitOps reads ${small.gitopsCalls}); ` +
      `2,000 entities × 3 envs in ${large.elapsed} ms cold, next page ${large.warm} ms from cache (Argo CD calls ${large.argoCalls}, GitOps reads ${large.gitopsCalls}; ` +
      `${large.deployed}/${large.page} of the first page deployed in prod) (target ≤ 1000 ms, calls constant)`,
  );
  if (process.env.BENCH_ONLY !== 'fleet') await benchWebhookStorm();
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
