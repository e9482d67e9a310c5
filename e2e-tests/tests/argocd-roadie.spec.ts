import { expect, test } from '@playwright/test';
import { screenshot, signInAsGuest } from './helpers';

// Runs before promotions.spec.ts (files run in name order, one worker): it
// reads the seeded Argo CD history, whose first page later promotions fill
// with new staging deployments.

test("Roadie's Argo CD tab shows the sandbox's applications", async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api');
  await page.getByRole('link', { name: 'ArgoCD', exact: true }).click();
  for (const env of ['dev', 'staging', 'prod']) {
    await expect(
      page.getByText(`payments-api-${env}`, { exact: true }).first(),
    ).toBeVisible();
  }
  await expect(
    page.getByRole('cell', { name: 'sandbox' }).first(),
  ).toBeVisible();
  await screenshot(page, 'roadie-argocd-sandbox');
});
