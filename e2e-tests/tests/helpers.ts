import { expect, Page } from '@playwright/test';
import path from 'path';

export const screenshotDir = path.resolve(
  __dirname,
  '../test-results/screenshots',
);

/** Signs in as the guest user (the portal's embedded default). */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('heading', { name: 'Acme Catalog' }),
  ).toBeVisible();
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({
    path: path.join(screenshotDir, `${name}.png`),
    fullPage: true,
  });
}
