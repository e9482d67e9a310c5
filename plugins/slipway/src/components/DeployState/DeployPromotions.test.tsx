import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { SlipwayApi } from '@slipway/plugin-slipway-common';
import { act, screen, waitFor, within } from '@testing-library/react';
// usePermission caches answers in SWR; each render gets its own cache.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { SWRConfig } from 'swr';
import userEvent from '@testing-library/user-event';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { promotionsRouteRef } from '../../routes';
import { seriousViolations } from '../../__testUtils__/axe';
import {
  ago,
  annotatedEntity,
  DIGEST_NEW,
  DIGEST_OLD,
  healthyState,
  NOW,
  SHA_OLD,
} from '../../__testUtils__/fixtures';
import {
  awaitingApproval,
  ENTITY_REF,
  freeze,
  preview,
  promotion,
} from '../../__testUtils__/promotionFixtures';
import { DeployStateView } from './DeployStateView';

jest.setTimeout(60_000);

// AuthorizeResult's values, without importing permission-common here.
const ALLOW = 'ALLOW' as any;
const DENY = 'DENY' as any;

type Listener = (message: object) => void;

function fakeSignals() {
  const listeners = new Map<string, Set<Listener>>();
  return {
    api: {
      subscribe(channel: string, onMessage: Listener) {
        const set = listeners.get(channel) ?? new Set();
        set.add(onMessage);
        listeners.set(channel, set);
        return { unsubscribe: () => set.delete(onMessage) };
      },
    },
    publish(channel: string, message: object) {
      for (const listener of listeners.get(channel) ?? []) listener(message);
    },
  };
}

function baseApi(
  overrides: Partial<Record<keyof SlipwayApi, jest.Mock>> = {},
): Record<string, jest.Mock> {
  return {
    getEntityState: jest.fn(async () => healthyState()),
    getEntityHistory: jest.fn(async () => ({ items: [], sources: [] })),
    listPromotions: jest.fn(async () => ({ items: [] as any[] })),
    listFreezes: jest.fn(async () => [] as any[]),
    previewPromotion: jest.fn(async () => preview()),
    requestPromotion: jest.fn(async () => promotion()),
    requestRollback: jest.fn(),
    getPromotion: jest.fn(async () => promotion()),
    ...overrides,
  };
}

function render(
  api: ReturnType<typeof baseApi>,
  options: {
    permissions?: (name: string) => boolean;
    signals?: ReturnType<typeof fakeSignals>;
  } = {},
) {
  const allow = options.permissions ?? (() => true);
  const apis: any[] = [
    [slipwayApiRef, api],
    [
      permissionApiRef,
      mockApis.permission({
        authorize: request => (allow(request.permission.name) ? ALLOW : DENY),
      }),
    ],
  ];
  if (options.signals) apis.push([signalApiRef, options.signals.api]);
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider apis={apis as any}>
        <DeployStateView entity={annotatedEntity} />
      </TestApiProvider>
    </SWRConfig>,
    { mountedRoutes: { '/slipway/promotions': promotionsRouteRef } },
  );
}

async function card(environment: string) {
  return within(await screen.findByRole('region', { name: environment }));
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('Promote here', () => {
  it('previews the artifact, every gate, the policy, the mode and the exact diff, then shows the live timeline', async () => {
    const signals = fakeSignals();
    const api = baseApi();
    await render(api, { signals });
    const staging = await card('staging');
    await userEvent.click(
      await staging.findByRole('button', { name: 'Promote here' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Promote payments-api to staging',
    });
    const inDialog = within(dialog);
    expect(
      inDialog.getByRole('radio', { name: 'What runs in dev' }),
    ).toBeChecked();
    const gates = await inDialog.findByRole('table', { name: 'Gates' });
    expect(api.previewPromotion).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      { environment: 'staging', artifact: { from: 'upstream' } },
    );
    const rows = within(gates).getAllByRole('row').slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      expect.stringContaining('CI passedPassed'),
      expect.stringContaining('Soak timePending'),
      expect.stringContaining('Image scanUnknown'),
      expect.stringContaining('SignatureFailed'),
    ]);
    // Soak says when it changes.
    expect(within(rows[1]).getByText('in 30 minutes')).toBeInTheDocument();
    // Nothing unknown is green.
    expect(
      within(rows[2]).getByText('Unknown').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'unknown');
    expect(inDialog.getByText('Blocked')).toBeInTheDocument();
    expect(
      inDialog.getByText(/Policies: default version 3\./),
    ).toHaveTextContent('Written as a direct commit');
    expect(inDialog.getByText(DIGEST_NEW)).toBeInTheDocument();
    expect(inDialog.getByText('ci #42')).toBeInTheDocument();
    expect(inDialog.getByText('Signed (1)')).toBeInTheDocument();
    const diff = inDialog.getByRole('region', {
      name: 'Changes to apps/payments-api/overlays/staging/kustomization.yaml',
    });
    const removed = diff.querySelectorAll('del');
    const added = diff.querySelectorAll('ins');
    expect(removed).toHaveLength(2);
    expect(added).toHaveLength(2);
    expect(removed[0]).toHaveTextContent(`removed: − newTag: ${SHA_OLD}`);
    expect(added[1]).toHaveTextContent(`added: + digest: ${DIGEST_NEW}`);
    expect(await seriousViolations(dialog)).toEqual([]);

    await userEvent.click(
      inDialog.getByRole('button', { name: 'Request promotion to staging' }),
    );
    expect(api.requestPromotion).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      expect.objectContaining({
        environment: 'staging',
        artifact: { digest: DIGEST_NEW },
        idempotencyKey: expect.stringMatching(/^ui-promote-[a-z0-9-]+$/),
      }),
    );
    const live = await screen.findByRole('dialog', {
      name: 'Promotion of payments-api to staging',
    });
    expect(
      within(live).getByRole('list', { name: 'Timeline' }),
    ).toBeInTheDocument();
    expect(within(live).getByRole('status')).toHaveTextContent('Executing');
    expect(
      within(live).getByRole('link', { name: 'Open the promotion page' }),
    ).toHaveAttribute('href', '/slipway/promotions/p-1');

    // The engine moves on; a signal refreshes the dialog, no reload.
    api.getPromotion.mockResolvedValue(
      promotion({
        state: 'deployed',
        commit: { sha: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00' },
      }),
    );
    act(() =>
      signals.publish(`slipway:promotions:${ENTITY_REF}`, {
        id: 'p-1',
        state: 'deployed',
      }),
    );
    await waitFor(
      () =>
        expect(within(live).getByRole('status')).toHaveTextContent(
          'Deployed: synced and healthy',
        ),
      { timeout: 3000 },
    );
    expect(within(live).getByText('Commit')).toBeInTheDocument();
    await userEvent.click(within(live).getByRole('button', { name: 'Close' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('offers the known artifacts, shows preview loading and errors, and keeps the dialog on a refused request', async () => {
    let resolvePreview: (value: any) => void = () => {};
    const api = baseApi({
      previewPromotion: jest.fn(
        () => new Promise(resolve => (resolvePreview = resolve)),
      ) as any,
      requestPromotion: jest.fn(async () => {
        throw new Error('A promotion is already in flight');
      }),
    });
    await render(api);
    await userEvent.click(
      await (await card('dev')).findByRole('button', { name: 'Promote here' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    // dev has no upstream: a known artifact is offered instead.
    expect(dialog.queryByRole('radio', { name: /What runs in/ })).toBeNull();
    expect(
      dialog.getByRole('radio', { name: /a1b2c3d · sha256:111111111111/ }),
    ).toBeChecked();
    expect(
      dialog.getByRole('progressbar', { name: 'Loading the preview' }),
    ).toBeInTheDocument();
    act(() => resolvePreview(preview({ verdict: 'ready', gates: [] })));
    expect(await dialog.findByText(/No gate applies/)).toBeInTheDocument();
    await userEvent.click(
      dialog.getByRole('button', { name: 'Promote to dev' }),
    );
    expect(
      await dialog.findByText(
        'The promotion was not requested: A promotion is already in flight',
      ),
    ).toBeInTheDocument();
    expect(
      dialog.getByRole('button', { name: 'Promote to dev' }),
    ).toBeEnabled();
  });

  it('says why there is no preview', async () => {
    const api = baseApi({
      previewPromotion: jest.fn(async () => {
        throw new Error('dev runs no known digest yet; nothing to promote');
      }),
    });
    await render(api);
    await userEvent.click(
      await (
        await card('staging')
      ).findByRole('button', {
        name: 'Promote here',
      }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    expect(
      await dialog.findByText(
        'No preview: dev runs no known digest yet; nothing to promote',
      ),
    ).toBeInTheDocument();
    expect(
      dialog.getByRole('button', { name: 'Request promotion to staging' }),
    ).toBeDisabled();
  });

  it('offers break-glass only with the override permission, and requires a reason', async () => {
    const api = baseApi();
    const { unmount } = await render(api, {
      permissions: name => name !== 'slipway.promotion.override',
    });
    await userEvent.click(
      await (await card('prod')).findByRole('button', { name: 'Promote here' }),
    );
    let dialog = within(await screen.findByRole('dialog'));
    await dialog.findByRole('table', { name: 'Gates' });
    expect(dialog.queryByRole('checkbox', { name: /Break glass/ })).toBeNull();
    unmount();

    await render(api);
    await userEvent.click(
      await (await card('prod')).findByRole('button', { name: 'Promote here' }),
    );
    dialog = within(await screen.findByRole('dialog'));
    await dialog.findByRole('table', { name: 'Gates' });
    await userEvent.click(
      dialog.getByRole('checkbox', { name: /Break glass/ }),
    );
    const confirm = dialog.getByRole('button', { name: 'Promote to prod' });
    expect(confirm).toBeDisabled();
    expect(
      dialog.getByText('A break-glass promotion needs a reason'),
    ).toBeInTheDocument();
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason for break-glass/ }),
      'Hotfix for incident 42',
    );
    await userEvent.click(confirm);
    expect(api.requestPromotion).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({
        environment: 'prod',
        breakGlass: true,
        reason: 'Hotfix for incident 42',
      }),
    );
  });

  it('disables promote and roll back, with the reason, without the create permission', async () => {
    await render(baseApi(), {
      permissions: name => name !== 'slipway.promotion.create',
    });
    const prod = await card('prod');
    await waitFor(() =>
      expect(prod.getByRole('button', { name: 'Promote here' })).toBeDisabled(),
    );
    expect(prod.getByRole('button', { name: 'Roll back' })).toBeDisabled();
    expect(
      prod.getByText('You may not promote or roll back payments-api in prod.'),
    ).toBeInTheDocument();
  });
});

describe('Roll back', () => {
  const history = {
    items: [
      {
        environment: 'staging',
        source: 'gitops' as const,
        revision: 'aaa1111',
        image: {
          repository: 'harbor.example.com/acme/payments-api',
          tag: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
          digest: DIGEST_NEW,
        },
        at: ago(600),
        message: 'Promote to staging',
      },
      {
        environment: 'staging',
        source: 'gitops' as const,
        revision: 'bbb2222',
        image: {
          repository: 'harbor.example.com/acme/payments-api',
          tag: SHA_OLD,
          digest: DIGEST_OLD,
        },
        at: ago(86_400),
        message: 'Promote older build',
      },
    ],
    sources: [],
  };

  it('rolls back to an earlier digest with a required reason and shows the rollback live', async () => {
    const api = baseApi({
      getEntityHistory: jest.fn(async () => history),
      requestRollback: jest.fn(async () =>
        promotion({ id: 'r-1', kind: 'rollback', state: 'executing' }),
      ),
      getPromotion: jest.fn(async () =>
        promotion({ id: 'r-1', kind: 'rollback', state: 'executing' }),
      ),
    });
    await render(api);
    await userEvent.click(
      await (await card('staging')).findByRole('button', { name: 'Roll back' }),
    );
    const dialogElement = await screen.findByRole('dialog', {
      name: 'Roll back payments-api in staging',
    });
    const dialog = within(dialogElement);
    const option = await dialog.findByRole('radio', {
      name: /0f1e2d3 · sha256:222222222222, 24 hours ago \(Promote older build\)/,
    });
    expect(option).toBeChecked();
    // The digest staging runs now is not offered.
    expect(dialog.getAllByRole('radio')).toHaveLength(1);
    await userEvent.click(
      dialog.getByRole('button', { name: 'Roll back staging' }),
    );
    expect(dialog.getByText('A rollback needs a reason')).toBeInTheDocument();
    expect(api.requestRollback).not.toHaveBeenCalled();
    expect(await seriousViolations(dialogElement)).toEqual([]);
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason for the rollback/ }),
      'Error rate up after deploy',
    );
    await userEvent.click(
      dialog.getByRole('button', { name: 'Roll back staging' }),
    );
    expect(api.requestRollback).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      expect.objectContaining({
        environment: 'staging',
        digest: DIGEST_OLD,
        reason: 'Error rate up after deploy',
      }),
    );
    expect(
      await screen.findByRole('dialog', {
        name: 'Rollback of payments-api in staging',
      }),
    ).toBeInTheDocument();
  });

  it('says when there is nothing to roll back to, and when the history cannot be read', async () => {
    const api = baseApi({
      getEntityHistory: jest.fn(async () => ({
        items: [history.items[0]],
        sources: [],
      })),
    });
    const { unmount } = await render(api);
    await userEvent.click(
      await (await card('staging')).findByRole('button', { name: 'Roll back' }),
    );
    expect(
      await screen.findByText(/No earlier digest in the history of staging/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Roll back staging' }),
    ).toBeDisabled();
    unmount();

    api.getEntityHistory.mockRejectedValue(new Error('Git unreachable'));
    await render(api);
    await userEvent.click(
      await (await card('staging')).findByRole('button', { name: 'Roll back' }),
    );
    expect(
      await screen.findByText(
        'The history of staging could not be read: Git unreachable',
      ),
    ).toBeInTheDocument();
  });
});

describe('promotions in flight', () => {
  it('shows awaiting approval with who may approve and how many are missing, on the card and in the strip, live', async () => {
    const signals = fakeSignals();
    const api = baseApi({
      listPromotions: jest.fn(async () => ({ items: [awaitingApproval()] })),
    });
    await render(api, { signals });
    const prod = await card('prod');
    const status = await prod.findByRole('status', {
      name: 'Promotion into prod',
    });
    expect(status).toHaveTextContent(
      'Needs 1 more approval (1 of 2); members of group:default/platform-admins, group:default/sre other than the requester may approve',
    );
    expect(
      within(status).getByRole('link', {
        name: 'Promotion details (prod)',
      }),
    ).toHaveAttribute('href', '/slipway/promotions/p-prod');
    expect(
      screen.getByRole('listitem', {
        name: 'prod: Deployed, a1b2c3d, promotion needs 1 more approval',
      }),
    ).toBeInTheDocument();

    api.listPromotions.mockResolvedValue({
      items: [
        awaitingApproval({
          state: 'blocked',
          gates: [
            {
              type: 'deploy-window',
              status: 'fail',
              reason: 'Outside every deploy window (Europe/Berlin)',
            },
          ],
        }),
      ],
    });
    act(() =>
      signals.publish(`slipway:promotions:${ENTITY_REF}`, {
        id: 'p-prod',
        state: 'blocked',
      }),
    );
    expect(
      await prod.findByText(
        'Blocked by Deploy window (Outside every deploy window (Europe/Berlin))',
        {},
        { timeout: 3000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('listitem', {
        name: 'prod: Deployed, a1b2c3d, promotion blocked by Deploy window',
      }),
    ).toBeInTheDocument();
  });

  it.each([
    [
      promotion({
        state: 'pr-open',
        pullRequest: {
          number: 7,
          url: 'https://git.example.com/pr/7',
          branch: 'slipway/p-1',
        },
      }),
      'Pull request #7 open; deploys when merged',
    ],
    [
      promotion({
        state: 'syncing',
        timeline: [
          {
            at: ago(10),
            actor: 'slipway',
            state: 'syncing',
            message: 'Argo CD sync of payments-api-staging started',
          },
        ],
      }),
      'Argo CD sync of payments-api-staging started',
    ],
    [
      promotion({
        state: 'failed',
        error: 'Push rejected: conflict in overlay',
        updatedAt: ago(30),
      }),
      'Failed: Push rejected: conflict in overlay',
    ],
    [
      promotion({ state: 'deployed', updatedAt: ago(30) }),
      'Deployed: synced and healthy',
    ],
  ])('shows %#: the state and what it waits for', async (item, text) => {
    await render(
      baseApi({ listPromotions: jest.fn(async () => ({ items: [item] })) }),
    );
    const staging = await card('staging');
    expect(await staging.findByText(text)).toBeInTheDocument();
  });

  it('does not show a promotion that finished long ago', async () => {
    await render(
      baseApi({
        listPromotions: jest.fn(async () => ({
          items: [promotion({ state: 'deployed', updatedAt: ago(7200) })],
        })),
      }),
    );
    const staging = await card('staging');
    expect(staging.queryByRole('status', { name: /into staging/ })).toBeNull();
  });

  it('says when promotions cannot be read, and still shows the state', async () => {
    await render(
      baseApi({
        listPromotions: jest.fn(async () => {
          throw new Error('Service Unavailable');
        }),
      }),
    );
    expect(
      await screen.findByText(
        /Promotions could not be read \(Service Unavailable\)/,
      ),
    ).toBeInTheDocument();
    expect(await card('prod')).toBeTruthy();
  });
});

describe('freezes on the Deploy tab', () => {
  it('shows freezes that cover the entity with who, why and until when, and not others', async () => {
    const api = baseApi({
      listFreezes: jest.fn(async () => [
        freeze(),
        freeze({
          id: 'f-2',
          scope: 'owner',
          target: 'group:default/storefront',
          reason: 'Not ours',
        }),
      ]),
    });
    const { container } = await render(api);
    const banner = await screen.findByRole('region', {
      name: 'Freezes in force',
    });
    expect(banner).toHaveTextContent('A freeze holds promotions');
    expect(banner).toHaveTextContent(
      'Environment prod: Black Friday. Frozen by platform-lead 1 hour ago, until 2026-05-05 08:00:00 UTC.',
    );
    expect(banner).not.toHaveTextContent('Not ours');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('shows stop the line and updates live when it is lifted', async () => {
    const signals = fakeSignals();
    const api = baseApi({
      listFreezes: jest.fn(async () => [
        freeze({
          id: 'g',
          scope: 'global',
          target: undefined,
          until: undefined,
          reason: 'Incident 7',
        }),
      ]),
    });
    await render(api, { signals });
    const banner = await screen.findByRole('region', {
      name: 'Freezes in force',
    });
    expect(banner).toHaveTextContent('Stop the line: promotions are held');
    expect(banner).toHaveTextContent('until lifted');
    api.listFreezes.mockResolvedValue([]);
    act(() => signals.publish('slipway:freezes', { action: 'lifted' }));
    await waitFor(() =>
      expect(
        screen.queryByRole('region', { name: 'Freezes in force' }),
      ).not.toBeInTheDocument(),
    );
  });
});

describe('history rows', () => {
  it('name the promotion, rollback or break-glass that made each change, with requester and approvers', async () => {
    const api = baseApi({
      getEntityHistory: jest.fn(async () => ({
        items: [
          {
            environment: 'prod',
            source: 'gitops' as const,
            revision: 'c0ffee00c0ffee00',
            at: ago(600),
            message: 'Promote payments-api to prod',
            promotionId: 'p-prod',
          },
          {
            environment: 'prod',
            source: 'gitops' as const,
            revision: 'deadbeefdeadbeef',
            at: ago(6000),
            message: 'Rollback',
            promotionId: 'gone',
          },
        ],
        sources: [],
      })),
      getPromotion: jest.fn(async (id: string) => {
        if (id === 'gone') throw new Error('not found');
        return awaitingApproval({
          state: 'deployed',
          approvals: [
            { approver: 'user:default/ada', decision: 'approve', at: ago(700) },
            { approver: 'user:default/bob', decision: 'approve', at: ago(650) },
          ],
        });
      }),
    });
    await render(api);
    const prod = await card('prod');
    await userEvent.click(
      prod.getByRole('button', { name: 'History of prod' }),
    );
    const table = await screen.findByRole('table', {
      name: 'Deployment history of prod',
    });
    expect(
      await within(table).findByText(
        /requested by guest, approved by ada, bob/,
      ),
    ).toBeInTheDocument();
    expect(
      within(table).getByRole('link', { name: 'Promotion p-prod' }),
    ).toHaveAttribute('href', '/slipway/promotions/p-prod');
    // A promotion that cannot be read still links.
    expect(
      within(table).getByRole('link', { name: 'Promotion gone' }),
    ).toHaveAttribute('href', '/slipway/promotions/gone');
  });
});
