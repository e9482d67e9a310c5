/* eslint-disable no-console */
/**
 * Load and fault benchmark over three replicas (issue 14). Run with
 * `yarn workspace backend bench:load` (bench/run-load-bench.sh starts a
 * throwaway PostgreSQL and Redis, then this file). See docs/performance.md,
 * "Three replicas under load".
 *
 * Three backend replicas (testing/cluster.ts) on one PostgreSQL and one
 * Redis, the sandbox with vendor latency (Argo CD 80 ms, GitHub 120 ms,
 * Harbor 60 ms, SonarQube 90 ms) and 200 catalog entities with upstream
 * objects of their own (5 seeded services + 195 sandbox clones). Simulated
 * users cycle through the entities' Deploy-tab state and the fleet, round
 * robin over the replicas; a request that cannot reach a replica is retried
 * on the next one, as a load balancer would. Phases, in turn:
 *
 *   warm-up      every entity once (what one cache period costs upstream)
 *   baseline     BENCH_SECONDS (120) of load
 *   argocd-5xx, github-rate-limit, harbor-timeout
 *                BENCH_FAULT_SECONDS (30) of load with the fault, then the
 *                cache period + 5 s of load after it cleared
 *   replica-kill a replica SIGKILLed 5 s into BENCH_FAULT_SECONDS of load
 *   pg-restart   PostgreSQL stopped 5 s into the phase for BENCH_PG_DOWN_SECONDS
 *                (5), three promotions requested just before
 *   storm        BENCH_STORM_SECONDS (30) of invalid webhooks at 50/s, then
 *                as long of valid + invalid at 50/s, beside the load
 *
 * Prints one markdown table with a PASS/FAIL column; exit code 1 on FAIL.
 * Every number is measured at the driver (same machine, loopback): response
 * times include the driver's own queueing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Document } from 'yaml';
import { FINAL_PROMOTION_STATES } from '@slipway/plugin-slipway-common';
import type { FaultRule, Sandbox, SandboxVendor } from '@slipway/sandbox';
import { Cluster, startCluster } from '../testing/cluster';

const run = promisify(execFile);

function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : fallback;
}

const BASELINE_SECONDS = envNumber('BENCH_SECONDS', 120);
const FAULT_SECONDS = envNumber(
  'BENCH_FAULT_SECONDS',
  Math.min(30, BASELINE_SECONDS),
);
const STORM_SECONDS = envNumber(
  'BENCH_STORM_SECONDS',
  Math.min(30, BASELINE_SECONDS),
);
const PG_DOWN_SECONDS = envNumber('BENCH_PG_DOWN_SECONDS', 5);
const USERS = envNumber('BENCH_USERS', 50);
const ENTITIES = envNumber('BENCH_ENTITIES', 200);
const THINK_MS = envNumber('BENCH_THINK_MS', 1000);
const FLEET_EVERY = envNumber('BENCH_FLEET_EVERY', 10);
const STORM_RATE = envNumber('BENCH_STORM_RATE', 50);
const CACHE_TTL_SECONDS = 15;
const SOURCE_TIMEOUT_MS = 3000;
const LATENCY: Partial<Record<SandboxVendor, number>> = {
  argocd: 80,
  github: 120,
  harbor: 60,
  sonarqube: 90,
};
/** The four sources the issue names; `git` (GitOps fetches) is reported too. */
const SOURCES = ['argocd', 'github', 'harbor', 'sonarqube'] as const;
type Source = (typeof SOURCES)[number];
const SEEDED = [
  'payments-api',
  'checkout-web',
  'orders-service',
  'inventory-api',
  'notifications-worker',
];
/** Bounds, stated once. */
const BOUNDS = {
  rssGrowthMiB: 150,
  pgRecoverySeconds: 30,
  upstreamPerPeriodFactor: 1.1,
  otherSourcesOk: 0.99,
  invalidStormFactor: 1.25,
};

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Which of the four named sources a state report is, by its source and kind. */
function sourceOf(report: { source: string; kind: string }): Source | 'other' {
  const text = `${report.source} ${report.kind}`.toLowerCase();
  if (text.includes('argo')) return 'argocd';
  if (text.includes('harbor')) return 'harbor';
  if (text.includes('sonar')) return 'sonarqube';
  if (text.includes('github')) return 'github';
  return 'other';
}

function cloneNames(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `${SEEDED[i % SEEDED.length]}-c${String(i + 1).padStart(3, '0')}`,
  );
}

/** Catalog entities for the sandbox's clones, as the seeded ones are annotated. */
function cloneCatalog(names: string[], sandbox: Sandbox): string {
  const github = new URL(sandbox.urls.github).host;
  const harbor = new URL(sandbox.urls.harbor).host;
  return names
    .map(name =>
      new Document({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name,
          description: `Load-test copy of ${name.replace(/-c\d+$/, '')}`,
          tags: ['sandbox', 'load-test'],
          annotations: {
            'github.com/project-slug': `acme/${name}`,
            'argocd/app-selector': `slipway.dev/app=${name}`,
            'argocd/instance-name': 'sandbox',
            'goharbor.io/repository-slug': `acme/${name}`,
            'sonarqube.org/project-key': `acme_${name}`,
            'slipway.dev/gitops-repo': `http://${github}/git/acme/gitops.git`,
            'slipway.dev/gitops-path': `apps/${name}`,
            'slipway.dev/image': `${harbor}/acme/${name}`,
          },
        },
        spec: {
          type: 'service',
          lifecycle: 'production',
          owner: 'group:default/team-payments',
          system: 'shop',
        },
      }).toString(),
    )
    .join('---\n');
}

interface Sample {
  kind: 'state' | 'fleet' | 'webhook';
  at: number;
  ms: number;
  status: number;
  retries: number;
  /** No replica answered. */
  failed: boolean;
  reports?: {
    source: string;
    kind: string;
    status: string;
    fetchedAt?: string;
    message?: string;
  }[];
}

/** The driver: round robin over the replicas, retry on the next when one cannot be reached. */
class Driver {
  private next = 0;
  samples: Sample[] = [];

  /**
   * Which replicas the balancer sends to: the ready ones (a readiness
   * probe). A replica starting up listens before its plugins are mounted
   * and answers 404 meanwhile.
   */
  routable: (replica: Cluster['replicas'][number]) => boolean = () => true;

  constructor(
    private readonly cluster: Cluster,
    private readonly token: string,
  ) {}

  async call(
    kind: Sample['kind'],
    pathAndQuery: string,
    init: {
      method?: string;
      body?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ sample: Sample; json?: any }> {
    const replicas = this.cluster.replicas.filter(this.routable);
    const first = this.next++ % replicas.length;
    const started = Date.now();
    let retries = 0;
    for (let attempt = 0; attempt < replicas.length; attempt++) {
      const replica = replicas[(first + attempt) % replicas.length];
      let res: Response;
      try {
        res = await fetch(`${replica.baseUrl}${pathAndQuery}`, {
          method: init.method ?? 'GET',
          body: init.body,
          headers: {
            ...(kind === 'webhook'
              ? {}
              : { authorization: `Bearer ${this.token}` }),
            ...init.headers,
          },
          signal: AbortSignal.timeout(30_000),
        });
      } catch {
        retries++; // refused or reset: the balancer tries the next replica
        continue;
      }
      const text = await res.text().catch(() => '');
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const sample: Sample = {
        kind,
        at: started,
        ms: Date.now() - started,
        status: res.status,
        retries,
        failed: false,
        reports:
          kind === 'state' && Array.isArray(json?.sources)
            ? json.sources
            : undefined,
      };
      this.samples.push(sample);
      return { sample, json };
    }
    const sample: Sample = {
      kind,
      at: started,
      ms: Date.now() - started,
      status: 0,
      retries,
      failed: true,
    };
    this.samples.push(sample);
    return { sample };
  }
}

function stateUrl(name: string) {
  return `/api/slipway/entities/component/default/${name}/state`;
}

/** `users` simulated users for `seconds`: state of the next entity, the fleet every FLEET_EVERY-th view. */
async function load(
  driver: Driver,
  entities: string[],
  seconds: number,
  during?: (elapsedMs: number) => Promise<void> | void,
) {
  const began = Date.now();
  const until = began + seconds * 1000;
  const users = Array.from({ length: USERS }, async (_, user) => {
    let view = user * Math.floor(entities.length / USERS);
    // Spread the first requests over one think time.
    await sleep((user * THINK_MS) / USERS);
    while (Date.now() < until) {
      if (view % FLEET_EVERY === FLEET_EVERY - 1) {
        await driver.call('fleet', '/api/slipway/fleet?limit=50');
      } else {
        await driver.call('state', stateUrl(entities[view % entities.length]));
      }
      view++;
      await sleep(THINK_MS);
    }
  });
  const side = during ? during(0) : undefined;
  await Promise.all([...users, side]);
  return { began, ended: Date.now() };
}

interface PhaseStats {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  slipwayErrors: number;
  failed: number;
  retries: number;
  statuses: Record<number, number>;
}

function stats(samples: Sample[], seconds: number): PhaseStats {
  const reads = samples.filter(s => s.kind !== 'webhook');
  const times = reads.filter(s => !s.failed).map(s => s.ms);
  const statuses: Record<number, number> = {};
  for (const s of reads) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    requests: reads.length,
    rps: reads.length / seconds,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    slipwayErrors: reads.filter(s => s.status >= 500).length,
    failed: reads.filter(s => s.failed).length,
    retries: reads.reduce((sum, s) => sum + s.retries, 0),
    statuses,
  };
}

function window(driver: Driver, from: number, to: number) {
  return driver.samples.filter(s => s.at >= from && s.at < to);
}

function diffCalls(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map(key => [key, after[key] - (before[key] ?? 0)]),
  );
}

interface Row {
  check: string;
  measured: string;
  bound: string;
  pass: boolean | undefined;
}
const rows: Row[] = [];
function verdict(pass: boolean | undefined, info: string): string {
  if (pass === undefined) return info;
  return pass ? 'PASS' : 'FAIL';
}
function row(check: string, measured: string, bound: string, pass?: boolean) {
  rows.push({ check, measured, bound, pass });
  console.log(
    `[bench] ${verdict(pass, 'INFO')} ${check}: ${measured} (${bound})`,
  );
}

const ms = (n: number) => `${Math.round(n)} ms`;

function loadRow(label: string, s: PhaseStats, p95Bound?: number) {
  row(
    `${label}: load`,
    `${s.requests} requests, ${s.rps.toFixed(1)} req/s, p50 ${ms(
      s.p50,
    )}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, HTTP ${JSON.stringify(s.statuses)}`,
    p95Bound ? `p95 ≤ ${p95Bound} ms` : 'measured',
    p95Bound ? s.p95 <= p95Bound : undefined,
  );
  row(
    `${label}: errors from Slipway (5xx)`,
    `${s.slipwayErrors}; unreachable after retries ${s.failed}; retries ${s.retries}`,
    '0 and 0',
    s.slipwayErrors === 0 && s.failed === 0,
  );
}

async function pgControl(action: 'stop' | 'start') {
  const bin = process.env.SLIPWAY_PG_BIN;
  const dir = process.env.SLIPWAY_PG_DIR;
  const port = process.env.SLIPWAY_PG_PORT;
  if (!bin || !dir || !port) {
    throw new Error(
      'SLIPWAY_PG_BIN, SLIPWAY_PG_DIR and SLIPWAY_PG_PORT are needed (run-load-bench.sh sets them)',
    );
  }
  const runAs = (process.env.SLIPWAY_PG_RUN_AS ?? '')
    .split(' ')
    .filter(Boolean);
  const pgCtl = path.join(bin, 'pg_ctl');
  const args =
    action === 'stop'
      ? ['-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']
      : [
          '-D',
          `${dir}/data`,
          '-l',
          `${dir}/server.log`,
          '-w',
          '-o',
          `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200 -c fsync=off`,
          'start',
        ];
  const [command, ...rest] = runAs.length ? [...runAs, pgCtl] : [pgCtl];
  await run(command, [...rest, ...args], { cwd: '/' });
}

async function main() {
  const postgresUrl =
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  const redisUrl = process.env.SLIPWAY_TEST_REDIS_URL;
  if (!postgresUrl || !redisUrl) {
    throw new Error(
      'run through bench/run-load-bench.sh (PostgreSQL and Redis)',
    );
  }
  const clones = cloneNames(Math.max(0, ENTITIES - SEEDED.length));
  const entities = [...SEEDED, ...clones].slice(0, ENTITIES);
  const t0 = Date.now();
  const log = (line: string) =>
    console.log(`[bench ${Math.round((Date.now() - t0) / 1000)}s] ${line}`);
  log(
    `starting sandbox (${clones.length} clones) and 3 replicas; baseline ${BASELINE_SECONDS} s, faults ${FAULT_SECONDS} s, storm ${STORM_SECONDS} s, ${USERS} users, think ${THINK_MS} ms`,
  );
  // A folder of its own (not a shared temporary prefix): the sandbox's
  // repositories live there for the whole run.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-bench-'));
  const cluster = await startCluster({
    dataDir,
    replicas: 3,
    postgresUrl,
    redisUrl,
    sandbox: { latencyMs: LATENCY, seedClones: clones.length },
    extraCatalog: sandbox => cloneCatalog(clones, sandbox),
    config: {
      slipway: {
        state: {
          cacheTtlSeconds: CACHE_TTL_SECONDS,
          sourceTimeoutMs: SOURCE_TIMEOUT_MS,
        },
      },
    },
    log,
  });
  let exitCode = 1;
  try {
    exitCode = await bench(cluster, entities, log);
  } finally {
    await cluster.stop().catch(error => log(`stop failed: ${error}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

async function bench(
  cluster: Cluster,
  entities: string[],
  log: (line: string) => void,
): Promise<number> {
  const token = await cluster.signIn();
  const driver = new Driver(cluster, token);

  // The catalog ingests the 200 entities in the background.
  for (let i = 0; ; i++) {
    const { json } = await driver.call('fleet', '/api/slipway/fleet?limit=1');
    const known = json?.totalItems ?? 0;
    if (known >= entities.length) break;
    if (i % 10 === 0)
      log(`catalog: ${known} of ${entities.length} entities in the fleet`);
    if (i > 300) throw new Error(`the catalog has only ${known} entities`);
    await sleep(2000);
  }

  // Warm-up: every entity once, 10 at a time; what one cache period costs.
  let before = cluster.upstreamCalls();
  const warmStarted = Date.now();
  for (let i = 0; i < entities.length; i += 10) {
    await Promise.all(
      entities
        .slice(i, i + 10)
        .map(name => driver.call('state', stateUrl(name))),
    );
  }
  await driver.call('fleet', '/api/slipway/fleet?limit=50');
  const cold = diffCalls(cluster.upstreamCalls(), before);
  const first = driver.samples.find(s => s.kind === 'state' && s.reports);
  log(
    `warm-up: ${entities.length} entities in ${
      Date.now() - warmStarted
    } ms; upstream calls ${JSON.stringify(cold)}; sources ${JSON.stringify(
      first?.reports?.map(r => `${r.source}/${r.kind}=${r.status}`),
    )}`,
  );
  row(
    'warm-up: one read of every entity (one cache period, cold)',
    `upstream calls ${SOURCES.map(s => `${s} ${cold[s]}`).join(', ')}, git ${
      cold.git
    }`,
    'measured',
  );

  // Idle: what the replicas ask upstream on their own (scheduled work).
  const IDLE_SECONDS = 15;
  before = cluster.upstreamCalls();
  await sleep(IDLE_SECONDS * 1000);
  const idle = diffCalls(cluster.upstreamCalls(), before);
  row(
    `idle ${IDLE_SECONDS} s, no requests (scheduled work of 3 replicas)`,
    `upstream calls ${SOURCES.map(s => `${s} ${idle[s]}`).join(', ')}, git ${
      idle.git
    }`,
    'measured',
  );

  // Baseline.
  const rssBefore = cluster.replicas.map(r => rssMiB(r.pid));
  before = cluster.upstreamCalls();
  const base = await load(driver, entities, BASELINE_SECONDS);
  const baseCalls = diffCalls(cluster.upstreamCalls(), before);
  const rssAfter = cluster.replicas.map(r => rssMiB(r.pid));
  const baseSeconds = (base.ended - base.began) / 1000;
  const baseStats = stats(window(driver, base.began, base.ended), baseSeconds);
  loadRow(
    `baseline ${USERS} users × ${entities.length} entities, ${BASELINE_SECONDS} s`,
    baseStats,
  );
  // Without faults every source should be ok; on a starved machine the
  // source timeout cuts reads too, and the fault checks below compare to this.
  const baseStates = window(driver, base.began, base.ended).filter(
    x => x.reports,
  );
  const baseNotOk: Record<string, number> = {};
  for (const x of baseStates) {
    for (const r of x.reports!) {
      if (sourceOf(r) !== 'other' && r.status !== 'ok') {
        const label = `${sourceOf(r)}=${r.status}`;
        baseNotOk[label] = (baseNotOk[label] ?? 0) + 1;
      }
    }
  }
  const baseAllOk =
    baseStates.filter(x =>
      x.reports!.every(r => sourceOf(r) === 'other' || r.status === 'ok'),
    ).length / Math.max(1, baseStates.length);
  row(
    'baseline: every source ok',
    `in ${(baseAllOk * 100).toFixed(0)}% of ${baseStates.length} answers${
      Object.keys(baseNotOk).length
        ? ` (not ok: ${JSON.stringify(baseNotOk)})`
        : ''
    }`,
    'measured (the reference of the fault phases)',
  );
  /** Share of baseline answers in which this source was ok. */
  const baseOkOf = (source: Source) =>
    baseStates.filter(x =>
      x.reports!.every(r => sourceOf(r) !== source || r.status === 'ok'),
    ).length / Math.max(1, baseStates.length);
  const periods = baseSeconds / CACHE_TTL_SECONDS;
  const perPeriod = Object.fromEntries(
    Object.entries(baseCalls).map(([k, v]) => [k, v / periods]),
  );
  for (const source of SOURCES) {
    const background = (idle[source] / IDLE_SECONDS) * CACHE_TTL_SECONDS;
    const bound = cold[source] * BOUNDS.upstreamPerPeriodFactor + background;
    row(
      `baseline: ${source} calls per ${CACHE_TTL_SECONDS} s cache period (3 replicas)`,
      `${perPeriod[source].toFixed(0)} (${
        baseCalls[source]
      } in ${baseSeconds.toFixed(0)} s)`,
      `≤ ${bound.toFixed(0)} = ${
        BOUNDS.upstreamPerPeriodFactor
      } × one cold read of every entity (${
        cold[source]
      }) + idle calls per period (${background.toFixed(0)})`,
      perPeriod[source] <= bound,
    );
  }
  row(
    'baseline: git (GitOps fetches) per cache period',
    `${perPeriod.git.toFixed(1)}`,
    'measured (one repository, fetched per replica clone)',
  );
  for (const [i, replica] of cluster.replicas.entries()) {
    const growth = (rssAfter[i] ?? 0) - (rssBefore[i] ?? 0);
    row(
      `replica ${i} RSS before → after baseline`,
      `${rssBefore[i]} → ${rssAfter[i]} MiB (pid ${replica.pid})`,
      `growth ≤ ${BOUNDS.rssGrowthMiB} MiB`,
      rssBefore[i] !== undefined && growth <= BOUNDS.rssGrowthMiB,
    );
  }
  const baselineArgoRate = baseCalls.argocd / baseSeconds;

  // Faults, in turn.
  const faults: { name: string; source: Source; rules: () => FaultRule[] }[] = [
    {
      name: 'Argo CD 5xx',
      source: 'argocd',
      rules: () => [{ vendor: 'argocd', mode: 'error', status: 503 }],
    },
    {
      name: 'GitHub rate limiting',
      source: 'github',
      rules: () => [
        {
          vendor: 'github',
          mode: 'rate-limit',
          status: 403,
          resetEpochSeconds: Math.ceil(Date.now() / 1000) + FAULT_SECONDS,
        },
      ],
    },
    {
      name: 'Harbor timeouts',
      source: 'harbor',
      rules: () => [{ vendor: 'harbor', mode: 'timeout' }],
    },
  ];
  for (const fault of faults) {
    cluster.setFaults(fault.rules());
    const faultStarted = Date.now();
    const during = await load(driver, entities, FAULT_SECONDS);
    cluster.setFaults([]);
    const faultEnded = Date.now();
    const after = await load(driver, entities, CACHE_TTL_SECONDS + 5);
    const samples = window(driver, during.began, during.ended);
    const s = stats(samples, (during.ended - during.began) / 1000);
    loadRow(
      `${fault.name} for ${FAULT_SECONDS} s`,
      s,
      Math.round(baseStats.p95 + SOURCE_TIMEOUT_MS),
    );
    const states = samples.filter(x => x.reports);
    const othersOk = states.filter(x =>
      x.reports!.every(
        r =>
          sourceOf(r) === fault.source ||
          sourceOf(r) === 'other' ||
          r.status === 'ok',
      ),
    ).length;
    const otherOkBound = Math.min(BOUNDS.otherSourcesOk, baseAllOk - 0.05);
    const others: Record<string, number> = {};
    const examples: Record<string, string> = {};
    for (const x of states) {
      for (const r of x.reports!) {
        const which = sourceOf(r);
        if (which !== fault.source && which !== 'other' && r.status !== 'ok') {
          const label = `${which}=${r.status}`;
          others[label] = (others[label] ?? 0) + 1;
          if (r.message && !examples[label]) examples[label] = r.message;
        }
      }
    }
    const degraded = states.filter(x =>
      x.reports!.some(r => sourceOf(r) === fault.source && r.status !== 'ok'),
    ).length;
    row(
      `${fault.name}: per-source degradation only`,
      `other sources ok in ${othersOk}/${states.length} answers${
        Object.keys(others).length
          ? ` (not ok: ${JSON.stringify(others)}; e.g. ${JSON.stringify(
              examples,
            )})`
          : ''
      }; ${fault.source} not ok in ${degraded}`,
      `other sources ok in ≥ ${(otherOkBound * 100).toFixed(0)}% (${
        BOUNDS.otherSourcesOk * 100
      }%, or the baseline's share − 5 points)`,
      states.length > 0 && othersOk / states.length >= otherOkBound,
    );
    // An `ok` report fetched while the fault was on carried faulted data.
    const afterSamples = window(driver, during.began, after.ended).filter(
      x => x.reports,
    );
    const poisoned = afterSamples.filter(x =>
      x.reports!.some(r => {
        if (sourceOf(r) !== fault.source || r.status !== 'ok' || !r.fetchedAt)
          return false;
        const fetched = Date.parse(r.fetchedAt);
        return fetched > faultStarted + 500 && fetched < faultEnded - 200;
      }),
    ).length;
    const tail = window(
      driver,
      faultEnded + CACHE_TTL_SECONDS * 1000,
      after.ended,
    ).filter(x => x.reports);
    const recovered = tail.filter(x =>
      x.reports!.every(r => sourceOf(r) !== fault.source || r.status === 'ok'),
    ).length;
    const tailNotOk: Record<string, number> = {};
    for (const x of tail) {
      for (const r of x.reports!) {
        if (sourceOf(r) === fault.source && r.status !== 'ok') {
          const label = `${r.status}: ${(r.message ?? '').replace(/;.*$/, '')}`;
          tailNotOk[label] = (tailNotOk[label] ?? 0) + 1;
        }
      }
    }
    // As ok as in the baseline (where only load cuts reads), minus 5 points.
    const recoveredBound = Math.min(0.95, baseOkOf(fault.source) - 0.05);
    row(
      `${fault.name}: nothing cached as healthy that was not`,
      `${poisoned} ok answers fetched during the fault; ${recovered}/${
        tail.length
      } answers with ${
        fault.source
      } ok again one cache period after it cleared${
        Object.keys(tailNotOk).length
          ? ` (not ok: ${JSON.stringify(tailNotOk)})`
          : ''
      }; ${(baseOkOf(fault.source) * 100).toFixed(0)}% in the baseline`,
      `0 poisoned; recovered within a cache period (≥ ${(
        recoveredBound * 100
      ).toFixed(0)}%: 95%, or the baseline's share − 5 points)`,
      poisoned === 0 &&
        tail.length > 0 &&
        recovered / tail.length >= recoveredBound,
    );
  }

  // A replica killed mid-run.
  const victim = cluster.replicas[1];
  let restartMs = 0;
  let restarted: Promise<void> = Promise.resolve();
  let victimReady = true;
  const ready = () =>
    cluster.replicas.filter(
      r => r.pid !== undefined && (r !== victim || victimReady),
    );
  driver.routable = replica => ready().includes(replica);
  const kill = await load(driver, entities, FAULT_SECONDS, async () => {
    await sleep(5000);
    await victim.kill('SIGKILL');
    log(`killed replica 1 (SIGKILL)`);
  });
  {
    const s = stats(
      window(driver, kill.began, kill.ended),
      (kill.ended - kill.began) / 1000,
    );
    loadRow(`replica 1 SIGKILLed 5 s into ${FAULT_SECONDS} s`, s);
    const restartStarted = Date.now();
    victimReady = false;
    // A restart while PostgreSQL is away may fail: then once more.
    restarted = victim
      .restart()
      .catch(error => {
        log(`replica 1 restart failed, trying again: ${error}`);
        return victim.restart();
      })
      .then(() => {
        restartMs = Date.now() - restartStarted;
        victimReady = true;
      });
  }

  // PostgreSQL restart with promotions in flight.
  const promoteUrl =
    '/api/slipway/entities/component/default/payments-api/promotions';
  const harbor = await fetch(
    `${cluster.sandbox.urls.harbor}/api/v2.0/projects/acme/repositories/payments-api/artifacts?page_size=10`,
    {
      headers: {
        authorization: `Basic ${Buffer.from(
          'admin:sandbox-harbor-password',
        ).toString('base64')}`,
      },
    },
  ).then(res => res.json() as Promise<{ digest: string }[]>);
  const digests = harbor.map(artifact => artifact.digest);
  const keys = digests
    .slice(0, 3)
    .map((_, i) => `load-bench-${Date.now()}-${i}`);
  const promotionIds = new Map<string, Set<string>>();
  let pgStopped = 0;
  let pgStarted = 0;
  let recoveredAt = 0;
  const promote = async (key: string, digest: string) => {
    const ids = new Set<string>();
    promotionIds.set(key, ids);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const { sample, json } = await driver.call('state', promoteUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          environment: 'dev',
          artifact: { digest },
          idempotencyKey: key,
          reason: 'load benchmark: promotion during a PostgreSQL restart',
        }),
      });
      // Not a Deploy-tab read: keep it out of the load statistics.
      driver.samples.splice(driver.samples.indexOf(sample), 1);
      if (json?.id) ids.add(json.id);
      if (sample.status === 200 || sample.status === 201) {
        log(`promotion ${key}: HTTP ${sample.status} ${json?.state}`);
        return;
      }
      const why = `HTTP ${sample.status} ${json?.error?.name ?? ''} ${
        json?.error?.message ?? (sample.failed ? 'no replica answered' : '')
      }`;
      if (sample.status >= 400 && sample.status < 500) {
        log(`promotion ${key}: ${why}`);
        return;
      }
      log(`promotion ${key}: ${why}; retrying`);
      await sleep(1000); // the client retries with the same idempotency key
    }
  };
  const pg = await load(
    driver,
    entities,
    FAULT_SECONDS + PG_DOWN_SECONDS,
    async () => {
      await sleep(5000);
      const promotions = keys.map((key, i) => promote(key, digests[i]));
      await sleep(200);
      pgStopped = Date.now();
      await pgControl('stop');
      log('PostgreSQL stopped');
      await sleep(PG_DOWN_SECONDS * 1000);
      await pgControl('start');
      pgStarted = Date.now();
      log('PostgreSQL started');
      // Until every running replica answers a database-backed read again.
      while (!recoveredAt && Date.now() - pgStarted < 120_000) {
        const answers = await Promise.all(
          ready().map(r =>
            fetch(`${r.baseUrl}/api/slipway/promotions?limit=1`, {
              headers: { authorization: `Bearer ${token}` },
              signal: AbortSignal.timeout(10_000),
            }).then(
              res => res.status,
              () => 0,
            ),
          ),
        );
        if (answers.every(status => status === 200)) recoveredAt = Date.now();
        else await sleep(250);
      }
      log(
        recoveredAt
          ? `every running replica answers again, ${
              recoveredAt - pgStarted
            } ms after PostgreSQL was back`
          : 'not every replica answered within 120 s of PostgreSQL being back',
      );
      await Promise.all(promotions);
      log('the promotion requests have settled');
    },
  );
  {
    const samples = window(driver, pg.began, pg.ended);
    const outage = samples.filter(x => x.status >= 500 || x.failed);
    const s = stats(samples, (pg.ended - pg.began) / 1000);
    row(
      `PostgreSQL down ${PG_DOWN_SECONDS} s: load`,
      `${s.requests} requests, p50 ${ms(s.p50)}, p95 ${ms(
        s.p95,
      )}, HTTP ${JSON.stringify(
        s.statuses,
      )}; failed while the database was away: ${outage.length}`,
      'measured (a read needs the catalog, which needs the database)',
    );
    const recovery = recoveredAt ? (recoveredAt - pgStarted) / 1000 : Infinity;
    row(
      'PostgreSQL restart: service answers again',
      `${recovery.toFixed(1)} s after PostgreSQL was back (down ${(
        (pgStarted - pgStopped) /
        1000
      ).toFixed(1)} s); last failed read ${
        outage.length
          ? `${(
              (Math.max(...outage.map(x => x.at + x.ms)) - pgStarted) /
              1000
            ).toFixed(1)} s after`
          : 'none'
      }`,
      `≤ ${BOUNDS.pgRecoverySeconds} s`,
      recovery <= BOUNDS.pgRecoverySeconds,
    );
  }
  // Promotions: none lost, none duplicated. Each is read by id until it
  // has written or ended (three into dev queue behind each other).
  log('checking the promotions against the API and the GitOps history');
  const settledStates: string[] = [
    'committed',
    'pr-open',
    'syncing',
    ...FINAL_PROMOTION_STATES,
  ];
  const stateOf = new Map<string, string>();
  /** The commit each promotion records having written, by id. */
  const commitOf = new Map<string, string | undefined>();
  const settleBy = Date.now() + 180_000;
  for (const ids of promotionIds.values()) {
    for (const id of ids) {
      for (;;) {
        const read = await driver.call(
          'state',
          `/api/slipway/promotions/${id}`,
        );
        driver.samples.splice(driver.samples.indexOf(read.sample), 1);
        const state = read.json?.state ?? `HTTP ${read.sample.status}`;
        stateOf.set(id, state);
        commitOf.set(id, read.json?.commit?.sha);
        if (settledStates.includes(state) || Date.now() > settleBy) break;
        await sleep(2000);
      }
    }
  }
  const gitDir = path.join(
    cluster.dataDir,
    'sandbox',
    'git',
    'acme',
    'gitops.git',
  );
  const { stdout } = await run('git', [
    '--git-dir',
    gitDir,
    'log',
    '--format=%H %(trailers:key=Slipway-Promotion,valueonly,separator=%x2C)',
    'main',
  ]);
  /** Commits carrying each promotion's trailer: id → shas. */
  const trailerCommits = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [sha, ids] = line.trim().split(' ');
    for (const id of (ids ?? '').split(',').filter(Boolean)) {
      trailerCommits.set(id, [...(trailerCommits.get(id) ?? []), sha]);
    }
  }
  const problems: string[] = [];
  const outcomes: string[] = [];
  for (const key of keys) {
    const ids = [...(promotionIds.get(key) ?? [])];
    if (ids.length !== 1) {
      problems.push(`${key}: ${ids.length} promotion ids`);
      continue;
    }
    const state = stateOf.get(ids[0]) ?? 'unread';
    const commits = trailerCommits.get(ids[0]) ?? [];
    const recorded = commitOf.get(ids[0]);
    outcomes.push(`${state}/${commits.length} commit`);
    if (!settledStates.includes(state)) {
      problems.push(`${key}: ${state} after 180 s`);
    }
    // At most one commit, and exactly the one the promotion records (a
    // promotion that landed may later be superseded by a newer one).
    if (commits.length > 1) {
      problems.push(`${key}: ${commits.length} commits with its trailer`);
    }
    if ((recorded ?? '') !== (commits[0] ?? '')) {
      problems.push(
        `${key}: records commit ${recorded ?? 'none'}, the history has ${
          commits[0] ?? 'none'
        }`,
      );
    }
  }
  row(
    `promotions during the PostgreSQL restart (${keys.length}, retried by the client with their idempotency keys)`,
    `${outcomes.join(', ') || 'none requested'}${
      problems.length ? `; ${problems.join('; ')}` : ''
    }`,
    'each once in the API, settled, at most one commit: the one it records; none lost',
    keys.length > 0 && problems.length === 0,
  );

  // Webhook storm beside the load.
  log('waiting for replica 1 to be ready before the webhook storm');
  await restarted;
  row(
    'replica 1 restart after the kill: ready again',
    `${(restartMs / 1000).toFixed(0)} s`,
    'measured',
  );
  const storm = async (valid: boolean) => {
    const codes: Record<number, number> = {};
    let sent = 0;
    const callsBefore = cluster.upstreamCalls();
    const phase = await load(driver, entities, STORM_SECONDS, async () => {
      const started = Date.now();
      const inFlight: Promise<unknown>[] = [];
      while (Date.now() < started + STORM_SECONDS * 1000) {
        const app = `${entities[sent % entities.length]}-${
          ['dev', 'staging', 'prod'][sent % 3]
        }`;
        const signed = valid && sent % 2 === 0;
        inFlight.push(
          driver
            .call('webhook', '/api/slipway/webhooks/argocd', {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'x-slipway-webhook-secret': signed
                  ? cluster.webhookSecret
                  : 'wrong-secret',
              },
              body: JSON.stringify({ app }),
            })
            .then(({ sample: answer }) => {
              codes[answer.status] = (codes[answer.status] ?? 0) + 1;
            }),
        );
        sent++;
        const due = started + (sent * 1000) / STORM_RATE;
        await sleep(Math.max(0, due - Date.now()));
      }
      await Promise.all(inFlight);
    });
    const calls = diffCalls(cluster.upstreamCalls(), callsBefore);
    const seconds = (phase.ended - phase.began) / 1000;
    return {
      sent,
      codes,
      calls,
      seconds,
      stats: stats(window(driver, phase.began, phase.ended), seconds),
    };
  };
  log('webhook storm: invalid signatures');
  const invalid = await storm(false);
  loadRow(
    `invalid webhooks ${STORM_RATE}/s for ${STORM_SECONDS} s`,
    invalid.stats,
  );
  const invalidRate = invalid.calls.argocd / invalid.seconds;
  row(
    'invalid webhooks cost no upstream calls',
    `${invalid.sent} sent, HTTP ${JSON.stringify(
      invalid.codes,
    )}; Argo CD ${invalidRate.toFixed(
      1,
    )} calls/s beside the load vs ${baselineArgoRate.toFixed(
      1,
    )}/s in the baseline`,
    `all 401; Argo CD rate ≤ ${BOUNDS.invalidStormFactor} × baseline`,
    (invalid.codes[401] ?? 0) === invalid.sent &&
      invalidRate <= baselineArgoRate * BOUNDS.invalidStormFactor,
  );
  log('webhook storm: valid and invalid signatures');
  const mixed = await storm(true);
  loadRow(
    `valid + invalid webhooks ${STORM_RATE}/s for ${STORM_SECONDS} s`,
    mixed.stats,
  );
  row(
    'valid + invalid webhooks: what the valid ones cost',
    `${mixed.sent} sent, HTTP ${JSON.stringify(mixed.codes)}; Argo CD ${(
      mixed.calls.argocd / mixed.seconds
    ).toFixed(1)} calls/s`,
    'measured (each valid one invalidates one entity: a refetch on its next view)',
  );
  const rssEnd = cluster.replicas.map(r => rssMiB(r.pid));
  row(
    'RSS at the end (replica 1 restarted)',
    rssEnd.map((v, i) => `replica ${i} ${v} MiB`).join(', '),
    'measured',
  );

  console.log('\n| Check | Measured | Bound | Result |\n|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.check} | ${r.measured} | ${r.bound} | ${verdict(r.pass, '—')} |`,
    );
  }
  const failed = rows.filter(r => r.pass === false).length;
  console.log(
    `\n${failed ? `${failed} check(s) FAILED` : 'all checks PASS'}; ${
      entities.length
    } entities (5 seeded + ${
      entities.length - SEEDED.length
    } sandbox clones with their own repositories, Applications, CI runs and artifacts), ${USERS} users, think time ${THINK_MS} ms`,
  );
  if (process.env.BENCH_OUT) {
    fs.writeFileSync(process.env.BENCH_OUT, JSON.stringify(rows, undefined, 2));
  }
  return failed ? 1 : 0;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
