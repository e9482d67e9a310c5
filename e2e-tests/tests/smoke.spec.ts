import { expect, test } from '@playwright/test';
import { screenshot, services, signInAsGuest } from './helpers';

test('the portal loads and the catalog lists the example services', async ({
  page,
}) => {
  await signInAsGuest(page);
  // The catalog opens on "Owned"; all services are under "All". A click
  // while the catalog still loads can be undone by its initial filter, so
  // click until the table says it lists all components.
  await expect(async () => {
    await page.getByText('All', { exact: true }).click();
    await expect(
      page.getByRole('heading', { name: /^All Components/ }).first(),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  for (const name of services) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await screenshot(page, 'catalog');
});

test('an entity page shows the Deploy tab', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api');
  const tab = page.getByRole('link', { name: 'Deploy', exact: true });
  await expect(tab).toBeVisible();
  await tab.click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payments-api\/deploy/,
  );
  await expect(
    page.getByRole('list', { name: 'Delivery pipeline' }),
  ).toBeVisible();
});
