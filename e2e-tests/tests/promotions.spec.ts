import {
  APIRequestContext,
  expect,
  Locator,
  Page,
  test,
} from '@playwright/test';
import {
  expectAccessibleDialog,
  expectNoSeriousViolations,
  screenshot,
  signInAsGuest,
} from './helpers';

// Runs after live-update.spec.ts (files run in name order, one worker). The
// guest is a member of team-payments, which owns payments-api.
test.describe.configure({ mode: 'serial' });

const ARGOCD_API = 'http://127.0.0.1:7102/api/v1';
// Staging syncs manually; the portal has no Argo CD write token in the
// development config, so the test syncs as an operator would.
const ARGOCD_TOKEN =
  process.env.SANDBOX_ARGOCD_WRITE_TOKEN ?? 'sandbox-argocd-write-token';

async function openDeployTab(page: Page) {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api/deploy');
  await expect(
    page.getByRole('list', { name: 'Delivery pipeline' }),
  ).toBeVisible();
}

function staging(page: Page) {
  return page.getByRole('region', { name: 'staging', exact: true });
}

/** Syncs payments-api-staging in the sandbox's Argo CD until the dialog says deployed. */
async function syncUntilDeployed(request: APIRequestContext, status: Locator) {
  await expect(async () => {
    const text = (await status.textContent()) ?? '';
    if (/Syncing|Committed/.test(text)) {
      await request.post(
        `${ARGOCD_API}/applications/payments-api-staging/sync`,
        { headers: { Authorization: `Bearer ${ARGOCD_TOKEN}` }, data: {} },
      );
    }
    await expect(status).toContainText(/Deployed|Already there/, {
      timeout: 5_000,
    });
  }).toPass({ timeout: 150_000, intervals: [2_000, 5_000] });
}

test('roll back staging to an earlier digest with a reason, and see it deploy live', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await openDeployTab(page);
  await staging(page).getByRole('button', { name: 'Roll back' }).click();
  const dialog = page.getByRole('dialog', {
    name: 'Roll back payments-api in staging',
  });
  await expect(dialog.getByRole('radio').first()).toBeChecked();
  await dialog.getByRole('button', { name: 'Roll back staging' }).click();
  await expect(dialog.getByText('A rollback needs a reason')).toBeVisible();
  await dialog
    .getByRole('textbox', { name: /Reason for the rollback/ })
    .fill('e2e: error rate up after the last deploy');
  await screenshot(page, 'rollback-dialog');
  await expectAccessibleDialog(page);
  await dialog.getByRole('button', { name: 'Roll back staging' }).click();

  const live = page.getByRole('dialog', {
    name: 'Rollback of payments-api in staging',
  });
  await expect(live.getByRole('list', { name: 'Timeline' })).toBeVisible();
  await syncUntilDeployed(request, live.getByRole('status'));
  await screenshot(page, 'rollback-dialog-deployed');
  await live.getByRole('button', { name: 'Close' }).click();
  // The card names the rollback, no reload.
  await expect(
    staging(page).getByRole('status', { name: 'Rollback into staging' }),
  ).toBeVisible();
  await expect(
    page.getByRole('listitem', { name: /^staging: .*behind dev/ }),
  ).toBeVisible({ timeout: 60_000 });
});

test('promote payments-api to staging (direct) through the preview, and see it deploy live', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await openDeployTab(page);
  let navigations = 0;
  page.on('framenavigated', frame => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await staging(page).getByRole('button', { name: 'Promote here' }).click();
  const dialog = page.getByRole('dialog', {
    name: 'Promote payments-api to staging',
  });
  await expect(
    dialog.getByRole('radio', { name: 'What runs in dev' }),
  ).toBeChecked();
  await expect(dialog.getByText('Written as a direct commit')).toBeVisible({
    timeout: 60_000,
  });
  // The exact overlay diff: the old digest out, the new one in.
  const diff = dialog.getByRole('region', { name: /^Changes to / });
  await expect(diff.locator('ins').first()).toBeVisible();
  await expect(diff.locator('del').first()).toBeVisible();
  await screenshot(page, 'promote-dialog-preview');
  await expectAccessibleDialog(page);
  await dialog
    .getByRole('button', { name: /^(Promote|Request promotion) to staging$/ })
    .click();

  const live = page.getByRole('dialog', {
    name: 'Promotion of payments-api to staging',
  });
  await expect(live.getByRole('list', { name: 'Timeline' })).toBeVisible();
  await syncUntilDeployed(request, live.getByRole('status'));
  await screenshot(page, 'promote-dialog-deployed');
  expect(navigations).toBe(0);
  const link = live.getByRole('link', { name: 'Open the promotion page' });
  const href = await link.getAttribute('href');
  await live.getByRole('button', { name: 'Close' }).click();
  await expect(
    page.getByRole('listitem', { name: /^staging: deployed/i }),
  ).toBeVisible({ timeout: 60_000 });

  // The promotion page: timeline, gates, links.
  await page.goto(href!);
  await expect(
    page.getByRole('heading', { name: 'Promotion of payments-api to staging' }),
  ).toBeVisible();
  await expect(page.getByRole('list', { name: 'Timeline' })).toBeVisible();
  await screenshot(page, 'promotion-page');
  await expectNoSeriousViolations(page);
});

test('the promotions list shows both and filters them', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/slipway/promotions');
  const table = page.getByRole('table', { name: 'Promotions' });
  await expect(
    table.getByRole('link', { name: 'payments-api to staging' }).first(),
  ).toBeVisible();
  await screenshot(page, 'promotions-list');
  await expectNoSeriousViolations(page);
  await page.getByRole('checkbox', { name: 'Waiting for me' }).check();
  await expect(page).toHaveURL(/waiting=me/);
  await expect(
    page
      .getByText('No promotion matches these filters.')
      .or(page.getByRole('table', { name: 'Promotions' })),
  ).toBeVisible();
  await screenshot(page, 'promotions-list-waiting-for-me');
});
