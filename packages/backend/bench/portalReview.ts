/* eslint-disable no-console */
/**
 * A security and load review of a started development portal, repeatable:
 * `yarn workspace backend review:portal` while `bash scripts/start.sh` (or
 * the test script's portal) runs. It tries the portal as an attacker and a
 * load tester would, on loopback only and bounded in time, and prints one
 * line per check with PASS or FAIL and the numbers it measured. Exit code 1
 * when a check fails. See docs/security.md.
 *
 * It changes nothing that stays: no promotion is requested (previews only),
 * no policy or freeze is written (the refused attempts are the checks), and
 * the sandbox fault rules it sets carry their own client id and are removed.
 */
import http from 'node:http';

const BACKEND = process.env.SLIPWAY_BACKEND_URL ?? 'http://127.0.0.1:7007';
const SANDBOX_ADMIN = process.env.SANDBOX_ADMIN_URL ?? 'http://127.0.0.1:7100';
const SANDBOX_ADMIN_TOKEN =
  process.env.SANDBOX_ADMIN_TOKEN ?? 'sandbox-admin-token';
const WEBHOOK_SECRET =
  process.env.SANDBOX_ARGOCD_WEBHOOK_SECRET ?? 'sandbox-argocd-webhook-secret';
const CLIENT = `portal-review-${process.pid}`;
/** Values of the development portal's credentials that must never be answered. */
const SECRETS = [
  process.env.SANDBOX_GITHUB_TOKEN ?? 'sandbox-github-token',
  process.env.SANDBOX_ARGOCD_TOKEN ?? 'sandbox-argocd-token',
  process.env.SANDBOX_ARGOCD_WRITE_TOKEN ?? 'sandbox-argocd-write-token',
  process.env.SANDBOX_HARBOR_PASSWORD ?? 'sandbox-harbor-password',
  process.env.SANDBOX_SONARQUBE_TOKEN ?? 'sandbox-sonarqube-token',
  SANDBOX_ADMIN_TOKEN,
  WEBHOOK_SECRET,
];
const SERVICES = [
  'payments-api',
  'checkout-web',
  'orders-service',
  'inventory-api',
  'notifications-worker',
];

let failures = 0;
function check(name: string, ok: boolean, detail: string) {
  if (!ok) failures++;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function call(
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${BACKEND}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, text: await res.text() };
}

/** A GET with the path sent as written: fetch would resolve `..` itself. */
function rawGet(path: string, token: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const url = new URL(BACKEND);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        headers: { authorization: `Bearer ${token}` },
        timeout: 60_000,
      },
      res => {
        let text = '';
        res.on('data', chunk => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function signIn(user?: string): Promise<string> {
  const path = user ? '/api/auth/devUsers/refresh' : '/api/auth/guest/refresh';
  const res = await fetch(`${BACKEND}${path}?env=development`, {
    headers: {
      'x-requested-with': 'XMLHttpRequest',
      ...(user ? { 'x-slipway-dev-user': user } : {}),
    },
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok)
    throw new Error(`sign-in as ${user ?? 'guest'}: HTTP ${res.status}`);
  const json = (await res.json()) as { backstageIdentity: { token: string } };
  return json.backstageIdentity.token;
}

async function sandboxFaults(
  method: 'PUT' | 'DELETE' | 'GET',
  rules?: unknown[],
) {
  const res = await fetch(`${SANDBOX_ADMIN}/admin/faults`, {
    method,
    headers: {
      authorization: `Bearer ${SANDBOX_ADMIN_TOKEN}`,
      'x-sandbox-client': CLIENT,
      'content-type': 'application/json',
    },
    body: rules ? JSON.stringify({ rules }) : undefined,
  });
  if (!res.ok) throw new Error(`sandbox faults ${method}: HTTP ${res.status}`);
  const text = await res.text(); // DELETE answers 204 without a body
  return (text ? JSON.parse(text) : { rules: [] }) as {
    rules: { vendor: string; remaining?: number }[];
  };
}

/** Counts upstream requests per vendor with 1 ms latency rules of our own. */
const COUNT = 1_000_000;
async function startCounting(vendors: string[]) {
  await sandboxFaults(
    'PUT',
    vendors.map(vendor => ({
      vendor,
      mode: 'latency',
      latencyMs: 1,
      times: COUNT,
    })),
  );
}
async function stopCounting(): Promise<Record<string, number>> {
  const { rules } = await sandboxFaults('GET');
  await sandboxFaults('DELETE');
  return Object.fromEntries(
    rules.map(r => [r.vendor, COUNT - (r.remaining ?? COUNT)]),
  );
}

async function main() {
  const guest = await signIn();
  const bob = await signIn('bob'); // team-storefront: owns no payments service

  // 1. Authentication: every Slipway route but the webhooks needs a token.
  const reads = [
    '/api/slipway/environments',
    '/api/slipway/fleet',
    '/api/slipway/policies',
    '/api/slipway/promotions',
    '/api/slipway/freezes',
    ...SERVICES.map(s => `/api/slipway/entities/component/default/${s}/state`),
  ];
  const anonymous = await Promise.all(reads.map(p => call('GET', p)));
  check(
    'no token → 401 on every read route',
    anonymous.every(r => r.status === 401),
    anonymous.map(r => r.status).join(' '),
  );

  // 2. Roadie's Argo CD write routes: refused to the guest, open to an admin.
  const argoWrites: [string, string][] = [
    ['POST', '/api/argocd/createArgo'],
    ['PUT', '/api/argocd/updateArgo/payments-api-dev'],
    ['POST', '/api/argocd/sync'],
    [
      'DELETE',
      '/api/argocd/argoInstance/sandbox/applications/payments-api-dev',
    ],
    [
      'DELETE',
      '/api/argocd/argoInstance/sandbox/applications/payments-api-dev/operation',
    ],
  ];
  const guestWrites = await Promise.all(
    argoWrites.map(([m, p]) => call(m, p, { token: guest, body: {} })),
  );
  check(
    "guest → 403 on each of Roadie's Argo CD write routes",
    guestWrites.every(r => r.status === 403),
    guestWrites.map(r => r.status).join(' '),
  );
  const roadieRead = await call(
    'GET',
    '/api/argocd/find/name/payments-api-dev',
    { token: guest },
  );
  check(
    "guest can still read through Roadie's Argo CD routes",
    roadieRead.status === 200,
    `HTTP ${roadieRead.status}`,
  );

  // 3. Permissions decided on the target, never the body.
  const digest = `sha256:${'0'.repeat(64)}`;
  const preview = (token: string, environment: string) =>
    call(
      'POST',
      '/api/slipway/entities/component/default/payments-api/promotions/preview',
      {
        token,
        body: { environment, artifact: { digest } },
      },
    );
  const [bobDev, guestProd, guestDev] = await Promise.all([
    preview(bob, 'dev'),
    preview(guest, 'prod'),
    preview(guest, 'dev'),
  ]);
  check(
    'a user outside the owning team may not promote (bob → payments-api dev)',
    bobDev.status === 403,
    `HTTP ${bobDev.status}`,
  );
  // Which environments a team may promote to is the portal policy's
  // `slipway.permissions.teamEnvironments` (default: all, approvals gate
  // prod); that a dev grant never covers prod is unit-tested
  // (permissionPolicy.test.ts). Here: the owner is not refused.
  check(
    'the owning team is not refused a preview (guest → payments-api)',
    guestDev.status !== 403 && guestProd.status !== 403,
    `dev HTTP ${guestDev.status}, prod HTTP ${guestProd.status} (400: the probe digest is not in the registry)`,
  );
  const [policyWrite, freezeWrite] = await Promise.all([
    call('PUT', '/api/slipway/policies/review-probe', {
      token: guest,
      body: { policy: {}, expectedVersion: 0, comment: 'review' },
    }),
    call('POST', '/api/slipway/freezes', {
      token: guest,
      body: { scope: 'global', reason: 'review' },
    }),
  ]);
  check(
    'non-admins may not write policies or freezes',
    policyWrite.status === 403 && freezeWrite.status === 403,
    `policy HTTP ${policyWrite.status}, freeze HTTP ${freezeWrite.status}`,
  );

  // 4. Input: entity path parts, query numbers.
  const bad = await Promise.all([
    rawGet('/api/slipway/entities/component/../payments-api/state', guest),
    rawGet('/api/slipway/entities/component/default/%2E%2E/state', guest),
    call('GET', '/api/slipway/fleet?limit=1e2', { token: guest }),
    call('GET', '/api/slipway/fleet?limit=0x10', { token: guest }),
    call('GET', '/api/slipway/fleet?limit=-1', { token: guest }),
  ]);
  check(
    'dot segments in entity paths and non-decimal limits → 400',
    bad.every(r => r.status === 400),
    bad.map(r => r.status).join(' '),
  );
  const missing = await call(
    'GET',
    '/api/slipway/entities/component/default/no-such-service/state',
    { token: guest },
  );
  check(
    'an unknown entity → 404',
    missing.status === 404,
    `HTTP ${missing.status}`,
  );

  // 5. Webhooks: secret, size cap.
  const [noSecret, wrongSecret, huge] = await Promise.all([
    call('POST', '/api/slipway/webhooks/argocd', {
      body: { app: 'payments-api-dev' },
    }),
    call('POST', '/api/slipway/webhooks/argocd', {
      body: { app: 'payments-api-dev' },
      headers: { 'x-slipway-webhook-secret': 'wrong' },
    }),
    call('POST', '/api/slipway/webhooks/argocd', {
      raw: JSON.stringify({ app: 'x'.repeat(300 * 1024) }),
      headers: {
        'content-type': 'application/json',
        'x-slipway-webhook-secret': WEBHOOK_SECRET,
      },
    }),
  ]);
  check(
    'webhooks: no secret → 401, wrong secret → 401, 300 KiB → 413',
    noSecret.status === 401 &&
      wrongSecret.status === 401 &&
      huge.status === 413,
    `${noSecret.status} ${wrongSecret.status} ${huge.status}`,
  );

  // 6. No credential in any answer a browser gets (reads, refusals, errors).
  const answers = [
    ...(await Promise.all(reads.map(p => call('GET', p, { token: guest })))),
    ...guestWrites,
    ...bad,
    bobDev,
    guestProd,
    guestDev,
    policyWrite,
    freezeWrite,
    noSecret,
    huge,
    await call('GET', '/api/app/config', { token: guest }).catch(() => ({
      status: 0,
      text: '',
    })),
  ];
  const leaked = SECRETS.filter(secret =>
    answers.some(a => a.text.includes(secret)),
  );
  check(
    'no configured credential appears in any response',
    leaked.length === 0,
    `${answers.length} responses scanned for ${SECRETS.length} secrets${
      leaked.length ? `; found ${leaked.length}` : ''
    }`,
  );

  // 7. Bounded load: 200 concurrent Deploy-tab reads; upstream calls counted.
  await startCounting(['argocd', 'github', 'harbor', 'sonarqube']);
  const times: number[] = [];
  const statuses: Record<number, number> = {};
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const t = Date.now();
      const r = await call(
        'GET',
        `/api/slipway/entities/component/default/${
          SERVICES[i % SERVICES.length]
        }/state`,
        {
          token: guest,
        },
      );
      times.push(Date.now() - t);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }),
  );
  const elapsed = Date.now() - started;
  const loadCalls = await stopCounting();
  check(
    '200 concurrent state reads of 5 entities: all 200, upstream calls bounded by entities, not readers',
    (statuses[200] ?? 0) === 200 &&
      Object.values(loadCalls).every(n => n <= SERVICES.length * 4),
    `${elapsed} ms total, p50 ${percentile(times, 50)} ms, p95 ${percentile(
      times,
      95,
    )} ms; statuses ${JSON.stringify(
      statuses,
    )}; upstream calls ${JSON.stringify(loadCalls)}`,
  );

  // 8. Webhook storm beside readers: invalid ones cost nothing upstream.
  const storm = async (secret: string) => {
    await startCounting(['argocd']);
    const until = Date.now() + 10_000;
    const sent: Promise<unknown>[] = [];
    const codes: Record<number, number> = {};
    let i = 0;
    const begin = Date.now();
    while (Date.now() < until) {
      sent.push(
        call('POST', '/api/slipway/webhooks/argocd', {
          body: {
            app: `${SERVICES[i % SERVICES.length]}-${
              ['dev', 'staging', 'prod'][i % 3]
            }`,
          },
          headers: { 'x-slipway-webhook-secret': secret },
        }).then(r => {
          codes[r.status] = (codes[r.status] ?? 0) + 1;
        }),
      );
      i++;
      const due = begin + i * 20; // 50 per second
      await new Promise(r => setTimeout(r, Math.max(0, due - Date.now())));
      if (i % 10 === 0) {
        // A reader per 10 webhooks, as open Deploy tabs refetching after a signal.
        sent.push(
          call(
            'GET',
            `/api/slipway/entities/component/default/${
              SERVICES[i % SERVICES.length]
            }/state`,
            { token: guest },
          ),
        );
      }
    }
    await Promise.all(sent);
    const counted = await stopCounting();
    return { sent: i, codes, argocd: counted.argocd ?? 0 };
  };
  const invalid = await storm('wrong-secret');
  check(
    'invalid webhooks at 50/s for 10 s cost no Argo CD call',
    invalid.argocd === 0 || invalid.argocd <= SERVICES.length * 4,
    `${invalid.sent} sent, HTTP ${JSON.stringify(
      invalid.codes,
    )}, Argo CD calls ${invalid.argocd} (readers only)`,
  );
  const valid = await storm(WEBHOOK_SECRET);
  check(
    'valid webhooks at 50/s for 10 s: at most one read per named entity per coalescing window',
    valid.argocd <= SERVICES.length * 4 * 20,
    `${valid.sent} sent, HTTP ${JSON.stringify(valid.codes)}, Argo CD calls ${
      valid.argocd
    } (bound ${
      SERVICES.length * 4 * 20
    }: 5 entities × ≤4 calls × 20 windows of 500 ms)`,
  );

  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
}

main().then(
  () => process.exit(failures ? 1 : 0),
  async error => {
    console.error(error);
    await sandboxFaults('DELETE').catch(() => undefined);
    process.exit(1);
  },
);
