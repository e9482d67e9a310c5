import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { screenshot, signInAsGuest } from './helpers';

const services = [
  'payments-api',
  'checkout-web',
  'orders-service',
  'inventory-api',
  'notifications-worker',
];

test('the portal loads and the catalog lists the example services', async ({
  page,
}) => {
  await signInAsGuest(page);
  // The catalog opens on "Owned"; all services are under "All".
  await page.getByText('All', { exact: true }).click();
  for (const name of services) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await screenshot(page, 'catalog');
});

test('an entity page shows the Deploy tab with the configuration Slipway found', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api');
  const tab = page.getByRole('link', { name: 'Deploy', exact: true });
  await expect(tab).toBeVisible();
  await tab.click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payments-api\/deploy/,
  );
  await expect(
    page.getByText('Deploy state is not available in this version'),
  ).toBeVisible();
  await expect(
    page.getByText(/local stand-ins, not real services/),
  ).toBeVisible();
  const envs = page.getByRole('list', {
    name: 'Environments in promotion order',
  });
  await expect(envs).toContainText('dev — Argo CD sync: automatic');
  await expect(envs).toContainText('staging — Argo CD sync: manual');
  await expect(
    page.getByText('slipway.dev/app=payments-api').first(),
  ).toBeVisible();
  await screenshot(page, 'deploy-tab-configured');

  const results = await new AxeBuilder({ page })
    .include('main')
    .withTags(['wcag2a', 'wcag2aa'])
    .analyze();
  const serious = results.violations.filter(v =>
    ['serious', 'critical'].includes(v.impact ?? ''),
  );
  expect(
    serious.map(
      v =>
        `${v.id}: ${v.help} at ${v.nodes
          .map(n => n.target.join(' '))
          .join(', ')}`,
    ),
  ).toEqual([]);
});

test('an entity without delivery annotations is told what to add', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/legacy-billing/deploy');
  await expect(page.getByText('Annotations missing')).toBeVisible();
  await expect(page.getByText(/Add slipway\.dev\/gitops-repo/)).toBeVisible();
  await screenshot(page, 'deploy-tab-missing-annotations');
});
