/* eslint-disable no-console */
/**
 * Promotion benchmark. Run with `yarn workspace backend bench:promotion`.
 *
 * 1. One promotion of one digest into dev against the sandbox, request →
 *    commit pushed (PromotionService.request with the real gateway, reader,
 *    deploy state and registry), p50/p95 over RUNS runs; where the time
 *    goes (fresh state read and gates vs the gateway's write); and, in the
 *    same run, a bare `git fetch` + commit + push of the same change from a
 *    warm clone. Targets: p50 ≤ 300 ms and ≤ 1.5× the bare write.
 * 2. 20 concurrent promotions of different digests into one environment
 *    from two replicas (two database clients on PostgreSQL when
 *    BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set, else two
 *    engines on one SQLite client): total time and the lease waits.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { setKustomizeImageArtifact } from '@slipway/plugin-slipway-node';
import { createSandbox } from '@slipway/sandbox';
import fs from 'node:fs';
import path from 'node:path';
// eslint-disable-next-line import/no-extraneous-dependencies
import knexFactory, { Knex } from 'knex';
import {
  buildNewImage,
  createPromotionReplica,
  freshClone,
  git,
  PEOPLE,
  PromotionWriter,
  REGISTRY_HOST,
  SANDBOX_GITHUB_TOKEN,
  tempDir,
} from '../src/__testUtils__/promotionWiring';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

function summary(values: number[]): string {
  return `p50 ${percentile(values, 50)} ms, p95 ${percentile(
    values,
    95,
  )} ms, max ${Math.max(...values)} ms`;
}

async function databases(): Promise<{
  first: Knex;
  second: Knex;
  label: string;
  close(): Promise<void>;
}> {
  const url = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (url) {
    const name = `slipway_bench_${Date.now()}`;
    const admin = knexFactory({ client: 'pg', connection: url });
    await admin.raw(`CREATE DATABASE ${name}`);
    const connection = `${url.replace(/\/$/, '')}/${name}`;
    const first = knexFactory({ client: 'pg', connection });
    const second = knexFactory({ client: 'pg', connection });
    return {
      first,
      second,
      label: 'PostgreSQL, two clients',
      async close() {
        await first.destroy();
        await second.destroy();
        await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
        await admin.destroy();
      },
    };
  }
  const first = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  return {
    first,
    second: first,
    label: 'SQLite, one client shared by both engines',
    close: () => first.destroy(),
  };
}

async function main() {
  const dataDir = tempDir('slipway-bench-promotion-sandbox-');
  const root = tempDir('slipway-bench-promotion-work-');
  const sandbox = await createSandbox({
    dataDir,
    basePort: 0,
    log: () => {},
    registryHost: REGISTRY_HOST,
  });
  const db = await databases();
  try {
    // --- 1. one promotion vs a bare git write ------------------------------
    const writeTimes: number[] = [];
    const timedWriter = (writer: PromotionWriter): PromotionWriter => ({
      preview: change => writer.preview(change),
      pullRequestState: (url, pr) => writer.pullRequestState(url, pr),
      changePosition: (change, promotion) =>
        writer.changePosition(change, promotion),
      write: async change => {
        const started = Date.now();
        try {
          return await writer.write(change);
        } finally {
          writeTimes.push(Date.now() - started);
        }
      },
    });
    const a = await createPromotionReplica({
      sandbox,
      knex: db.first,
      cacheDir: tempDir('slipway-bench-promotion-cache-'),
      wrapWriter: timedWriter,
    });
    const images = [
      await buildNewImage(sandbox, 'payments-api', root),
      await buildNewImage(sandbox, 'payments-api', root),
    ];
    const ref = {
      kind: 'component',
      namespace: 'default',
      name: 'payments-api',
    };
    const guest = mockCredentials.user(PEOPLE.guest);
    const promote = (i: number) =>
      a.service.request(
        ref,
        { environment: 'dev', artifact: { digest: images[i % 2].digest } },
        guest,
      );
    await promote(1); // warm: GitOps reader clone, Harbor, Argo CD
    writeTimes.length = 0;

    // The same kind of change to another overlay, so the two never cancel out.
    const overlay = path.join(
      'apps/payments-api/overlays/staging/kustomization.yaml',
    );
    const bare = await freshClone(sandbox, 'acme/gitops', root);
    const pushUrl = new URL(`${sandbox.urls.git}/acme/gitops.git`);
    pushUrl.username = 'x-access-token';
    pushUrl.password = SANDBOX_GITHUB_TOKEN;
    const bareWrite = async (i: number) => {
      await git(['fetch', '--quiet', 'origin', 'main'], bare);
      await git(['reset', '--quiet', '--hard', 'origin/main'], bare);
      const file = path.join(bare, overlay);
      const edited = setKustomizeImageArtifact(fs.readFileSync(file, 'utf8'), {
        name: `${REGISTRY_HOST}/acme/payments-api`,
        tag: images[i % 2].tag,
        digest: images[i % 2].digest,
      });
      fs.writeFileSync(file, edited.content);
      await git(['commit', '--quiet', '-am', `Bare write ${i}`], bare);
      await git(['push', '--quiet', pushUrl.toString(), 'HEAD:main'], bare);
    };

    const promotionTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let started = Date.now();
      const promotion = await promote(i);
      promotionTimes.push(Date.now() - started);
      if (promotion.state !== 'syncing') {
        throw new Error(
          `promotion ${promotion.id} ended ${promotion.state}: ${promotion.error}`,
        );
      }
      started = Date.now();
      await bareWrite(i + 1);
      bareTimes.push(Date.now() - started);
    }
    const ratio = percentile(promotionTimes, 50) / percentile(bareTimes, 50);
    const rest = promotionTimes.map((t, i) => t - writeTimes[i]);
    console.log(
      `1) promotion request → commit pushed (${RUNS} runs): ${summary(
        promotionTimes,
      )}`,
    );
    console.log(
      `   of which the gateway write (clone + edit + commit + push): ${summary(
        writeTimes,
      )}; state read, registry, gates and database: ${summary(rest)}`,
    );
    console.log(
      `   bare git fetch + commit + push from a warm clone: ${summary(
        bareTimes,
      )}`,
    );
    console.log(
      `   ratio p50 promotion / p50 bare = ${ratio.toFixed(
        2,
      )} (targets: p50 ≤ 300 ms and ratio ≤ 1.5)`,
    );

    // --- 2. 20 concurrent promotions from two replicas ----------------------
    const waits: number[] = [];
    const replica = async (knex: Knex) => {
      const r = await createPromotionReplica({
        sandbox,
        knex,
        cacheDir: tempDir('slipway-bench-promotion-cache-'),
        registry: false,
      });
      const withLock = r.lock.withLock.bind(r.lock);
      r.lock.withLock = (async (key: string, fn: any, options: any) => {
        const result = await withLock(key, fn, options);
        waits.push(result.waitedMs);
        return result;
      }) as typeof r.lock.withLock;
      return r;
    };
    const [one, two] = [await replica(db.first), await replica(db.second)];
    const inventory = {
      kind: 'component',
      namespace: 'default',
      name: 'inventory-api',
    };
    await one.service.request(
      inventory,
      { environment: 'dev', artifact: { digest: `sha256:${'0'.repeat(64)}` } },
      guest,
    );
    waits.length = 0;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? two : one).service.request(
          inventory,
          {
            environment: 'dev',
            artifact: {
              digest: `sha256:${(i + 1).toString(16).padStart(64, 'a')}`,
            },
          },
          guest,
        ),
      ),
    );
    const total = Date.now() - started;
    const states = results.reduce<Record<string, number>>((acc, r) => {
      acc[r.state] = (acc[r.state] ?? 0) + 1;
      return acc;
    }, {});
    console.log(
      `2) 20 concurrent promotions, 2 replicas (${db.label}): total ${total} ms; ` +
        `lease wait ${summary(waits)} over ${
          waits.length
        } executions; states ${JSON.stringify(states)}`,
    );
  } finally {
    await db.close();
    await sandbox.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
