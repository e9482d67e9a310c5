import AxeBuilder from '@axe-core/playwright';
import { expect, Page } from '@playwright/test';
import path from 'path';

export const screenshotDir = path.resolve(
  __dirname,
  '../test-results/screenshots',
);

/** The services seeded by the sandbox and listed in examples/entities.yaml. */
export const services = [
  'payments-api',
  'checkout-web',
  'orders-service',
  'inventory-api',
  'notifications-worker',
];

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

/**
 * Signs in as an example user (`alice`, `bob`, … or a full
 * `user:default/alice`) through the development-only sign-in
 * (auth.providers.devUsers in app-config.yaml), with that user's groups.
 */
export async function signInAs(page: Page, user: string) {
  const ref = user.includes(':') ? user : `user:default/${user}`;
  await page.goto('/');
  const select = page.getByLabel('User', { exact: true });
  await expect(select).toBeVisible();
  await select.selectOption(ref);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
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

/** Fails on serious or critical WCAG 2 A/AA violations inside <main>. */
export async function expectNoSeriousViolations(page: Page) {
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
}
