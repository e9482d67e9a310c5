import {
  entitySignalChannel,
  EntityState,
} from '@slipway/plugin-slipway-common';
import { SandboxVendor } from '@slipway/sandbox';
import { Cluster, startCluster } from '../testing/cluster';

// Three backend processes (packages/backend/src/index.ts) on one PostgreSQL
// and one Redis, in front of the sandbox: the production shape of issue 14.
// Starting three backends takes minutes on a loaded 2-core machine.
jest.setTimeout(8 * 60_000);

const POSTGRES =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const REDIS = process.env.SLIPWAY_TEST_REDIS_URL;
if (process.env.SLIPWAY_REQUIRE_POSTGRES && !POSTGRES) {
  throw new Error(
    'SLIPWAY_REQUIRE_POSTGRES is set but no PostgreSQL 15 is configured',
  );
}
if (process.env.SLIPWAY_REQUIRE_REDIS && !REDIS) {
  throw new Error(
    'SLIPWAY_REQUIRE_REDIS is set but SLIPWAY_TEST_REDIS_URL is not',
  );
}

/** The cache period of the cluster (slipway.state.cacheTtlSeconds). */
const CACHE_TTL_SECONDS = 30;
/** How often the promotions reconciler is scheduled. */
const RECONCILE_SECONDS = 2;
const ENTITY = 'component:default/payments-api';
const STATE_PATH = '/api/slipway/entities/component/default/payments-api/state';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function minus(
  after: Record<SandboxVendor, number>,
  before: Record<SandboxVendor, number>,
): Record<SandboxVendor, number> {
  return Object.fromEntries(
    Object.entries(after).map(([vendor, count]) => [
      vendor,
      count - before[vendor as SandboxVendor],
    ]),
  ) as Record<SandboxVendor, number>;
}

(POSTGRES && REDIS ? describe : describe.skip)(
  'three replicas on one PostgreSQL and one Redis',
  () => {
    let cluster: Cluster;
    let token: string;

    async function get(replica: number, path: string) {
      const res = await fetch(`${cluster.replicas[replica].baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(60_000),
      });
      return { status: res.status, body: await res.json() };
    }

    /**
     * A websocket with the user's token, as the frontend opens it. The
     * signals backend hooks into the server's upgrades on the first upgrade
     * request it sees, so the first attempt may go unanswered: like the
     * frontend, try again.
     */
    async function connect(url: string): Promise<WebSocket> {
      for (let attempt = 1; ; attempt++) {
        const socket = new WebSocket(url, token);
        const opened = await new Promise<boolean>(resolve => {
          const timer = setTimeout(() => resolve(false), 5000);
          socket.onopen = () => {
            clearTimeout(timer);
            resolve(true);
          };
          socket.onerror = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        if (opened) return socket;
        socket.close();
        if (attempt === 6) throw new Error(`websocket ${url} never opened`);
      }
    }

    async function readState(replica: number): Promise<EntityState> {
      const { status, body } = await get(replica, STATE_PATH);
      expect(status).toBe(200);
      return body;
    }

    beforeAll(async () => {
      cluster = await startCluster({
        replicas: 3,
        postgresUrl: POSTGRES!,
        redisUrl: REDIS!,
        // Under the hook's timeout: a cluster that cannot start fails the
        // run with a replica's log instead of leaving processes behind.
        startTimeoutMs: 6 * 60_000,
        config: {
          slipway: {
            state: { cacheTtlSeconds: CACHE_TTL_SECONDS },
            promotions: { reconcileIntervalSeconds: RECONCILE_SECONDS },
          },
        },
      });
      token = await cluster.signIn();
      // The catalog (shared) has read the example entities.
      const deadline = Date.now() + 90_000;
      for (;;) {
        const { status } = await get(
          0,
          '/api/catalog/entities/by-name/component/default/payments-api',
        );
        if (status === 200) break;
        if (Date.now() > deadline) throw new Error('catalog never read it');
        await sleep(1000);
      }
    }, 8 * 60_000);

    afterAll(async () => {
      await cluster?.stop();
    }, 120_000);

    it('asks each upstream once per cache period for reads spread over the replicas', async () => {
      // One cold read: what one cache period of this entity costs.
      const start = cluster.upstreamCalls();
      const readAt = Date.now();
      await readState(0);
      const single = minus(cluster.upstreamCalls(), start);
      expect(single.argocd).toBeGreaterThan(0);

      // The period ends; 30 concurrent reads, round-robin over the replicas.
      await sleep(
        Math.max(0, readAt + CACHE_TTL_SECONDS * 1000 + 1000 - Date.now()),
      );
      const before = cluster.upstreamCalls();
      const states = await Promise.all(
        Array.from({ length: 30 }, (_, i) => readState(i % 3)),
      );
      const spread = minus(cluster.upstreamCalls(), before);

      for (const state of states) {
        expect(state.entityRef).toBe(ENTITY);
        for (const source of state.sources) {
          expect(source.status).not.toBe('error');
        }
      }
      // The period was over: the upstreams were asked again...
      expect(spread.argocd).toBeGreaterThan(0);
      // ...but no more than one read's worth in total, not one per replica.
      const over = (Object.keys(single) as SandboxVendor[])
        .filter(vendor => spread[vendor] > single[vendor])
        .map(
          vendor =>
            `${vendor}: ${spread[vendor]} calls for 30 reads, ${single[vendor]} for one`,
        );
      expect(over).toEqual([]);
    });

    it('a webhook on replica 1 invalidates the shared cache and signals a browser on replica 3', async () => {
      // A browser on replica 3 listens to the entity's channel.
      const url = `${cluster.replicas[2].baseUrl.replace(
        /^http/,
        'ws',
      )}/api/signals`;
      const messages: unknown[] = [];
      const socket = await connect(url);
      socket.onmessage = event => messages.push(JSON.parse(String(event.data)));
      socket.send(
        JSON.stringify({
          action: 'subscribe',
          channel: entitySignalChannel(ENTITY),
        }),
      );

      try {
        // Replica 3 serves the entity from the shared cache.
        await readState(2);
        const warm = cluster.upstreamCalls();
        await readState(2);
        expect(minus(cluster.upstreamCalls(), warm).argocd).toBe(0);

        // Argo CD notifications tell replica 1 that an Application changed.
        const webhook = await fetch(
          `${cluster.replicas[0].baseUrl}/api/slipway/webhooks/argocd`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-slipway-webhook-secret': cluster.webhookSecret,
            },
            body: JSON.stringify({
              event: 'on-app-changed',
              application: 'payments-api-dev',
              app: 'payments-api',
              labels: { 'slipway.dev/app': 'payments-api' },
            }),
          },
        );
        expect(webhook.status).toBeLessThan(300);

        // The signal reaches the browser on replica 3...
        const deadline = Date.now() + 30_000;
        while (messages.length === 0 && Date.now() < deadline) {
          await sleep(100);
        }
        expect(messages).toContainEqual({
          channel: entitySignalChannel(ENTITY),
          message: { type: 'state-changed' },
        });

        // ...and replica 3's next read asks Argo CD again (the invalidated
        // source), while SonarQube (not named by the webhook) stays cached.
        const invalidated = cluster.upstreamCalls();
        const state = await readState(2);
        const calls = minus(cluster.upstreamCalls(), invalidated);
        expect(calls.argocd).toBeGreaterThan(0);
        expect(calls.sonarqube).toBe(0);
        expect(
          state.sources.filter(s => s.kind === 'delivery').map(s => s.status),
        ).not.toContain('error');
      } finally {
        socket.close();
      }
    });

    it('runs scheduled work once per interval across the replicas', async () => {
      const taskId = 'slipway-promotions-reconcile';
      const runs = new Set<string>();
      const windowMs = 20_000;
      const started = Date.now();
      let poll = 0;
      while (Date.now() - started < windowMs) {
        const { status, body } = await get(
          poll++ % 3,
          '/api/slipway/.backstage/scheduler/v1/tasks',
        );
        expect(status).toBe(200);
        const task = body.tasks.find(
          (t: { taskId: string }) => t.taskId === taskId,
        );
        // One task for the cluster, in the shared database.
        expect(task.scope).toBe('global');
        const ended = task.taskState?.lastRunEndedAt;
        if (ended && Date.parse(ended) >= started) runs.add(ended);
        await sleep(250);
      }
      const periods = windowMs / 1000 / RECONCILE_SECONDS;
      // It runs (about once per interval), and never once per replica
      // (three replicas each running it would end ~3 × periods runs).
      expect(runs.size).toBeGreaterThanOrEqual(Math.floor(periods / 2));
      expect(runs.size).toBeLessThanOrEqual(periods + 1);
    });
  },
);
