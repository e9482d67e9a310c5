import { identityApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { SlipwayApi } from '@slipway/plugin-slipway-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
// usePermission caches answers in SWR; each render gets its own cache.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { SWRConfig } from 'swr';
import { Route, Routes } from 'react-router-dom';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { promotionsRouteRef } from '../../routes';
import { seriousViolations } from '../../__testUtils__/axe';
import { ago, NOW } from '../../__testUtils__/fixtures';
import {
  awaitingApproval,
  ENTITY_REF,
  promotion,
} from '../../__testUtils__/promotionFixtures';
import { PromotionsPageContent } from './PromotionsPage';

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

const checkoutPromotion = promotion({
  id: 'p-checkout',
  entityRef: 'component:default/checkout-web',
  environment: 'dev',
  state: 'deployed',
  requester: 'user:default/bob',
});

function baseApi(
  overrides: Partial<Record<keyof SlipwayApi, jest.Mock>> = {},
): Record<string, jest.Mock> {
  return {
    listPromotions: jest.fn(async () => ({
      items: [awaitingApproval(), promotion(), checkoutPromotion],
    })),
    getEnvironments: jest.fn(async () => [
      { name: 'dev', syncMode: 'auto' as const },
      { name: 'staging', syncMode: 'manual' as const },
      { name: 'prod', syncMode: 'manual' as const },
    ]),
    getPromotion: jest.fn(async () => awaitingApproval()),
    decidePromotion: jest.fn(),
    cancelPromotion: jest.fn(),
    ...overrides,
  };
}

const catalog = {
  getEntitiesByRefs: jest.fn(async ({ entityRefs }: any) => ({
    items: entityRefs.map((ref: string) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: ref.split('/')[1], namespace: 'default' },
      spec: {
        owner: ref.includes('payments') ? 'team-payments' : 'storefront',
      },
    })),
  })),
};

function render(
  api: ReturnType<typeof baseApi>,
  options: {
    url?: string;
    user?: string;
    groups?: string[];
    approve?: boolean;
    signals?: ReturnType<typeof fakeSignals>;
    catalogApi?: object;
  } = {},
) {
  const user = options.user ?? 'user:default/carol';
  const apis: any[] = [
    [slipwayApiRef, api],
    [catalogApiRef, options.catalogApi ?? catalog],
    [
      identityApiRef,
      mockApis.identity({
        userEntityRef: user,
        ownershipEntityRefs: [
          user,
          ...(options.groups ?? ['group:default/sre']),
        ],
      }),
    ],
    [
      permissionApiRef,
      mockApis.permission({
        authorize: options.approve === false ? DENY : ALLOW,
      }),
    ],
  ];
  if (options.signals) apis.push([signalApiRef, options.signals.api]);
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider apis={apis as any}>
        <Routes>
          <Route
            path="/slipway/promotions/*"
            element={<PromotionsPageContent />}
          />
        </Routes>
      </TestApiProvider>
    </SWRConfig>,
    {
      routeEntries: [options.url ?? '/slipway/promotions'],
      mountedRoutes: {
        '/slipway/promotions': promotionsRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the promotions list', () => {
  it('lists every promotion with its state and what it waits for; each row opens its page', async () => {
    const { container } = await render(baseApi());
    const table = await screen.findByRole('table', { name: 'Promotions' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(
      within(rows[0]).getByRole('link', { name: 'payments-api to prod' }),
    ).toHaveAttribute('href', '/slipway/promotions/p-prod');
    expect(rows[0]).toHaveTextContent('Awaiting approval');
    expect(rows[0]).toHaveTextContent('Needs 1 more approval (1 of 2)');
    expect(rows[2]).toHaveTextContent('checkout-web to dev');
    expect(rows[2]).toHaveTextContent('bob');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('filters by state and environment on the server, by owner here', async () => {
    const api = baseApi();
    await render(api, {
      url: '/slipway/promotions?state=deployed&environment=dev',
    });
    await screen.findByRole('table', { name: 'Promotions' });
    expect(api.listPromotions).toHaveBeenCalledWith({
      state: 'deployed',
      environment: 'dev',
      limit: 50,
    });
    await userEvent.click(screen.getByRole('button', { name: /Owner/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'storefront' }),
    );
    const table = await screen.findByRole('table', { name: 'Promotions' });
    await waitFor(() =>
      expect(within(table).getAllByRole('row')).toHaveLength(2),
    );
    expect(table).toHaveTextContent('checkout-web to dev');
  });

  it('"waiting for me" shows what the user may approve and did not request', async () => {
    const api = baseApi();
    await render(api, { url: '/slipway/promotions?waiting=me' });
    const table = await screen.findByRole('table', { name: 'Promotions' });
    expect(api.listPromotions).toHaveBeenCalledWith(
      expect.objectContaining({ state: 'awaiting-approval' }),
    );
    await waitFor(() =>
      expect(within(table).getAllByRole('row')).toHaveLength(2),
    );
    expect(table).toHaveTextContent('payments-api to prod');
  });

  it('"waiting for me" is empty for the requester and for non-members', async () => {
    await render(baseApi(), {
      url: '/slipway/promotions?waiting=me',
      user: 'user:default/guest',
    });
    expect(
      await screen.findByText('No promotion matches these filters.'),
    ).toBeInTheDocument();
  });

  it('has loading, empty, error and partial-failure states', async () => {
    const pending = baseApi({
      listPromotions: jest.fn(() => new Promise(() => {})) as any,
    });
    const first = await render(pending);
    expect(
      screen.getByRole('progressbar', { name: 'Loading promotions' }),
    ).toBeInTheDocument();
    first.unmount();

    const empty = await render(
      baseApi({ listPromotions: jest.fn(async () => ({ items: [] })) }),
    );
    expect(await screen.findByText(/No promotions yet/)).toBeInTheDocument();
    empty.unmount();

    const failing = await render(
      baseApi({
        listPromotions: jest.fn(async () => {
          throw new Error('Service Unavailable');
        }),
      }),
    );
    expect(
      (await screen.findAllByText(/Service Unavailable/)).length,
    ).toBeGreaterThan(0);
    failing.unmount();

    await render(baseApi(), {
      catalogApi: {
        getEntitiesByRefs: async () => {
          throw new Error('catalog down');
        },
      },
    });
    expect(
      await screen.findByText(/Owners could not be read \(catalog down\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Promotions' }),
    ).toBeInTheDocument();
  });

  it('loads more pages', async () => {
    const api = baseApi({
      listPromotions: jest.fn(async (query: any) =>
        query?.cursor
          ? { items: [checkoutPromotion] }
          : { items: [promotion()], nextCursor: 'next' },
      ),
    });
    await render(api);
    const table = await screen.findByRole('table', { name: 'Promotions' });
    await userEvent.click(
      screen.getByRole('button', { name: 'Load more promotions' }),
    );
    await waitFor(() =>
      expect(within(table).getAllByRole('row')).toHaveLength(3),
    );
    expect(
      screen.queryByRole('button', { name: 'Load more promotions' }),
    ).toBeNull();
  });
});

describe('a promotion page', () => {
  const url = '/slipway/promotions/p-prod';

  it('shows the state, approvals with comments, gates, links and timeline, and lets an eligible user approve', async () => {
    const api = baseApi();
    const approved = awaitingApproval({
      state: 'pr-open',
      updatedAt: ago(1),
      approvals: [
        ...awaitingApproval().approvals,
        {
          approver: 'user:default/carol',
          decision: 'approve',
          comment: 'Ship it',
          at: ago(1),
        },
      ],
      pullRequest: {
        number: 12,
        url: 'https://git.example.com/acme/gitops/pull/12',
        branch: 'slipway/p-prod',
        state: 'open',
      },
    });
    api.decidePromotion.mockResolvedValue(approved);
    const { container } = await render(api, { url });
    expect(
      await screen.findByRole('heading', {
        name: 'Promotion of payments-api to prod',
      }),
    ).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Decisions' })).toHaveTextContent(
      'Approved by ada',
    );
    expect(screen.getByText('“Looks good”')).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Gates of the promotion' }),
    ).toHaveTextContent('Approvals');
    expect(screen.getByRole('list', { name: 'Timeline' })).toHaveTextContent(
      'Waiting for 2 approvals',
    );
    expect(screen.getByRole('link', { name: 'payments-api' })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/deploy',
    );
    expect(await seriousViolations(container)).toEqual([]);

    await userEvent.type(
      screen.getByRole('textbox', { name: 'Comment' }),
      'Ship it',
    );
    api.getPromotion.mockResolvedValue(approved);
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(api.decidePromotion).toHaveBeenCalledWith('p-prod', {
      decision: 'approve',
      comment: 'Ship it',
    });
    expect(
      await screen.findByRole('link', { name: /^Pull request #12 \(open\)/ }),
    ).toHaveAttribute('href', 'https://git.example.com/acme/gitops/pull/12');
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('asks for a comment to reject', async () => {
    const api = baseApi();
    api.decidePromotion.mockResolvedValue(
      awaitingApproval({ state: 'failed', error: 'Rejected by carol' }),
    );
    await render(api, { url });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject' }),
    );
    expect(screen.getByText('Say why you reject it')).toBeInTheDocument();
    expect(api.decidePromotion).not.toHaveBeenCalled();
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Comment' }),
      'Not during the sale',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(api.decidePromotion).toHaveBeenCalledWith('p-prod', {
      decision: 'reject',
      comment: 'Not during the sale',
    });
  });

  it('never offers approval to the requester, who may cancel', async () => {
    const api = baseApi();
    api.cancelPromotion.mockResolvedValue(
      awaitingApproval({ state: 'cancelled', updatedAt: ago(1) }),
    );
    await render(api, { url, user: 'user:default/guest' });
    expect(
      await screen.findByText(
        /You requested this promotion; someone else in an approver group must approve it/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    await userEvent.click(
      screen.getByRole('button', { name: 'Cancel this promotion' }),
    );
    expect(api.cancelPromotion).toHaveBeenCalledWith('p-prod');
  });

  it('says why a user cannot approve: not in a group, or no permission', async () => {
    const first = await render(baseApi(), {
      url,
      groups: ['group:default/team-payments'],
    });
    expect(
      await screen.findByText(
        'Only members of platform-admins, sre may approve.',
      ),
    ).toBeInTheDocument();
    first.unmount();
    await render(baseApi(), { url, approve: false });
    expect(
      await screen.findByText(
        'You may not approve promotions of payments-api into prod.',
      ),
    ).toBeInTheDocument();
  });

  it('updates live on a signal', async () => {
    const signals = fakeSignals();
    const api = baseApi();
    await render(api, { url, signals });
    await screen.findByRole('heading', {
      name: 'Promotion of payments-api to prod',
    });
    api.getPromotion.mockResolvedValue(
      awaitingApproval({
        state: 'deployed',
        timeline: [
          ...awaitingApproval().timeline,
          {
            at: ago(1),
            actor: 'slipway',
            state: 'deployed',
            message: 'payments-api-prod synced and healthy',
          },
        ],
      }),
    );
    act(() =>
      signals.publish(`slipway:promotions:${ENTITY_REF}`, {
        id: 'p-prod',
        state: 'deployed',
      }),
    );
    const sync = await screen.findByRole('region', { name: 'Argo CD sync' });
    await waitFor(
      () =>
        expect(sync).toHaveTextContent('payments-api-prod synced and healthy'),
      { timeout: 3000 },
    );
  });

  it('has loading, not-found and error states', async () => {
    const loading = await render(
      baseApi({ getPromotion: jest.fn(() => new Promise(() => {})) as any }),
      { url },
    );
    expect(
      screen.getByRole('progressbar', { name: 'Loading the promotion' }),
    ).toBeInTheDocument();
    loading.unmount();

    const notFound = await render(
      baseApi({
        getPromotion: jest.fn(async () => {
          // What the client's ResponseError carries for a 404.
          throw Object.assign(new Error('Promotion x not found'), {
            name: 'ResponseError',
            statusCode: 404,
          });
        }),
      }),
      { url: '/slipway/promotions/x' },
    );
    expect(
      await screen.findByText(
        'Promotion x was not found, or you cannot see its service.',
      ),
    ).toBeInTheDocument();
    notFound.unmount();

    await render(
      baseApi({
        getPromotion: jest.fn(async () => {
          throw new Error('Bad Gateway');
        }),
      }),
      { url },
    );
    expect((await screen.findAllByText(/Bad Gateway/)).length).toBeGreaterThan(
      0,
    );
  });
});
