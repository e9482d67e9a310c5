import { expect, test } from '@playwright/test';
import { expectNoSeriousViolations, screenshot, signInAs } from './helpers';

// A policy of its own per run (names are DNS labels), on a service the other
// suites do not promote, so re-runs against the same portal do not collide.
const POLICY = `e2e-admin-${Date.now().toString(36)}`;
const FREEZE_REASON = `e2e load test ${Date.now().toString(36)}`;

test.describe.configure({ mode: 'serial' });

test('an admin creates and edits a policy: a new version with a note, history and diff', async ({
  page,
}) => {
  await signInAs(page, 'alice');
  await page.goto('/slipway/policies');
  await expect(page.getByRole('button', { name: 'New policy' })).toBeVisible();
  await screenshot(page, 'policies-list');
  await expectNoSeriousViolations(page);

  // Create: staging for inventory-api, CI must pass.
  await page.getByRole('button', { name: 'New policy' }).click();
  const create = page.getByRole('form', { name: 'New policy' });
  await create.getByRole('textbox', { name: 'Name' }).fill(POLICY);
  await create
    .getByRole('textbox', { name: 'Entities' })
    .fill('component:default/inventory-api');
  await create.getByRole('button', { name: 'Add environment' }).click();
  const environment = create.getByRole('group', { name: /^Environment / });
  await environment
    .getByRole('textbox', { name: 'Environment', exact: true })
    .fill('staging');
  await create.getByRole('button', { name: 'Add gate to staging' }).click();
  await create
    .getByRole('textbox', { name: /Change note/ })
    .fill('Staging needs green CI');
  await screenshot(page, 'policy-editor-new');
  await expectNoSeriousViolations(page);
  await create.getByRole('button', { name: 'Save new version' }).click();
  await expect(
    page.getByRole('heading', { name: `Policy ${POLICY}` }),
  ).toBeVisible();

  // Edit: add a gate, with a note; an invalid value shows at its field.
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: `Edit policy ${POLICY}` });
  await edit.getByRole('button', { name: 'Add gate to staging' }).click();
  const gate = edit.getByRole('group', { name: 'Gate 2 of staging' });
  await gate
    .getByRole('combobox', { name: 'Gate 2 type' })
    .selectOption('soak');
  const minutes = gate.getByRole('textbox', { name: 'Minutes healthy' });
  await minutes.fill('0');
  await expect(minutes).toHaveAttribute('aria-invalid', 'true');
  await expect(
    edit.getByRole('button', { name: 'Save new version' }),
  ).toBeDisabled();
  await minutes.fill('15');
  await expect(minutes).toHaveAttribute('aria-invalid', 'false');
  await edit
    .getByRole('textbox', { name: /Change note/ })
    .fill('Soak 15 minutes in dev before staging');
  await screenshot(page, 'policy-editor-edit');
  await edit.getByRole('button', { name: 'Save new version' }).click();

  await expect(
    page.getByRole('heading', { name: `Policy ${POLICY}` }),
  ).toBeVisible();
  const history = page.getByRole('table', { name: 'Version history' });
  await expect(history).toContainText('Soak 15 minutes in dev before staging');
  await expect(history).toContainText('alice');
  const diff = page.getByRole('table', {
    name: 'Changes from version 1 to version 2',
  });
  await expect(diff).toContainText('type: soak');
  await expect(
    page.getByRole('list', { name: 'Matching entities' }),
  ).toContainText('inventory-api');
  await screenshot(page, 'policy-details-history');
  await expectNoSeriousViolations(page);
});

test('an admin freezes staging: the Deploy tab shows it and a promotion is held', async ({
  page,
}) => {
  await signInAs(page, 'alice');
  await page.goto('/slipway/freezes');
  const form = page.getByRole('form', { name: 'Set a freeze' });
  await expect(form).toBeVisible();
  await form.getByRole('textbox', { name: /Target/ }).click();
  await page.getByRole('option', { name: 'staging', exact: true }).click();
  await form.getByRole('textbox', { name: /Reason/ }).fill(FREEZE_REASON);
  await form.getByRole('button', { name: 'Set freeze' }).click();
  const table = page.getByRole('table', { name: 'Freezes in force' });
  await expect(table).toContainText(FREEZE_REASON);
  await screenshot(page, 'freezes');
  await expectNoSeriousViolations(page);

  try {
    await page.goto('/catalog/default/component/payments-api/deploy');
    const banner = page.getByRole('region', { name: 'Freezes in force' });
    await expect(banner).toContainText(FREEZE_REASON);
    await screenshot(page, 'deploy-tab-frozen');

    const staging = page.getByRole('region', { name: 'staging', exact: true });
    await staging.getByRole('button', { name: 'Promote here' }).click();
    const dialog = page.getByRole('dialog', {
      name: 'Promote payments-api to staging',
    });
    await expect(dialog).toContainText(FREEZE_REASON);
    await dialog
      .getByRole('button', { name: 'Request promotion to staging' })
      .click();
    await expect(
      page.getByRole('dialog', {
        name: 'Promotion of payments-api to staging',
      }),
    ).toContainText(/blocked|held|frozen/i);
    await screenshot(page, 'promotion-held-by-freeze');
  } finally {
    // Lift it again, so the rest of the suite runs unfrozen.
    await page.goto('/slipway/freezes');
    const row = page.getByRole('row').filter({ hasText: FREEZE_REASON });
    await row.getByRole('button', { name: /^Lift freeze/ }).click();
    const lift = page.getByRole('dialog', { name: 'Lift this freeze?' });
    await expect(lift).toContainText(FREEZE_REASON);
    await screenshot(page, 'freeze-lift-dialog');
    await lift.getByRole('button', { name: 'Lift freeze' }).click();
    await expect(
      page
        .getByRole('table', { name: 'Freezes in force' })
        .getByText(FREEZE_REASON),
    ).toHaveCount(0);
  }
});

test('a developer reads policies and freezes without edit controls', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByLabel('User', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enter' })).toBeVisible();
  await screenshot(page, 'sign-in-dev-users');
  await signInAs(page, 'carol');
  await page.goto('/slipway/policies');
  await expect(
    page.getByRole('table', { name: 'Promotion policies' }),
  ).toBeVisible();
  await expect(page.getByText(/You can read them/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'New policy' })).toHaveCount(0);
  await page.goto('/slipway/freezes');
  await expect(page.getByText(/Platform admins set and lift/)).toBeVisible();
  await expect(page.getByRole('form', { name: 'Set a freeze' })).toHaveCount(0);
});
