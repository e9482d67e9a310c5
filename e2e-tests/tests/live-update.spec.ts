import { expect, test } from '@playwright/test';
import { screenshot, signInAsGuest } from './helpers';

// Runs after deploy-tab.spec.ts (files run in name order, one worker): it
// syncs notifications-worker's drifted prod, which that spec expects drifted.
const ARGOCD_API = 'http://127.0.0.1:7102/api/v1';
// Syncing needs the sandbox's Argo CD write token (the read token gets 403).
const ARGOCD_TOKEN =
  process.env.SANDBOX_ARGOCD_WRITE_TOKEN ?? 'sandbox-argocd-write-token';

test('the open Deploy tab updates after a sync in the sandbox, without a reload', async ({
  page,
  request,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/notifications-worker/deploy');
  const prod = page.getByRole('region', { name: 'prod', exact: true });
  await expect(prod.getByText('Sync: OutOfSync')).toBeVisible();

  // Count navigations: the update must arrive without one.
  let navigations = 0;
  page.on('framenavigated', frame => {
    if (frame === page.mainFrame()) navigations += 1;
  });

  // Someone syncs prod in Argo CD; Argo CD notifications tell the portal,
  // which tells the open tab through Backstage signals.
  const sync = await request.post(
    `${ARGOCD_API}/applications/notifications-worker-prod/sync`,
    {
      headers: { Authorization: `Bearer ${ARGOCD_TOKEN}` },
      data: {},
    },
  );
  expect(sync.status()).toBe(200);

  await expect(prod.getByText('Sync: Synced')).toBeVisible({ timeout: 60_000 });
  await expect(
    prod.getByText('Drift: Git and the cluster disagree'),
  ).toHaveCount(0);
  expect(navigations).toBe(0);
  await screenshot(page, 'deploy-tab-live-update');
});
