import { expect, test } from '@playwright/test';
import { pick, screenshot, signInAsGuest } from './helpers';

// The sandbox's APIs, as configured in app-config.yaml; credentials are the
// sandbox-only defaults exported by scripts/lib.sh.
const GITHUB_API = 'http://127.0.0.1:7101/api/v3';
const ARGOCD_API = 'http://127.0.0.1:7102/api/v1';
const GITHUB_TOKEN = process.env.SANDBOX_GITHUB_TOKEN ?? 'sandbox-github-token';
const ARGOCD_TOKEN = process.env.SANDBOX_ARGOCD_TOKEN ?? 'sandbox-argocd-token';

async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 1_000));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

test('a developer scaffolds a TypeScript service with canary delivery', async ({
  page,
  request,
}) => {
  // Scaffolding, then the sandbox's CI run and dev's auto-sync of its build.
  test.setTimeout(480_000);
  const name = `e2e-svc-${Date.now().toString(36)}`;

  await signInAsGuest(page);
  await page.goto('/create');
  // The innermost element holding both the template's title and its button.
  const card = page
    .locator('div')
    .filter({
      has: page.getByText('Service (TypeScript, Python or Go)', {
        exact: true,
      }),
    })
    .filter({ has: page.getByRole('button', { name: 'Choose' }) })
    .last();
  await card.getByRole('button', { name: 'Choose' }).click();

  // Step 1: the service.
  await expect(page.getByLabel(/^Name/).first()).toBeVisible();
  await page.getByLabel(/^Name/).first().fill(name);
  await page
    .getByLabel(/^Description/)
    .first()
    .fill('Created by the e2e suite');
  await page
    .getByLabel(/^Owner/)
    .first()
    .fill('team-payments');
  await page
    .getByRole('option', { name: /team-payments/ })
    .first()
    .click();
  await screenshot(page, 'scaffold-step-service');
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
  await expect(page.getByText('Delivery strategy').first()).toBeVisible();

  // Step 3: delivery, canary.
  await pick(page, /Delivery strategy/, /Canary/);
  await screenshot(page, 'scaffold-step-delivery');
  // The remaining steps (secrets, post-deploy verification) keep their
  // defaults.
  const review = page.getByRole('button', { name: 'Review' });
  for (let step = 0; step < 5 && !(await review.isVisible()); step++) {
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForTimeout(500);
  }
  await review.click();
  await expect(page.getByText(name).first()).toBeVisible();
  await page.getByRole('button', { name: 'Create' }).click();

  // The task runs against the sandbox and completes.
  const done = page.getByText('Open in catalog');
  const failed = page.getByText(/^Error: /).first();
  await expect(done.or(failed)).toBeVisible({ timeout: 120_000 });
  if (await failed.isVisible()) {
    await screenshot(page, 'scaffold-task-failed');
    throw new Error(`Scaffolder task failed: ${await failed.textContent()}`);
  }
  await screenshot(page, 'scaffold-task-completed');

  // The entity is in the catalog.
  await page.getByText('Open in catalog').click();
  await expect(page.getByRole('heading', { name })).toBeVisible({
    timeout: 60_000,
  });

  // Its source repository exists in the sandbox, with the pushed skeleton.
  const repo = await request.get(`${GITHUB_API}/repos/acme/${name}`, {
    headers: { Authorization: `token ${GITHUB_TOKEN}` },
  });
  expect(repo.status()).toBe(200);
  const overlay = await request.get(
    `${GITHUB_API}/repos/acme/gitops/contents/apps/${name}/overlays/dev/kustomization.yaml`,
    { headers: { Authorization: `token ${GITHUB_TOKEN}` } },
  );
  expect(overlay.status()).toBe(200);

  // Its dev application appears in Argo CD and becomes Healthy.
  const dev = await poll(`${name}-dev to be Synced and Healthy`, async () => {
    const response = await request.get(
      `${ARGOCD_API}/applications/${name}-dev`,
      { headers: { Authorization: `Bearer ${ARGOCD_TOKEN}` } },
    );
    if (response.status() !== 200) return undefined;
    const app = await response.json();
    return app.status?.sync?.status === 'Synced' &&
      app.status?.health?.status === 'Healthy'
      ? app
      : undefined;
  });
  expect(dev.metadata.labels['slipway.dev/environment']).toBe('dev');
  expect(dev.spec.source.path).toBe(`apps/${name}/overlays/dev`);
  await screenshot(page, 'scaffold-entity');

  // The generated workflow's last job, played by the sandbox: the first
  // commit's CI run points the dev overlay at its build (tag = full SHA,
  // plus digest) and Argo CD syncs dev to it.
  const commit = await request.get(
    `${GITHUB_API}/repos/acme/${name}/commits/main`,
    { headers: { Authorization: `token ${GITHUB_TOKEN}` } },
  );
  expect(commit.status()).toBe(200);
  const sha: string = (await commit.json()).sha;
  expect(sha).toMatch(/^[0-9a-f]{40}$/);
  await poll(
    `${name}-dev to run ${sha.slice(0, 7)}`,
    async () => {
      const response = await request.get(
        `${ARGOCD_API}/applications/${name}-dev`,
        { headers: { Authorization: `Bearer ${ARGOCD_TOKEN}` } },
      );
      if (response.status() !== 200) return undefined;
      const app = await response.json();
      const images: string[] = app.status?.summary?.images ?? [];
      return app.status?.sync?.status === 'Synced' &&
        images.some(image => image.includes(`:${sha}@sha256:`))
        ? app
        : undefined;
    },
    180_000,
  );

  // The new service's dev card on its Deploy tab reaches its own build.
  await page.goto(`/catalog/default/component/${name}/deploy`);
  const devCard = page.getByRole('region', { name: 'dev', exact: true });
  await expect(async () => {
    await page.reload();
    await expect(devCard).toBeVisible({ timeout: 15_000 });
    await expect(devCard).toContainText(sha.slice(0, 7), { timeout: 15_000 });
  }).toPass({ timeout: 120_000, intervals: [2_000, 5_000, 10_000] });
  await screenshot(page, 'scaffold-dev-own-build');
});
