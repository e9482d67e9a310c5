import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  BACKEND,
  buildNewImage,
  expectAccessibleDialog,
  pick,
  SANDBOX,
  tokenOf,
  expectNoSeriousViolations,
  screenshot,
  signInAs,
  signInAsGuest,
} from './helpers';

// Flux end to end (issue 15): a service scaffolded for Flux from the
// portal's form, the seeded Flux service ledger-api on the fleet, and
// ledger-api promoted dev → staging → prod, each environment reading
// Deployed on the new build from the sandbox's Kubernetes API stand-in.
//
// Files run in name order, one worker: this one runs after fleet.spec.ts
// (which counts no Flux service) and before live-update.spec.ts. It touches
// only ledger-api and its own new service, whose files in the GitOps
// repository no other spec reads.
test.describe.configure({ mode: 'serial' });

const GITHUB_API = `http://${SANDBOX}:7101/api/v3`;
const KUBE_API = `http://${SANDBOX}:7106/apis`;
const GITHUB_TOKEN = process.env.SANDBOX_GITHUB_TOKEN ?? 'sandbox-github-token';
const FLUX_TOKEN = process.env.SANDBOX_FLUX_TOKEN ?? 'sandbox-flux-token';

const SERVICE = 'ledger-api';
const ENTITY_API = `${BACKEND}/api/slipway/entities/component/default/${SERVICE}`;
// staging and prod of ledger-api: direct commits, then the engine asks Flux
// to reconcile (the portal's cluster has a reconcile token).
const POLICY = 'e2e-ledger-flux-reconcile';
const POLICY_BODY = {
  description: `Flux reconciles ${SERVICE} in staging and prod as soon as a promotion lands`,
  selector: { entities: [`component:default/${SERVICE}`] },
  environments: {
    staging: { mode: 'direct', sync: true, gates: [] },
    prod: { mode: 'direct', sync: true, gates: [] },
  },
};

interface KustomizationList {
  items: {
    metadata: {
      name: string;
      namespace: string;
      labels: Record<string, string>;
    };
    spec: { path: string; interval: string; targetNamespace: string };
    status?: {
      lastAppliedRevision?: string;
      conditions?: { type: string; status: string }[];
    };
  }[];
}

/** The Kustomizations of an app, as the stand-in serves them (read token). */
async function kustomizationsOf(request: APIRequestContext, app: string) {
  const res = await request.get(
    `${KUBE_API}/kustomize.toolkit.fluxcd.io/v1/kustomizations?labelSelector=${encodeURIComponent(
      `slipway.dev/app=${app}`,
    )}`,
    { headers: { Authorization: `Bearer ${FLUX_TOKEN}` } },
  );
  expect(res.status()).toBe(200);
  return ((await res.json()) as KustomizationList).items;
}

const card = (page: Page, environment: string) =>
  page.getByRole('region', { name: environment, exact: true });

test('a developer scaffolds a service for Flux: its Kustomizations reconcile and dev deploys its first build', async ({
  page,
  request,
}) => {
  // Scaffolding, then the sandbox's CI run and Flux applying its build.
  test.setTimeout(480_000);
  const name = `e2e-flux-${Date.now().toString(36)}`;

  await signInAsGuest(page);
  await page.goto('/create');
  const template = page
    .locator('div')
    .filter({
      has: page.getByText('Service (TypeScript, Python or Go)', {
        exact: true,
      }),
    })
    .filter({ has: page.getByRole('button', { name: 'Choose' }) })
    .last();
  await template.getByRole('button', { name: 'Choose' }).click();

  // Step 1: the service.
  await expect(page.getByLabel(/^Name/).first()).toBeVisible();
  await page.getByLabel(/^Name/).first().fill(name);
  await page
    .getByLabel(/^Description/)
    .first()
    .fill('Created by the e2e suite, deployed by Flux');
  await page
    .getByLabel(/^Owner/)
    .first()
    .fill('team-payments');
  await page
    .getByRole('option', { name: /team-payments/ })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 2: repository and CI (GitHub Actions, the sandbox's GitHub).
  await page
    .getByLabel(/^Owner/)
    .first()
    .fill('acme');
  await page
    .getByLabel(/^Repository/)
    .first()
    .fill(name);
  await page
    .getByLabel(/^Repository/)
    .first()
    .press('Tab');
  // The repository picker commits its value after typing settles.
  await page.waitForTimeout(1_000);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('GitOps controller').first()).toBeVisible();

  // Step 3: delivery, on Flux.
  await pick(page, /^GitOps controller/, /^Flux$/);
  await expect(page.getByLabel(/^GitOps controller/).first()).toContainText(
    'Flux',
  );
  await screenshot(page, 'flux-scaffold-step-delivery');
  // The remaining steps (secrets, post-deploy verification) keep their
  // defaults.
  const review = page.getByRole('button', { name: 'Review' });
  for (let step = 0; step < 5 && !(await review.isVisible()); step++) {
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForTimeout(500);
  }
  await review.click();
  await expect(page.getByText(name).first()).toBeVisible();
  await screenshot(page, 'flux-scaffold-review');
  await page.getByRole('button', { name: 'Create' }).click();

  const done = page.getByText('Open in catalog');
  const failed = page.getByText(/^Error: /).first();
  await expect(done.or(failed)).toBeVisible({ timeout: 120_000 });
  if (await failed.isVisible()) {
    await screenshot(page, 'flux-scaffold-task-failed');
    throw new Error(`Scaffolder task failed: ${await failed.textContent()}`);
  }
  await page.getByText('Open in catalog').click();
  await expect(page.getByRole('heading', { name })).toBeVisible({
    timeout: 60_000,
  });

  // The GitOps repository has Flux's objects (no Argo CD Application), and
  // the stand-in serves one Kustomization per environment from them.
  const release = await request.get(
    `${GITHUB_API}/repos/acme/gitops/contents/flux/releases/${name}/dev.yaml`,
    { headers: { Authorization: `token ${GITHUB_TOKEN}` } },
  );
  expect(release.status()).toBe(200);
  let kustomizations: KustomizationList['items'] = [];
  await expect(async () => {
    kustomizations = await kustomizationsOf(request, name);
    expect(kustomizations).toHaveLength(3);
  }).toPass({ timeout: 90_000, intervals: [1_000, 2_000, 5_000] });
  const byEnvironment = Object.fromEntries(
    kustomizations.map(k => [k.metadata.labels['slipway.dev/environment'], k]),
  );
  expect(Object.keys(byEnvironment).sort()).toEqual(['dev', 'prod', 'staging']);
  for (const [environment, k] of Object.entries(byEnvironment)) {
    expect(k.metadata).toMatchObject({
      name: `${name}-${environment}`,
      namespace: 'team-payments',
    });
    expect(k.spec).toMatchObject({
      path: `./apps/${name}/overlays/${environment}`,
      targetNamespace: `${name}-${environment}`,
      interval: environment === 'dev' ? '1m' : '24h',
    });
  }

  // The first commit's CI run points the dev overlay at its build (the
  // generated workflow's last job, played by the sandbox); Flux applies it.
  const commit = await request.get(
    `${GITHUB_API}/repos/acme/${name}/commits/main`,
    { headers: { Authorization: `token ${GITHUB_TOKEN}` } },
  );
  expect(commit.status()).toBe(200);
  const sha: string = (await commit.json()).sha;
  expect(sha).toMatch(/^[0-9a-f]{40}$/);

  // Its Deploy tab: Flux on every card; dev reaches Deployed on its build.
  await page.goto(`/catalog/default/component/${name}/deploy`);
  const dev = card(page, 'dev');
  await expect(async () => {
    await page.reload();
    await expect(dev).toBeVisible({ timeout: 15_000 });
    await expect(dev).toContainText(sha.slice(0, 7), { timeout: 15_000 });
    await expect(
      page.getByRole('listitem', {
        name: new RegExp(`^dev: deployed, ${sha.slice(0, 7)}`, 'i'),
      }),
    ).toBeVisible({ timeout: 15_000 });
  }).toPass({ timeout: 240_000, intervals: [2_000, 5_000, 10_000] });
  for (const environment of ['dev', 'staging', 'prod']) {
    await expect(
      card(page, environment).getByTestId('controller-badge'),
    ).toHaveText('Flux');
    // No Flux UI configured: the Kustomization by namespace/name.
    await expect(
      card(page, environment).getByText(`team-payments/${name}-${environment}`),
    ).toBeVisible();
  }
  await expect(dev.getByText('reconcile: on every commit')).toBeVisible();
  await expect(
    card(page, 'staging').getByText('reconcile: when a promotion lands'),
  ).toBeVisible();
  const [devApplied] = (await kustomizationsOf(request, name)).filter(
    k => k.metadata.labels['slipway.dev/environment'] === 'dev',
  );
  expect(
    devApplied.status?.conditions?.find(c => c.type === 'Ready')?.status,
  ).toBe('True');
  await screenshot(page, 'flux-scaffold-deploy-tab');
  await expectNoSeriousViolations(page);
});

test('the fleet shows the seeded Flux service ledger-api with its badge', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/slipway/fleet');
  const row = page.getByTestId(`fleet-row-${SERVICE}`);
  await expect(row).toBeVisible({ timeout: 60_000 });
  await expect(row.getByTestId('controller-badge')).toHaveText('Flux');
  await expect(
    page.getByTestId('fleet-row-payments-api').getByTestId('controller-badge'),
  ).toHaveText('Argo CD');
  await row.scrollIntoViewIfNeeded();
  await screenshot(page, 'flux-fleet');
  await expectNoSeriousViolations(page);
});

test('ledger-api is promoted dev → staging → prod; Flux reconciles each, and each reads Deployed on the new build', async ({
  page,
  request,
}) => {
  test.setTimeout(600_000);
  // An admin asks for Flux's reconciliation when a promotion lands.
  const alice = await tokenOf(request, 'alice');
  const existing = await request.get(
    `${BACKEND}/api/slipway/policies/${POLICY}`,
    { headers: { authorization: `Bearer ${alice}` } },
  );
  if (!existing.ok()) {
    const saved = await request.put(
      `${BACKEND}/api/slipway/policies/${POLICY}`,
      {
        headers: { authorization: `Bearer ${alice}` },
        data: {
          policy: POLICY_BODY,
          expectedVersion: 0,
          comment: 'e2e: reconcile ledger-api on promotion',
        },
      },
    );
    expect(saved.status()).toBe(200);
  }

  // A new build; the CI pipeline's last step takes it to dev through
  // Slipway's API, as the owner (dev reconciles on every commit).
  const build = await buildNewImage(
    request,
    SERVICE,
    'e2e: a ledger change to take to prod',
  );
  const short = build.tag.slice(0, 7);
  const carol = await tokenOf(request, 'carol');
  const res = await request.post(`${ENTITY_API}/promotions`, {
    headers: { authorization: `Bearer ${carol}` },
    data: { environment: 'dev', artifact: { digest: build.digest } },
  });
  expect(res.status()).toBe(201);
  const devPromotion = await res.json();

  await signInAs(page, 'carol');
  await page.goto(`/catalog/default/component/${SERVICE}/deploy`);
  await expect(
    page.getByRole('listitem', {
      name: new RegExp(`^dev: deployed, ${short}`, 'i'),
    }),
  ).toBeVisible({ timeout: 180_000 });
  // Roadie's Argo CD tab only where Argo CD annotations are (app-config).
  await expect(
    page.getByRole('link', { name: 'Deploy', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'ArgoCD', exact: true }),
  ).toHaveCount(0);
  await expect(async () => {
    const current = await (
      await request.get(
        `${BACKEND}/api/slipway/promotions/${devPromotion.id}`,
        { headers: { authorization: `Bearer ${carol}` } },
      )
    ).json();
    expect(current.state).toBe('deployed');
  }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });
  await screenshot(page, 'flux-ledger-dev-deployed');

  for (const [environment, upstream] of [
    ['staging', 'dev'],
    ['prod', 'staging'],
  ]) {
    await card(page, environment)
      .getByRole('button', { name: 'Promote here' })
      .click();
    const dialog = page.getByRole('dialog', {
      name: `Promote ${SERVICE} to ${environment}`,
    });
    await expect(
      dialog.getByRole('radio', { name: `What runs in ${upstream}` }),
    ).toBeChecked();
    await expect(dialog.getByText('Written as a direct commit')).toBeVisible({
      timeout: 60_000,
    });
    await expect(dialog.getByText(build.digest).first()).toBeVisible();
    await screenshot(page, `flux-promote-dialog-${environment}`);
    await expectAccessibleDialog(page);
    await dialog
      .getByRole('button', {
        name: new RegExp(`^(Promote|Request promotion) to ${environment}$`),
      })
      .click();

    const live = page.getByRole('dialog', {
      name: `Promotion of ${SERVICE} to ${environment}`,
    });
    // The engine commits, asks Flux to reconcile and waits for the commit
    // to be applied; then marks it deployed by the Deploy tab's rule.
    await expect(live.getByRole('status')).toContainText('Deployed', {
      timeout: 240_000,
    });
    const timeline = live.getByRole('list', { name: 'Timeline' });
    await expect(timeline).toContainText(
      `Flux reconciled team-payments/${SERVICE}-${environment}`,
    );
    await screenshot(page, `flux-promotion-${environment}-deployed`);
    await live.getByRole('button', { name: 'Close' }).click();
    await expect(
      page.getByRole('listitem', {
        name: new RegExp(`^${environment}: deployed, ${short}`, 'i'),
      }),
    ).toBeVisible({ timeout: 120_000 });
    // The card's image: the build's digest (the promotion's chip names it too).
    await expect(
      card(page, environment).getByText(build.digest.slice(0, 19), {
        exact: true,
      }),
    ).toBeVisible();
  }

  // The stand-in's truth: every Kustomization applied the commit that
  // carries the build, and is Ready.
  const items = await kustomizationsOf(request, SERVICE);
  expect(items).toHaveLength(3);
  for (const k of items) {
    expect(k.status?.conditions?.find(c => c.type === 'Ready')?.status).toBe(
      'True',
    );
    expect(k.status?.lastAppliedRevision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
  }
  for (const environment of ['dev', 'staging', 'prod']) {
    await expect(card(page, environment)).toContainText('Deployed');
    await expect(
      card(page, environment).getByTestId('controller-badge'),
    ).toHaveText('Flux');
  }
  await screenshot(page, 'flux-ledger-promoted');
  await expectNoSeriousViolations(page);
});
