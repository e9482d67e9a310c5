import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, expect, Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

export const BACKEND =
  process.env.SLIPWAY_E2E_BACKEND_URL ?? 'http://localhost:7007';
export const SANDBOX = process.env.SLIPWAY_E2E_SANDBOX_HOST ?? '127.0.0.1';
const GIT = `http://${SANDBOX}:7101/git`;
const HARBOR_API = `http://${SANDBOX}:7103/api/v2.0`;
const GITHUB_TOKEN = process.env.SANDBOX_GITHUB_TOKEN ?? 'sandbox-github-token';
const HARBOR_PASSWORD =
  process.env.SANDBOX_HARBOR_PASSWORD ?? 'sandbox-harbor-password';

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

/** Serious or critical WCAG 2 A/AA violations inside a dialog. */
export async function expectAccessibleDialog(page: Page) {
  const results = await new AxeBuilder({ page })
    .include('[role="dialog"]')
    .withTags(['wcag2a', 'wcag2aa'])
    .analyze();
  expect(
    results.violations
      .filter(v => ['serious', 'critical'].includes(v.impact ?? ''))
      .map(
        v => `${v.id} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`,
      ),
  ).toEqual([]);
}

/** Picks an option of a select field of the scaffolder's form. */
export async function pick(page: Page, label: RegExp, option: RegExp) {
  await page.getByLabel(label).first().click();
  await page.getByRole('option', { name: option }).click();
}

/** A Slipway API token of an example user (the development sign-in). */
export async function tokenOf(request: APIRequestContext, user: string) {
  let token = '';
  await expect(async () => {
    const res = await request.get(`${BACKEND}/api/auth/devUsers/refresh`, {
      headers: {
        'x-slipway-dev-user': user,
        'x-requested-with': 'XMLHttpRequest',
      },
    });
    expect(res.ok()).toBe(true);
    token = (await res.json()).backstageIdentity.token;
  }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });
  return token;
}

function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  }).trim();
}

/**
 * A developer merges a change into the service's main: the sandbox's CI
 * builds and pushes the image (tag = commit SHA); returns its tag and digest.
 */
export async function buildNewImage(
  request: APIRequestContext,
  service: string,
  message: string,
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `slipway-e2e-${service}-`));
  try {
    const url = new URL(`${GIT}/acme/${service}.git`);
    url.username = 'x-access-token';
    url.password = GITHUB_TOKEN;
    git(['clone', '--quiet', url.toString(), dir]);
    fs.appendFileSync(
      path.join(dir, 'README.md'),
      `\ne2e change ${Date.now()}\n`,
    );
    git(
      [
        '-c',
        'user.name=E2E Developer',
        '-c',
        'user.email=e2e@acme.example',
        'commit',
        '--quiet',
        '-am',
        message,
      ],
      dir,
    );
    git(['push', '--quiet', 'origin', 'HEAD:main'], dir);
    const tag = git(['rev-parse', 'HEAD'], dir);
    let digest = '';
    await expect(async () => {
      const res = await request.get(
        `${HARBOR_API}/projects/acme/repositories/${service}/artifacts/${tag}`,
        {
          headers: {
            authorization: `Basic ${Buffer.from(
              `admin:${HARBOR_PASSWORD}`,
            ).toString('base64')}`,
          },
        },
      );
      expect(res.status()).toBe(200);
      digest = (await res.json()).digest;
    }).toPass({ timeout: 120_000, intervals: [1_000, 2_000] });
    return { tag, digest };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
