import {
  APIRequestContext,
  Browser,
  expect,
  Page,
  test,
} from '@playwright/test';
import {
  BACKEND,
  buildNewImage,
  expectNoSeriousViolations,
  SANDBOX,
  screenshot,
  signInAs,
  tokenOf,
} from './helpers';

// prod for payments-api behind two approvals from platform-admins and a pull
// request, end to end: an admin sets the policy, carol (team-payments, the
// owner) requests prod, alice and dave (platform-admins) approve on the
// promotion page, the pull request is merged, Argo CD syncs, and the
// promotion reads deployed, live, on the promotion page and the Deploy tab.
//
// Files run in name order, one worker: this one runs after live-update.spec.ts
// and before promotions.spec.ts. It brings its own build, so it does not
// depend on what earlier files left in staging; promotions.spec.ts then
// rolls staging back from this build and promotes it again.
test.describe.configure({ mode: 'serial' });

const SANDBOX_ADMIN = `http://${SANDBOX}:7100`;
const ARGOCD_API = `http://${SANDBOX}:7102/api/v1`;
const ADMIN_TOKEN = process.env.SANDBOX_ADMIN_TOKEN ?? 'sandbox-admin-token';
// staging and prod sync manually and the development portal has no Argo CD
// write token: the test syncs as an operator would.
const ARGOCD_TOKEN =
  process.env.SANDBOX_ARGOCD_WRITE_TOKEN ?? 'sandbox-argocd-write-token';

const SERVICE = 'payments-api';
const ENTITY_API = `${BACKEND}/api/slipway/entities/component/default/${SERVICE}`;
// One policy, created once per portal: a second policy with the same gate
// would ask for its approvals again in the summaries.
const POLICY = 'e2e-prod-approvals';
const POLICY_YAML = `description: Two platform admins approve every prod change of ${SERVICE}, reviewed as a pull request
selector:
  entities:
    - component:default/${SERVICE}
environments:
  prod:
    mode: pull-request
    gates:
      - type: approvals
        count: 2
        groups:
          - group:default/platform-admins
`;

/** What the serial tests hand on. */
const journey: { build?: { tag: string; digest: string }; page?: string } = {};

/**
 * Syncs an Argo CD Application when it is OutOfSync and no operation runs
 * (each sync makes it Progressing for a while: syncing again and again would
 * keep it from ever reading healthy).
 */
async function syncWhenOutOfSync(request: APIRequestContext, name: string) {
  const headers = { Authorization: `Bearer ${ARGOCD_TOKEN}` };
  const res = await request.get(`${ARGOCD_API}/applications/${name}`, {
    headers,
  });
  expect(res.ok()).toBe(true);
  const { status } = await res.json();
  if (
    status?.sync?.status === 'OutOfSync' &&
    status?.operationState?.phase !== 'Running'
  ) {
    await request.post(`${ARGOCD_API}/applications/${name}/sync`, {
      headers,
      data: {},
    });
  }
}

/**
 * The CI pipeline's last step ("Update dev overlay"), then staging, through
 * Slipway's API as the owner: dev syncs by itself; staging is synced in
 * Argo CD as an operator would, until the promotion reads deployed.
 */
async function deployThroughStaging(
  request: APIRequestContext,
  digest: string,
) {
  const token = await tokenOf(request, 'carol');
  const headers = { authorization: `Bearer ${token}` };
  for (const environment of ['dev', 'staging']) {
    const res = await request.post(`${ENTITY_API}/promotions`, {
      headers,
      data: { environment, artifact: { digest } },
    });
    expect(res.status()).toBe(201);
    const { id } = await res.json();
    await expect(async () => {
      const current = await (
        await request.get(`${BACKEND}/api/slipway/promotions/${id}`, {
          headers,
        })
      ).json();
      if (environment === 'staging' && current.state === 'syncing') {
        await syncWhenOutOfSync(request, `${SERVICE}-staging`);
      }
      expect(current.state).toBe('deployed');
    }).toPass({ timeout: 180_000, intervals: [2_000, 5_000] });
  }
}

/** The build staging runs when it is deployed there and not in prod. */
async function stagingAheadOfProd(request: APIRequestContext) {
  const res = await request.get(`${ENTITY_API}/state`, {
    headers: { authorization: `Bearer ${await tokenOf(request, 'carol')}` },
  });
  expect(res.ok()).toBe(true);
  const { environments } = await res.json();
  const environment = (name: string) =>
    environments.find((e: { environment: string }) => e.environment === name);
  const staging = environment('staging');
  const prod = environment('prod');
  const digest = staging?.desired?.image?.digest;
  return staging?.deployed && digest && digest !== prod?.desired?.image?.digest
    ? { tag: staging.desired.image.tag as string, digest: digest as string }
    : undefined;
}

/** The promotion page's one-line summary (its live status). */
function summary(page: Page) {
  return page
    .getByRole('status')
    .filter({ hasText: /approval|Pull request|sync|Deployed|Committed/i })
    .first();
}

async function newUserPage(browser: Browser, user: string) {
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    viewport: test.info().project.use.viewport,
  });
  const page = await context.newPage();
  await signInAs(page, user);
  return page;
}

test('an admin puts prod of payments-api behind two approvals and a pull request', async ({
  page,
  request,
}) => {
  await signInAs(page, 'alice');
  const existing = await request.get(
    `${BACKEND}/api/slipway/policies/${POLICY}`,
    { headers: { authorization: `Bearer ${await tokenOf(request, 'alice')}` } },
  );
  if (existing.ok()) {
    // A re-run against the same portal: the policy is already in force.
    await page.goto(`/slipway/policies/${POLICY}`);
    await expect(
      page.getByRole('heading', { name: `Policy ${POLICY}` }),
    ).toBeVisible();
    return;
  }
  await page.goto('/slipway/policies');
  await page.getByRole('button', { name: 'New policy' }).click();
  const form = page.getByRole('form', { name: 'New policy' });
  await form.getByRole('textbox', { name: 'Name' }).fill(POLICY);
  await form.getByRole('tab', { name: 'YAML' }).click();
  await form.getByRole('textbox', { name: 'Policy as YAML' }).fill(POLICY_YAML);
  await form
    .getByRole('textbox', { name: /Change note/ })
    .fill('prod: two platform admins approve, as a pull request');
  await form.getByRole('button', { name: 'Save new version' }).click();
  await expect(
    page.getByRole('heading', { name: `Policy ${POLICY}` }),
  ).toBeVisible();
  await expect(
    page.getByRole('list', { name: 'Matching entities' }),
  ).toContainText(SERVICE);
});

test('the owner requests prod: a pull request awaiting two approvals, which the requester cannot give', async ({
  page,
  request,
}) => {
  test.setTimeout(420_000);
  // A build in staging that prod does not run yet: a new one, unless a
  // re-run against the same portal left one there.
  journey.build = await stagingAheadOfProd(request);
  if (!journey.build) {
    journey.build = await buildNewImage(
      request,
      SERVICE,
      'e2e: a change to take to prod',
    );
    await deployThroughStaging(request, journey.build.digest);
  }

  await signInAs(page, 'carol');
  await page.goto(`/catalog/default/component/${SERVICE}/deploy`);
  const prod = page.getByRole('region', { name: 'prod', exact: true });
  await prod.getByRole('button', { name: 'Promote here' }).click();
  const dialog = page.getByRole('dialog', {
    name: `Promote ${SERVICE} to prod`,
  });
  await expect(
    dialog.getByRole('radio', { name: 'What runs in staging' }),
  ).toBeChecked();
  await expect(
    dialog.getByText('Written as a pull request', { exact: false }),
  ).toBeVisible({ timeout: 60_000 });
  await expect(dialog.getByText(journey.build.digest).first()).toBeVisible();
  await expect(dialog.getByText('Needs approval').first()).toBeVisible();
  await screenshot(page, 'promote-dialog-prod-pull-request');
  await dialog
    .getByRole('button', { name: 'Request promotion to prod' })
    .click();

  const live = page.getByRole('dialog', {
    name: `Promotion of ${SERVICE} to prod`,
  });
  await expect(live.getByRole('status')).toContainText(
    'Needs 2 more approvals (0 of 2)',
  );
  journey.page = (await live
    .getByRole('link', { name: 'Open the promotion page' })
    .getAttribute('href'))!;
  expect(journey.page).toMatch(/\/slipway\/promotions\/[0-9a-f-]{36}$/);
  await live.getByRole('button', { name: 'Close' }).click();
  await expect(
    prod.getByRole('status', { name: 'Promotion into prod' }),
  ).toContainText('Awaiting approval');

  // The requester reads why they cannot approve, and gets no Approve button.
  await page.goto(journey.page);
  await expect(
    page.getByRole('heading', { name: `Promotion of ${SERVICE} to prod` }),
  ).toBeVisible();
  await expect(
    page.getByText(
      'You requested this promotion; someone else in an approver group must approve it.',
    ),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reject' })).toHaveCount(0);
  await expect(summary(page)).toContainText('Needs 2 more approvals');
  await screenshot(page, 'promotion-page-awaiting-approval');
  await expectNoSeriousViolations(page);
});

test('an approver is notified, finds it waiting for them, and approves with a comment', async ({
  page,
}) => {
  expect(journey.page).toBeDefined();
  const id = journey.page!.split('/').pop()!;
  await signInAs(page, 'alice');

  // "Waiting for me" lists it.
  await page.goto('/slipway/promotions?waiting=me');
  await expect(
    page
      .getByRole('table', { name: 'Promotions' })
      .getByRole('link', { name: `${SERVICE} to prod` })
      .first(),
  ).toBeVisible();

  // The notifications page has it, linking to the promotion page.
  const notification = page
    .getByRole('link', {
      name: `Approval needed: Promotion of ${SERVICE} to prod`,
    })
    .and(page.locator(`a[href$="/slipway/promotions/${id}"]`));
  await expect(async () => {
    await page.goto('/notifications');
    await expect(notification).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000, 5_000] });
  await screenshot(page, 'notifications-approval-needed');
  await notification.click();
  await expect(page).toHaveURL(new RegExp(`/slipway/promotions/${id}$`));

  await page
    .getByRole('textbox', { name: 'Comment' })
    .fill('Checked the canary metrics in staging: fine by me');
  await page.getByRole('button', { name: 'Approve' }).click();
  const decisions = page.getByRole('list', { name: 'Decisions' });
  await expect(decisions).toContainText('Approved by alice');
  await expect(decisions).toContainText(
    'Checked the canary metrics in staging: fine by me',
  );
  await expect(summary(page)).toContainText('Needs 1 more approval (1 of 2)');
  await expect(
    page.getByText('You already approved this promotion.'),
  ).toBeVisible();
});

test('a second approver approves: the pull request opens, is merged, Argo CD syncs, and it reads deployed live', async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(420_000);
  expect(journey.page).toBeDefined();
  const build = journey.build!;

  // The requester keeps the Deploy tab open: it must move on by itself.
  const carol = await newUserPage(browser, 'carol');
  try {
    await carol.goto(`/catalog/default/component/${SERVICE}/deploy`);
    const prod = carol
      .getByRole('region', { name: 'prod', exact: true })
      .getByRole('status', { name: 'Promotion into prod' });
    await expect(prod).toContainText('Awaiting approval');
    let navigations = 0;
    carol.on('framenavigated', frame => {
      if (frame === carol.mainFrame()) navigations += 1;
    });

    await signInAs(page, 'dave');
    await page.goto(journey.page!);
    await page
      .getByRole('textbox', { name: 'Comment' })
      .fill('Second pair of eyes: approved');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(summary(page)).toContainText(/Pull request #\d+ open/, {
      timeout: 120_000,
    });
    await expect(page.getByRole('list', { name: 'Decisions' })).toContainText(
      'Approved by dave',
    );
    const prLink = page.getByRole('link', { name: /^Pull request #\d+/ });
    const href = (await prLink.first().getAttribute('href'))!;
    const [, repo, number] = /\/([^/]+\/[^/]+)\/pull\/(\d+)$/.exec(href)!;
    await expect(prod).toContainText('Pull request open');

    // A reviewer presses Merge on GitHub: here the sandbox's admin API
    // merges the pull request, as GitHub's Merge button would.
    const merge = await request.post(
      `${SANDBOX_ADMIN}/admin/repos/${repo}/pulls/${number}/merge`,
      { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, data: {} },
    );
    expect(merge.ok()).toBe(true);

    // The portal notices the merge by itself, then waits for Argo CD, which
    // an operator syncs (prod syncs manually).
    await expect(summary(page)).not.toContainText('Pull request', {
      timeout: 120_000,
    });
    await expect(async () => {
      const text = (await summary(page).textContent()) ?? '';
      if (!/Deployed/.test(text)) {
        await syncWhenOutOfSync(request, `${SERVICE}-prod`);
      }
      await expect(summary(page)).toContainText(
        'Deployed: synced and healthy',
        { timeout: 5_000 },
      );
    }).toPass({ timeout: 180_000, intervals: [3_000, 5_000] });

    const timeline = page.getByRole('list', { name: 'Timeline' });
    await expect(timeline).toContainText(`Pull request #${number} merged`);
    await expect(
      page.getByRole('link', { name: `Pull request #${number} (merged)` }),
    ).toBeVisible();
    await screenshot(page, 'promotion-page-deployed');
    await expectNoSeriousViolations(page);

    // The Deploy tab followed without a reload.
    await expect(prod).toContainText('Deployed', { timeout: 60_000 });
    await expect(prod.locator(`code[title="${build.digest}"]`)).toBeVisible();
    await expect(
      carol.getByRole('listitem', {
        name: new RegExp(`^prod: deployed, ${build.tag.slice(0, 7)}`, 'i'),
      }),
    ).toBeVisible({ timeout: 60_000 });
    expect(navigations).toBe(0);
    await screenshot(carol, 'deploy-tab-prod-deployed-after-approvals');
  } finally {
    await carol.context().close();
  }
});
