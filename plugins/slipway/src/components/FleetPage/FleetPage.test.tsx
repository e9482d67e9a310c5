import { configApiRef } from '@backstage/core-plugin-api';
import { ConfigReader } from '@backstage/config';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  environmentVerdict,
  EnvironmentState,
  FleetPage,
  FleetQuery,
  needsAttention,
  SCAFFOLDED_IMAGE_TAG,
  SlipwayApi,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  ago,
  fleetPage,
  healthyEnv,
  NOW,
  okSources,
} from '../../__testUtils__/fixtures';
import { seriousViolations } from '../../__testUtils__/axe';
import { FleetContent } from './FleetContent';

// Rendering and user events take seconds on a loaded 2-core machine.
jest.setTimeout(30_000);

function LocationSpy() {
  const location = useLocation();
  return (
    <div data-testid="location">
      {location.pathname}
      {location.search}
    </div>
  );
}

function render(api: Partial<SlipwayApi>, url = '/slipway/fleet') {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [slipwayApiRef, api],
        [configApiRef, new ConfigReader({})],
      ]}
    >
      <FleetContent />
      <LocationSpy />
    </TestApiProvider>,
    {
      routeEntries: [url],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

/** A stand-in for the backend's filters, over a fixed fleet. */
function fakeFleet(base: () => FleetPage = fleetPage) {
  return jest.fn(async (query: FleetQuery = {}) => {
    const page = base();
    const unknownFilters: FleetPage['unknownFilters'] = [];
    const owners = [...new Set(page.items.map(i => i.owner!))].sort();
    const systems = [...new Set(page.items.map(i => i.system!))].sort();
    if (query.owner && !owners.includes(query.owner)) {
      unknownFilters.push({ name: 'owner', value: query.owner });
    }
    const known = page.environments.some(e => e.name === query.environment);
    if (query.environment && !known) {
      unknownFilters.push({ name: 'environment', value: query.environment });
    }
    const environments =
      query.environment && known
        ? page.environments.filter(e => e.name === query.environment)
        : page.environments;
    let items = page.items.filter(
      row =>
        (!query.owner || row.owner === query.owner) &&
        (!query.system || row.system === query.system) &&
        (!query.q || row.entityRef.includes(query.q)) &&
        (!query.attention ||
          needsAttention(
            row,
            environments.map(e => e.name),
          ).length > 0),
    );
    if (query.sort === 'owner') {
      items = [...items].sort((a, b) => a.owner!.localeCompare(b.owner!));
    }
    if (query.order === 'desc') items = [...items].reverse();
    return {
      ...page,
      environments,
      items,
      totalItems: items.length,
      facets: { owners, systems },
      ...(unknownFilters.length ? { unknownFilters } : {}),
    };
  });
}

const headers = () =>
  within(screen.getByRole('table'))
    .getAllByRole('columnheader')
    .map(h => h.textContent);

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('FleetContent', () => {
  it('shows services by environment with version, verdict and behind markers', async () => {
    const getFleet = jest.fn(async () => fleetPage());
    await render({ getFleet });
    const table = await screen.findByRole('table', {
      name: 'Fleet: services by environment',
    });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual([
      'Service',
      'Owner',
      'System',
      'Needs attention',
      'dev',
      'staging',
      'prod',
    ]);
    const checkout = screen.getByTestId('fleet-row-checkout-web');
    expect(within(checkout).getAllByText('Behind dev')).toHaveLength(2);
    const stagingLink = within(checkout).getByRole('link', {
      name: /^checkout-web in staging: 0f1e2d3, deployed, sync Synced, health Healthy, behind dev/,
    });
    expect(stagingLink).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout-web/deploy',
    );
    // Unknown is grey, never green; one verdict, no Sync/Health chips.
    const prodUnknown = within(checkout).getByText('Unknown');
    expect(prodUnknown.closest('[data-tone]')).toHaveAttribute(
      'data-tone',
      'unknown',
    );
    expect(within(checkout).queryByText(/^(Sync|Health) /)).toBeNull();
    expect(within(checkout).getAllByText('Deployed')).toHaveLength(2);
    const payments = screen.getByTestId('fleet-row-payments-api');
    expect(within(payments).queryByText(/Behind/)).not.toBeInTheDocument();
    expect(within(payments).getAllByText('a1b2c3d')).toHaveLength(3);
    expect(getFleet).toHaveBeenCalledTimes(1);
  });

  it('filters by owner and environment, reflected in the URL', async () => {
    const getFleet = fakeFleet();
    await render({ getFleet });
    await screen.findByRole('table');
    const filters = screen.getByRole('search', { name: 'Fleet filters' });
    await userEvent.click(
      within(filters).getByRole('button', { name: /Owner/ }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByRole('option', {
        name: 'storefront',
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/slipway/fleet?owner=group%3Adefault%2Fstorefront',
    );
    await waitFor(() =>
      expect(
        screen.queryByTestId('fleet-row-payments-api'),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId('fleet-row-checkout-web')).toBeInTheDocument();
    expect(getFleet).toHaveBeenLastCalledWith(
      expect.objectContaining({ owner: 'group:default/storefront' }),
    );

    await userEvent.click(screen.getByRole('button', { name: /Environment/ }));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByRole('option', { name: 'prod' }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      'environment=prod',
    );
    await waitFor(() =>
      expect(headers()).toEqual([
        'Service',
        'Owner',
        'System',
        'Needs attention',
        'prod',
      ]),
    );
  });

  it('reads filters from the URL', async () => {
    await render(
      { getFleet: fakeFleet() },
      '/slipway/fleet?system=system:default/commerce',
    );
    expect(
      await screen.findByTestId('fleet-row-payments-api'),
    ).toBeInTheDocument();
    expect(
      screen.queryByTestId('fleet-row-checkout-web'),
    ).not.toBeInTheDocument();
  });

  it('says when Argo CD is unreachable and does not show its data as green', async () => {
    const page = fleetPage();
    page.sources = [
      {
        source: 'argocd:sandbox',
        kind: 'delivery',
        status: 'error',
        message: 'timeout',
      },
    ];
    // The backend judges each cell with the sources of this answer.
    for (const row of page.items) {
      for (const [name, cell] of Object.entries(row.cells)) {
        cell.verdict = environmentVerdict(healthyEnv(name), page.sources);
      }
    }
    await render({ getFleet: async () => page });
    expect(await screen.findByText(/Argo CD unreachable/)).toBeInTheDocument();
    const payments = screen.getByTestId('fleet-row-payments-api');
    expect(payments.querySelectorAll('[data-tone="ok"]')).toHaveLength(0);
  });

  it('navigates to the Deploy tab when a row is clicked', async () => {
    await render({ getFleet: async () => fleetPage() });
    await userEvent.click(await screen.findByTestId('fleet-row-payments-api'));
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/catalog/default/component/payments-api/deploy',
    );
  });

  it('searches by name on the server, reflected in the URL', async () => {
    const getFleet = fakeFleet();
    await render({ getFleet });
    await screen.findByRole('table');
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Search services' }),
      'checkout',
    );
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent('q=checkout'),
    );
    await waitFor(() =>
      expect(
        screen.queryByTestId('fleet-row-payments-api'),
      ).not.toBeInTheDocument(),
    );
    expect(getFleet).toHaveBeenLastCalledWith(
      expect.objectContaining({ q: 'checkout' }),
    );
  });

  it('sorts by a column header, toggling the order, in the URL', async () => {
    const getFleet = fakeFleet();
    await render({ getFleet });
    await screen.findByRole('table');
    const header = () =>
      within(screen.getByRole('table')).getByRole('button', { name: 'Owner' });
    await userEvent.click(header());
    expect(screen.getByTestId('location')).toHaveTextContent('sort=owner');
    await waitFor(() =>
      expect(getFleet).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'owner' }),
      ),
    );
    await userEvent.click(header());
    expect(screen.getByTestId('location')).toHaveTextContent(
      'sort=owner&order=desc',
    );
    await waitFor(() =>
      expect(getFleet).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'owner', order: 'desc' }),
      ),
    );
    await userEvent.click(
      within(screen.getByRole('table')).getByRole('button', { name: 'prod' }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent('sort=prod.state');
  });

  it('filters to services needing attention and resets every filter', async () => {
    const getFleet = fakeFleet();
    await render({ getFleet }, '/slipway/fleet?sort=owner&q=-');
    await screen.findByRole('table');
    expect(screen.getByRole('button', { name: 'Reset filters' })).toBeEnabled();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Needs attention' }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent('attention=true');
    await waitFor(() =>
      expect(
        screen.queryByTestId('fleet-row-payments-api'),
      ).not.toBeInTheDocument(),
    );
    const reasons = within(
      screen.getByTestId('fleet-row-checkout-web'),
    ).getByRole('list', { name: 'checkout-web needs attention' });
    expect(
      within(reasons)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual(['staging is behind', 'prod is behind']);

    await userEvent.click(
      screen.getByRole('button', { name: 'Reset filters' }),
    );
    expect(screen.getByTestId('location').textContent).toBe('/slipway/fleet');
    expect(
      await screen.findByTestId('fleet-row-payments-api'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('textbox', { name: 'Search services' }),
    ).toHaveValue('');
    expect(
      screen.getByRole('button', { name: 'Reset filters' }),
    ).toBeDisabled();
  });

  it('marks drift, rollouts, failed CI and failing scans with words', async () => {
    const base = () => {
      const page = fleetPage();
      const [payments, checkout] = page.items;
      const reasons = [
        'Git wants registry/payments:a1b2c3d; the cluster runs registry/payments:0f1e2d3',
      ];
      payments.cells.prod.drifted = true;
      payments.cells.prod.driftReasons = reasons;
      payments.cells.prod.verdict = environmentVerdict(
        healthyEnv('prod', {
          drift: { drifted: true, reasons },
          deployed: false,
        }),
        okSources(),
      );
      payments.cells.staging.rollout = 'progressing';
      payments.cells.dev.rollout = 'paused';
      payments.build = { status: 'failed', name: 'CI #42' };
      checkout.scan = { status: 'Success', critical: 3, high: 1 };
      return page;
    };
    await render({ getFleet: fakeFleet(base) });
    const payments = await screen.findByTestId('fleet-row-payments-api');
    expect(
      within(payments).getByText('Drifted').closest('[title]'),
    ).toHaveAttribute(
      'title',
      expect.stringContaining('Git wants registry/payments:a1b2c3d'),
    );
    expect(within(payments).getByText('Rolling out')).toBeInTheDocument();
    expect(within(payments).getByText('Rollout paused')).toBeInTheDocument();
    expect(within(payments).getByText('CI failed')).toBeInTheDocument();
    expect(
      within(payments).getByRole('link', {
        name: /^payments-api in prod: a1b2c3d, .*drifted/,
      }),
    ).toBeInTheDocument();
    expect(
      within(payments).getByRole('list', {
        name: 'payments-api needs attention',
      }).textContent,
    ).toContain('Drifted in prod');
    const checkout = screen.getByTestId('fleet-row-checkout-web');
    expect(within(checkout).getByText('Scan failing')).toBeInTheDocument();
  });

  describe('words each environment exactly as the Deploy tab does', () => {
    const never = healthyEnv('dev', {
      desired: {
        path: 'apps/payments-api/overlays/dev',
        image: {
          repository: 'harbor.example.com/acme/payments-api',
          tag: SCAFFOLDED_IMAGE_TAG,
        },
      },
      live: {
        application: 'payments-api-dev',
        instance: 'sandbox',
        syncStatus: 'OutOfSync',
        healthStatus: 'Missing',
        images: [],
      },
      drift: {
        drifted: true,
        reasons: ['Argo CD reports OutOfSync'],
      },
      deployed: false,
    });
    const canary = healthyEnv('prod', {
      deployed: false,
      live: {
        ...healthyEnv('prod').live!,
        healthStatus: 'Suspended',
        rollout: {
          strategy: 'canary',
          phase: 'Paused',
          currentStep: 2,
          totalSteps: 4,
          weight: 25,
          paused: true,
          pauseReason: 'CanaryPauseStep',
        },
      },
    });
    const staleSources: SourceReport[] = okSources().map(s =>
      s.kind === 'delivery'
        ? { ...s, status: 'stale', fetchedAt: ago(600) }
        : s,
    );
    const stale = healthyEnv('staging', {
      deployed: false,
      lastKnown: {
        deployed: true,
        reason: 'The cluster runs what Git asks for',
        sources: ['Argo CD'],
        since: ago(600),
      },
    });

    it.each<[string, EnvironmentState, SourceReport[], RegExp]>([
      [
        'a never-promoted environment',
        never,
        okSources(),
        /^Awaiting first deploy$/,
      ],
      ['a canary at 25%', canary, okSources(), /25%/],
      [
        'last-known data',
        stale,
        staleSources,
        /^Last known: deployed \(10 minutes ago\)$/,
      ],
    ])('%s', async (_what, env, sources, label) => {
      // The tab's card and strip: environmentVerdict(env, state.sources).
      const tab = environmentVerdict(env, sources);
      const base = () => {
        const page = fleetPage();
        const cell = page.items[0].cells[env.environment];
        cell.verdict = tab;
        cell.tag = env.desired?.image?.tag;
        return page;
      };
      await render({ getFleet: fakeFleet(base) });
      const payments = await screen.findByTestId('fleet-row-payments-api');
      const chip = within(payments).getByText(label).closest('[data-tone]')!;
      expect(chip).toHaveAttribute('data-tone', tab.tone);
      expect(chip).toHaveAttribute(
        'title',
        expect.stringContaining(tab.reason),
      );
      expect(tab.tone).not.toBe('ok');
    });

    it('shows a never-promoted environment calm: no attention, no drift, no Missing', async () => {
      const base = () => {
        const page = fleetPage();
        const cell = page.items[0].cells.dev;
        cell.verdict = environmentVerdict(never, okSources());
        cell.tag = SCAFFOLDED_IMAGE_TAG;
        cell.healthStatus = 'Missing';
        cell.syncStatus = 'OutOfSync';
        return page;
      };
      await render({ getFleet: fakeFleet(base) });
      const payments = await screen.findByTestId('fleet-row-payments-api');
      expect(
        within(payments).queryByRole('list', {
          name: 'payments-api needs attention',
        }),
      ).toBeNull();
      expect(within(payments).queryByText(/Drifted|Missing/)).toBeNull();
      expect(
        within(payments).getByText('Awaiting first deploy'),
      ).toBeInTheDocument();
    });
  });

  it.each([
    ['/slipway/fleet?owner=nobody', /owned by “nobody”; no service matches/],
    [
      '/slipway/fleet?environment=moon',
      /no environment named “moon”; showing every environment/,
    ],
  ])('explains an unknown filter value (%s)', async (url, text) => {
    await render({ getFleet: fakeFleet() }, url);
    expect(await screen.findByText(text)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reset filters' })).toBeEnabled();
  });

  it('lists services not yet set up last, with a link to their setup card', async () => {
    const base = () => {
      const page = fleetPage();
      page.items.push({
        entityRef: 'component:default/new-thing',
        owner: 'group:default/storefront',
        cells: {},
        notSetUp: true,
      });
      return page;
    };
    await render({ getFleet: fakeFleet(base) });
    const row = await screen.findByTestId('fleet-row-new-thing');
    expect(row).toHaveTextContent('Not set up for delivery yet.');
    expect(
      within(row).getByRole('link', { name: 'Set up delivery for new-thing' }),
    ).toHaveAttribute('href', '/catalog/default/component/new-thing/deploy');
    const rows = screen.getAllByTestId(/^fleet-row-/);
    expect(rows.at(-1)).toBe(row);
  });

  it('has no serious accessibility violations', async () => {
    const { container } = await render({ getFleet: async () => fleetPage() });
    await screen.findByRole('table');
    expect(await seriousViolations(container)).toEqual([]);
    // axe takes seconds on a loaded 2-core machine.
  }, 60_000);
});
