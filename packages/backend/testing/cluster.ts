/**
 * Starts the portal's backend as several replicas on one PostgreSQL and one
 * Redis, in front of an in-process sandbox on ephemeral ports: the
 * production shape (issue 14) on one machine, for the multi-replica tests
 * (src/multiReplica.test.ts) and the load benchmark.
 *
 * Each replica is `node src/index.ts` of packages/backend in its own
 * process, with one generated config (`--config`): app-config.yaml with its
 * sandbox addresses moved to the sandbox's ports, and on top its own port
 * and base URL, PostgreSQL with a database prefix of its own per cluster
 * (runs never share data), the Redis cache under a namespace of its own,
 * Backstage's event bus, and the example catalog rewritten to the sandbox's
 * ports. The first replica
 * starts alone (it creates the databases and runs the migrations, which
 * knex refuses to run concurrently); the others then start together.
 *
 * Everything listens on 127.0.0.1 on ports the system hands out, so a
 * cluster never clashes with the development portal or another cluster.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  createSandbox,
  FaultRule,
  Sandbox,
  SandboxTimings,
  SandboxVendor,
} from '@slipway/sandbox';
import knexFactory from 'knex';
import {
  isScalar,
  parseAllDocuments,
  parseDocument,
  stringify,
  visit,
} from 'yaml';

const BACKEND_DIR = path.resolve(__dirname, '..');
const ROOT = path.resolve(BACKEND_DIR, '../..');

/** Every vendor the sandbox plays, as its fault rules name them. */
export const SANDBOX_VENDORS: SandboxVendor[] = [
  'argocd',
  'github',
  'git',
  'harbor',
  'sonarqube',
  'gitlab',
  'flux',
];

/**
 * The sandbox-only credentials of scripts/lib.sh (slipway_sandbox_env);
 * replicas get what that function exports now, these are the fallback.
 */
export const SANDBOX_ENV = {
  SANDBOX_GITHUB_TOKEN: 'sandbox-github-token',
  SANDBOX_ARGOCD_TOKEN: 'sandbox-argocd-token',
  SANDBOX_ARGOCD_WRITE_TOKEN: 'sandbox-argocd-write-token',
  SANDBOX_HARBOR_PASSWORD: 'sandbox-harbor-password',
  SANDBOX_SONARQUBE_TOKEN: 'sandbox-sonarqube-token',
  SANDBOX_ADMIN_TOKEN: 'sandbox-admin-token',
  SANDBOX_ARGOCD_WEBHOOK_SECRET: 'sandbox-argocd-webhook-secret',
};

export interface ClusterOptions {
  /** How many backend processes (default 3). */
  replicas?: number;
  /** A PostgreSQL server the cluster may create databases on, e.g. `postgresql://postgres@127.0.0.1:55432`. */
  postgresUrl: string;
  /** A Redis server, e.g. `redis://127.0.0.1:56379`. */
  redisUrl: string;
  /** Folder for the sandbox's repositories, the config layers and the logs; a fresh temporary one by default (removed by stop). */
  dataDir?: string;
  sandbox?: {
    /** Latency added to every request of a vendor, e.g. `{ argocd: 80, github: 120 }`. */
    latencyMs?: Partial<Record<SandboxVendor, number>>;
    timings?: Partial<SandboxTimings>;
    /** Load-test scale: copies of the seeded services (the sandbox's `seedClones`). */
    seedClones?: number;
  };
  /** More catalog entities (YAML documents) for the running sandbox, registered beside the example catalog. */
  extraCatalog?: (sandbox: Sandbox) => string;
  /**
   * App-config merged over the generated layer (objects key by key),
   * e.g. `{ slipway: { state: { cacheTtlSeconds: 30 } } }`.
   */
  config?: Record<string, unknown>;
  /** Extra environment of every replica. */
  env?: Record<string, string>;
  /** How long the whole cluster may take to become ready, and one replica to restart (default 8 minutes). */
  startTimeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Replica {
  /** 0-based. */
  index: number;
  /** `http://127.0.0.1:<port>`; stays the same across restarts. */
  baseUrl: string;
  /** The process id of the running process (undefined while stopped). */
  pid: number | undefined;
  /** Its stdout and stderr, appended across restarts. */
  logFile: string;
  /** Sends the signal (default SIGTERM) and waits until the process has exited (SIGKILL after 15 s). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kills it if it runs, starts it again on the same port and waits until it is ready. */
  restart(): Promise<void>;
}

export interface Cluster {
  /** Names the cluster's databases (`<id>_<plugin>`) and cache namespace. */
  id: string;
  /** The in-process sandbox (urls, faults, argocd). */
  sandbox: Sandbox;
  replicas: Replica[];
  dataDir: string;
  /** The Argo CD webhook secret the replicas accept. */
  webhookSecret: string;
  /** A user token for any replica (guest, or a development user such as `bob`), signed in on the first running replica. */
  signIn(user?: string): Promise<string>;
  /** Requests each vendor of the sandbox has answered since the cluster started (injected faults excluded). */
  upstreamCalls(): Record<SandboxVendor, number>;
  /** Replaces the injected fault rules (they apply before the latency and counting rules); `[]` removes them. */
  setFaults(rules: FaultRule[]): void;
  /** Stops every replica and the sandbox, drops the cluster's databases and removes a temporary data folder. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (bind 0, read, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** The last lines of a file, from a byte offset on. */
function tail(file: string, lines = 40, from = 0): string {
  try {
    return fs
      .readFileSync(file)
      .subarray(from)
      .toString('utf8')
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/** Children of this process still running: killed when it exits, whatever happens. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Plain objects merged key by key, later wins; arrays and scalars replaced. */
function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const seen = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      seen &&
      typeof seen === 'object' &&
      !Array.isArray(seen)
        ? merge(
            seen as Record<string, unknown>,
            value as Record<string, unknown>,
          )
        : value;
  }
  return out;
}

/** What `slipway_sandbox_env` of scripts/lib.sh exports (SANDBOX_*), or the fallback. */
function sandboxEnv(): Record<string, string> {
  const result = spawnSync(
    'bash',
    ['-c', '. scripts/lib.sh && slipway_sandbox_env && env -0'],
    { cwd: ROOT, encoding: 'utf8', env: {} },
  );
  const exported = Object.fromEntries(
    (result.status === 0 ? result.stdout : '')
      .split('\0')
      .map(line => line.split(/=(.*)/s))
      .filter(([name]) => /^SANDBOX_/.test(name)),
  );
  return { ...SANDBOX_ENV, ...exported };
}

/** The fixed sandbox addresses of the development config (`127.0.0.1:710N`) → the running sandbox's hosts. */
function sandboxHosts(sandbox: Sandbox): (text: string) => string {
  const urls = sandbox.urls as unknown as Record<string, string | undefined>;
  const offsets: Record<string, string> = {
    1: 'github',
    2: 'argocd',
    3: 'harbor',
    4: 'sonarqube',
    5: 'gitlab',
    6: 'flux',
  };
  return text =>
    text.replace(/127\.0\.0\.1:710(\d)\b/g, (match, offset: string) => {
      const url = urls[offsets[offset]];
      return url ? new URL(url).host : match;
    });
}

/** Every string scalar of YAML documents, rewritten. */
function rewriteYaml(text: string, rewrite: (text: string) => string): string {
  return parseAllDocuments(text)
    .filter(doc => doc.contents)
    .map(doc => {
      visit(doc, {
        Scalar(_key, node) {
          if (isScalar(node) && typeof node.value === 'string') {
            node.value = rewrite(node.value);
          }
        },
      });
      return doc.toString();
    })
    .join('---\n');
}

/** examples/entities.yaml pointed at the running sandbox. */
function catalogFor(sandbox: Sandbox): string {
  return rewriteYaml(
    fs.readFileSync(path.join(ROOT, 'examples/entities.yaml'), 'utf8'),
    sandboxHosts(sandbox),
  );
}

/** app-config.yaml (the development portal's) pointed at the running sandbox. */
function developmentConfigFor(sandbox: Sandbox): Record<string, unknown> {
  const text = rewriteYaml(
    fs.readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
    sandboxHosts(sandbox),
  );
  return parseDocument(text).toJS() as Record<string, unknown>;
}

/** Starts the sandbox and the replicas; resolves once every replica is ready. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.replicas ?? 3;
  const log = options.log ?? (() => {});
  const id = `slipway_c${Date.now().toString(36)}${crypto
    .randomBytes(3)
    .toString('hex')}`;
  const ownDataDir = !options.dataDir;
  const dataDir =
    options.dataDir ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-cluster-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const startTimeoutMs = options.startTimeoutMs ?? 8 * 60_000;

  const sandbox = await createSandbox({
    dataDir: path.join(dataDir, 'sandbox'),
    basePort: 0,
    timings: options.sandbox?.timings,
    seedClones: options.sandbox?.seedClones,
    log: line => log(line),
  });
  log(`cluster ${id}: sandbox on ${sandbox.urls.admin}`);

  // Counting: one latency rule per vendor that applies "a million times";
  // what is used of it is the number of requests. Faults go before them.
  const COUNT = 1_000_000_000;
  const counted: Record<string, number> = {};
  let faultRules: FaultRule[] = [];
  const countingRules = (): FaultRule[] =>
    SANDBOX_VENDORS.map(vendor => ({
      vendor,
      mode: 'latency',
      latencyMs: options.sandbox?.latencyMs?.[vendor] ?? 0,
      times: COUNT,
    }));
  const takeCounts = () => {
    for (const rule of sandbox.faults.list('cluster-count')) {
      counted[rule.vendor] =
        (counted[rule.vendor] ?? 0) + (COUNT - (rule.remaining ?? COUNT));
    }
  };
  const installRules = () => {
    takeCounts();
    sandbox.faults.clear('cluster-faults');
    sandbox.faults.clear('cluster-count');
    sandbox.faults.addRules(faultRules, 'cluster-faults');
    sandbox.faults.addRules(countingRules(), 'cluster-count');
  };
  installRules();

  const catalogFile = path.join(dataDir, 'catalog-entities.yaml');
  fs.writeFileSync(
    catalogFile,
    [catalogFor(sandbox), options.extraCatalog?.(sandbox)]
      .filter(Boolean)
      .join('---\n'),
  );
  const env = sandboxEnv();
  // The development portal's configuration, its sandbox addresses moved to
  // this sandbox's ports, with the production shape on top.
  const shared: Record<string, unknown> = merge(developmentConfigFor(sandbox), {
    backend: {
      database: {
        client: 'pg',
        connection: options.postgresUrl,
        prefix: `${id}_`,
      },
      cache: {
        store: 'redis',
        connection: options.redisUrl,
        redis: { client: { namespace: id } },
      },
    },
    events: { useEventBus: 'always' },
    catalog: {
      locations: [
        { type: 'file', target: catalogFile },
        {
          type: 'file',
          target: path.join(ROOT, 'examples/org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
      ],
    },
  });
  const layer = merge(shared, options.config ?? {});

  const replicas: (Replica & { start(deadline?: number): Promise<void> })[] =
    [];
  for (let index = 0; index < count; index++) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const configFile = path.join(dataDir, `app-config.replica-${index}.yaml`);
    const gitopsCache = path.join(dataDir, `gitops-cache-${index}`);
    fs.writeFileSync(
      configFile,
      stringify(
        merge(layer, {
          backend: {
            baseUrl,
            listen: { host: '127.0.0.1', port },
            cors: { origin: baseUrl },
          },
          app: { baseUrl },
          slipway: { gitops: { cacheDir: gitopsCache } },
        }),
      ),
    );
    const logFile = path.join(dataDir, `replica-${index}.log`);
    let child: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    /** Where this start's lines begin in the log. */
    let logStart = 0;

    const spawnChild = () => {
      const out = fs.openSync(logFile, 'a');
      logStart = fs.fstatSync(out).size;
      const started = spawn(
        process.execPath,
        [
          '--require',
          require.resolve('@backstage/cli/config/nodeTransform.cjs', {
            paths: [BACKEND_DIR],
          }),
          'src/index.ts',
          '--config',
          configFile,
        ],
        {
          cwd: BACKEND_DIR,
          env: {
            ...process.env,
            ...env,
            NODE_ENV: 'development',
            ...options.env,
          },
          stdio: ['ignore', out, out],
        },
      );
      fs.closeSync(out);
      child = started;
      children.add(started);
      exited = new Promise(resolve =>
        started.once('exit', () => {
          children.delete(started);
          resolve();
        }),
      );
      return started;
    };

    const waitReady = async (started: ChildProcess, deadline: number) => {
      let gone = false;
      started.once('exit', () => {
        gone = true;
      });
      for (;;) {
        // A plugin that fails to start may leave the process waiting for
        // the others for a long time: stop at the first such line.
        const failed = tail(logFile, 400, logStart)
          .split('\n')
          .find(line => line.includes('threw an error during startup'));
        if (gone || started.exitCode !== null || failed) {
          started.kill('SIGKILL');
          throw new Error(
            `replica ${index} failed to start; ${logFile}:\n${
              failed ?? tail(logFile, 40, logStart)
            }`,
          );
        }
        try {
          const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`, {
            signal: AbortSignal.timeout(5000),
          });
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) {
          started.kill('SIGKILL');
          throw new Error(
            `replica ${index} not ready in time (startTimeoutMs ${startTimeoutMs}); ${logFile}:\n${tail(
              logFile,
              40,
              logStart,
            )}`,
          );
        }
        await sleep(1000);
      }
    };

    const replica: Replica & { start(deadline?: number): Promise<void> } = {
      index,
      baseUrl,
      logFile,
      get pid() {
        return child && child.exitCode === null && child.signalCode === null
          ? child.pid
          : undefined;
      },
      async start(deadline = Date.now() + startTimeoutMs) {
        const began = Date.now();
        await waitReady(spawnChild(), deadline);
        log(
          `cluster ${id}: replica ${index} ready on ${baseUrl} in ${Math.round(
            (Date.now() - began) / 1000,
          )} s`,
        );
      },
      async kill(signal: NodeJS.Signals = 'SIGTERM') {
        const running = child;
        if (!running || running.exitCode !== null || running.signalCode) {
          return;
        }
        running.kill(signal);
        const timer = setTimeout(() => running.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      },
      async restart() {
        await replica.kill();
        await replica.start();
      },
    };
    replicas.push(replica);
  }

  const stopReplicas = () =>
    Promise.all(replicas.map(replica => replica.kill()));

  const dropDatabases = async () => {
    const admin = knexFactory({
      client: 'pg',
      connection: options.postgresUrl,
      pool: { min: 0, max: 1 },
    });
    try {
      const { rows } = await admin.raw(
        'SELECT datname FROM pg_database WHERE datname LIKE ?',
        [`${id}\\_%`],
      );
      for (const row of rows as { datname: string }[]) {
        await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [
          row.datname,
        ]);
      }
    } catch (error) {
      log(`cluster ${id}: could not drop its databases: ${error}`);
    } finally {
      await admin.destroy();
    }
  };

  const stop = async () => {
    await stopReplicas();
    await sandbox.stop();
    await dropDatabases();
    if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // The first replica creates the databases and migrates them; the
    // others then start together.
    const deadline = Date.now() + startTimeoutMs;
    await replicas[0].start(deadline);
    await Promise.all(
      replicas.slice(1).map(replica => replica.start(deadline)),
    );
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  return {
    id,
    sandbox,
    replicas,
    dataDir,
    webhookSecret: env.SANDBOX_ARGOCD_WEBHOOK_SECRET,
    async signIn(user?: string) {
      const replica = replicas.find(r => r.pid !== undefined) ?? replicas[0];
      const route = user
        ? '/api/auth/devUsers/refresh'
        : '/api/auth/guest/refresh';
      const res = await fetch(`${replica.baseUrl}${route}?env=development`, {
        headers: {
          'x-requested-with': 'XMLHttpRequest',
          ...(user ? { 'x-slipway-dev-user': user } : {}),
        },
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) {
        throw new Error(`sign-in as ${user ?? 'guest'}: HTTP ${res.status}`);
      }
      const body = (await res.json()) as {
        backstageIdentity: { token: string };
      };
      return body.backstageIdentity.token;
    },
    upstreamCalls() {
      takeCounts();
      // Start over from the counts just taken.
      sandbox.faults.clear('cluster-count');
      sandbox.faults.addRules(countingRules(), 'cluster-count');
      return Object.fromEntries(
        SANDBOX_VENDORS.map(vendor => [vendor, counted[vendor] ?? 0]),
      ) as Record<SandboxVendor, number>;
    },
    setFaults(rules: FaultRule[]) {
      faultRules = rules;
      installRules();
    },
    stop,
  };
}
