import { expect, Page, test } from '@playwright/test';
import {
  expectNoSeriousViolations,
  screenshot,
  signInAsGuest,
} from './helpers';

/** Opens an entity's Deploy tab and waits for the state to render. */
async function openDeployTab(page: Page, name: string) {
  await signInAsGuest(page);
  await page.goto(`/catalog/default/component/${name}`);
  await page.getByRole('link', { name: 'Deploy', exact: true }).click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${name}/deploy`),
  );
  await expect(
    page.getByRole('list', { name: 'Delivery pipeline' }),
  ).toBeVisible();
  await expect(page.getByText(/^Updated /)).toBeVisible();
}

function environment(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

test('payments-api is deployed and healthy in every environment', async ({
  page,
}) => {
  await openDeployTab(page, 'payments-api');
  await expect(
    page.getByText(/local stand-ins, not real services/),
  ).toBeVisible();
  for (const env of ['dev', 'staging', 'prod']) {
    const card = environment(page, env);
    await expect(card).toBeVisible();
    await expect(card.getByText('Deployed', { exact: true })).toBeVisible();
    await expect(card.getByText('Health: Healthy')).toBeVisible();
    await expect(card.getByText('Sync: Synced')).toBeVisible();
    await expect(card.getByText(/^Behind /)).toHaveCount(0);
  }
  await expect(
    page.getByRole('table', { name: 'Recent builds' }),
  ).toBeVisible();
  await screenshot(page, 'deploy-tab-payments-api');
  await expectNoSeriousViolations(page);
});

test('checkout-web shows staging behind dev', async ({ page }) => {
  await openDeployTab(page, 'checkout-web');
  await expect(
    environment(page, 'staging').getByText('Behind dev'),
  ).toBeVisible();
  await expect(
    page.getByRole('listitem', { name: /^staging: .*behind dev/ }),
  ).toBeVisible();
  await expect(environment(page, 'dev').getByText(/^Behind /)).toHaveCount(0);
  await screenshot(page, 'deploy-tab-checkout-web');
});

test('orders-service shows the prod canary mid-rollout', async ({ page }) => {
  await openDeployTab(page, 'orders-service');
  const prod = environment(page, 'prod');
  const rollout = prod.getByRole('region', { name: 'Rollout in prod' });
  await expect(rollout).toBeVisible();
  await expect(
    rollout.getByText(/^Rollout: Canary, step \d+ of \d+/),
  ).toBeVisible();
  const weight = rollout.getByRole('progressbar', {
    name: 'Traffic to the new version in prod',
  });
  await expect(weight).toBeVisible();
  await expect(weight).toHaveAttribute('aria-valuenow', /\d+/);
  await expect(
    page.getByRole('listitem', { name: /^prod: canary step \d+ of \d+/ }),
  ).toBeVisible();
  await screenshot(page, 'deploy-tab-orders-service-canary');
  await expectNoSeriousViolations(page);
});

test('inventory-api shows staging degraded', async ({ page }) => {
  await openDeployTab(page, 'inventory-api');
  const staging = environment(page, 'staging');
  await expect(staging.getByText('Health: Degraded')).toBeVisible();
  await expect(
    page.getByRole('listitem', { name: /^staging: Degraded/ }),
  ).toBeVisible();
  await screenshot(page, 'deploy-tab-inventory-api-degraded');
});

test('notifications-worker shows prod out of sync with drift', async ({
  page,
}) => {
  await openDeployTab(page, 'notifications-worker');
  const prod = environment(page, 'prod');
  await expect(prod.getByText('Sync: OutOfSync')).toBeVisible();
  await expect(
    prod.getByText('Drift: Git and the cluster disagree'),
  ).toBeVisible();
  await expect(
    prod
      .getByRole('list', { name: 'Drift reasons in prod' })
      .getByRole('listitem')
      .first(),
  ).toBeVisible();
  await expect(prod.getByText('Not yet deployed')).toBeVisible();
  await screenshot(page, 'deploy-tab-notifications-worker-drift');
  await expectNoSeriousViolations(page);
});

test('history of an environment loads on demand', async ({ page }) => {
  await openDeployTab(page, 'payments-api');
  const prod = environment(page, 'prod');
  await prod.getByRole('button', { name: 'History of prod' }).click();
  const history = page.getByRole('table', {
    name: 'Deployment history of prod',
  });
  await expect(history).toBeVisible();
  await expect(history.getByRole('row').nth(1)).toBeVisible();
  await screenshot(page, 'deploy-tab-history');
});

test('an entity without delivery annotations gets the setup card', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/legacy-billing/deploy');
  await expect(page.getByText('Annotations missing')).toBeVisible();
  await expect(page.getByText(/Add slipway\.dev\/gitops-repo/)).toBeVisible();
  await screenshot(page, 'deploy-tab-setup');
  await expectNoSeriousViolations(page);
});
