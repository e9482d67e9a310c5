import { expect, test } from '@playwright/test';
import {
  expectNoSeriousViolations,
  screenshot,
  services,
  signInAsGuest,
} from './helpers';

test('the fleet page lists services by environment, filters, and links to the Deploy tab', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Deploy fleet' }).click();
  await expect(page).toHaveURL(/\/slipway\/fleet/);
  const table = page.getByRole('table', {
    name: 'Fleet: services by environment',
  });
  await expect(table).toBeVisible();
  for (const name of services) {
    await expect(page.getByTestId(`fleet-row-${name}`)).toBeVisible();
  }
  await expect(
    page.getByTestId('fleet-row-checkout-web').getByText('Behind dev').first(),
  ).toBeVisible();
  await expect(
    page.getByTestId('fleet-row-payments-api').getByText(/^Behind /),
  ).toHaveCount(0);
  await screenshot(page, 'fleet');
  await expectNoSeriousViolations(page);

  // Filter by owner: the choice is kept in the URL.
  // The select (its column header is a sort button named "Owner" too).
  await page.locator('#slipway-fleet-owner').click();
  await page.getByRole('option', { name: 'team-storefront' }).click();
  await expect(page.getByRole('listbox')).toBeHidden();
  await expect(page).toHaveURL(/owner=group%3Adefault%2Fteam-storefront/);
  await expect(page.getByTestId('fleet-row-payments-api')).toHaveCount(0);
  await expect(page.getByTestId('fleet-row-checkout-web')).toBeVisible();

  // Filter by environment: one column left.
  await page.locator('#slipway-fleet-environment').click();
  await page.getByRole('option', { name: 'prod', exact: true }).click();
  await expect(page.getByRole('listbox')).toBeHidden();
  await expect(page).toHaveURL(/environment=prod/);
  await expect(table.getByRole('columnheader')).toHaveText([
    'Service',
    'Owner',
    'System',
    'Needs attention',
    'prod',
  ]);
  await screenshot(page, 'fleet-filtered');

  // The filters survive a reload.
  await page.reload();
  await expect(page.getByTestId('fleet-row-checkout-web')).toBeVisible();
  await expect(page.getByTestId('fleet-row-payments-api')).toHaveCount(0);

  // A row leads to the entity's Deploy tab.
  await page.getByTestId('fleet-row-notifications-worker').click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/notifications-worker\/deploy/,
  );
  await expect(
    page.getByRole('list', { name: 'Delivery pipeline' }),
  ).toBeVisible();
});
