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
    await expect(
      card.getByText('Deployed', { exact: true }).first(),
    ).toBeVisible();
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
  await expect(rollout.getByText(/^Rollout: Canary/)).toBeVisible();
  await expect(rollout.getByText(/step \d+ of \d+/).first()).toBeVisible();
  const weight = rollout.getByRole('progressbar', {
    name: 'Traffic to the new version in prod',
  });
  await expect(weight).toBeVisible();
  await expect(weight).toHaveAttribute('aria-valuenow', /\d+/);
  await expect(
    page.getByRole('listitem', { name: /^prod: Rolling out/ }),
  ).toBeVisible();
  await screenshot(page, 'deploy-tab-orders-service-canary');
  await expectNoSeriousViolations(page);
});

test('inventory-api shows staging degraded', async ({ page }) => {
  await openDeployTab(page, 'inventory-api');
  const staging = environment(page, 'staging');
  await expect(staging.getByText('Health: Degraded')).toBeVisible();
  await expect(
    page.getByRole('listitem', { name: /^staging: (Degraded|Rollout failed)/ }),
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
  // One verdict for the environment: drifted, with both sides named.
  await expect(
    prod.getByText('Drifted', { exact: true }).first(),
  ).toBeVisible();
  await expect(prod.getByText('Git wants', { exact: true })).toBeVisible();
  await expect(prod.getByText('Cluster runs', { exact: true })).toBeVisible();
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

test('with Argo CD down, the tab names it and no environment reads deployed', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  // The sandbox's fault API, under a client id of this test's own.
  const faults = 'http://127.0.0.1:7100/admin/faults';
  const headers = {
    authorization: `Bearer ${
      process.env.SANDBOX_ADMIN_TOKEN ?? 'sandbox-admin-token'
    }`,
    'x-sandbox-client': 'e2e-deploy-tab-fault',
  };
  await request.put(faults, {
    headers,
    data: { rules: [{ vendor: 'argocd', mode: 'error', status: 503 }] },
  });
  try {
    await signInAsGuest(page);
    // The state cache lives 15 s in the development portal: reload until
    // the outage shows.
    await expect(async () => {
      await page.goto('/catalog/default/component/payments-api/deploy');
      // Unreachable with no earlier answer, or "data from …" with the
      // last known one: either way named once, by its product name.
      await expect(
        page.getByText(/Argo CD( unreachable|: data from)/).first(),
      ).toBeVisible({ timeout: 20_000 });
    }).toPass({ timeout: 150_000 });
    for (const env of ['dev', 'staging', 'prod']) {
      const card = environment(page, env);
      // The environment's own verdict; a finished promotion's status chip
      // (role status) may still say what that promotion did.
      const deployed = card.getByText('Deployed', { exact: true });
      const ofPromotions = card
        .getByRole('status')
        .getByText('Deployed', { exact: true });
      await expect
        .poll(
          async () => (await deployed.count()) - (await ofPromotions.count()),
        )
        .toBe(0);
    }
    await screenshot(page, 'deploy-tab-argocd-down');
    await expectNoSeriousViolations(page);
  } finally {
    await request.delete(faults, { headers });
  }
  // Leave the portal as the next specs expect it: Argo CD answering again.
  await expect(async () => {
    await page.goto('/catalog/default/component/payments-api/deploy');
    await expect(
      environment(page, 'prod').getByText('Deployed', { exact: true }).first(),
    ).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 120_000 });
});
