import { configApiRef } from '@backstage/core-plugin-api';
import { ConfigReader } from '@backstage/config';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { SlipwayApi } from '@slipway/plugin-slipway-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { fleetPage, NOW } from '../../__testUtils__/fixtures';
import { seriousViolations } from '../../__testUtils__/axe';
import { FleetContent } from './FleetContent';

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

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('FleetContent', () => {
  it('shows services by environment with version, sync, health and behind markers', async () => {
    const getFleet = jest.fn(async () => fleetPage());
    await render({ getFleet });
    const table = await screen.findByRole('table', {
      name: 'Fleet: services by environment',
    });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual(['Service', 'dev', 'staging', 'prod']);
    const checkout = screen.getByTestId('fleet-row-checkout-web');
    expect(within(checkout).getAllByText('Behind dev')).toHaveLength(2);
    const stagingLink = within(checkout).getByRole('link', {
      name: /^checkout-web in staging: 0f1e2d3, sync Synced, health Healthy, behind dev/,
    });
    expect(stagingLink).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout-web/deploy',
    );
    // Unknown is grey, never green.
    const prodUnknown = within(checkout).getAllByText(
      /^(Sync|Health) unknown$/,
    );
    expect(prodUnknown).toHaveLength(2);
    for (const chip of prodUnknown) {
      expect(chip.closest('[data-tone]')).toHaveAttribute(
        'data-tone',
        'unknown',
      );
    }
    const payments = screen.getByTestId('fleet-row-payments-api');
    expect(within(payments).queryByText(/Behind/)).not.toBeInTheDocument();
    expect(within(payments).getAllByText('a1b2c3d')).toHaveLength(3);
    expect(getFleet).toHaveBeenCalledTimes(1);
  });

  it('filters by owner and environment, reflected in the URL', async () => {
    await render({ getFleet: async () => fleetPage() });
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('button', { name: /Owner/ }));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByRole('option', {
        name: 'storefront',
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/slipway/fleet?owner=group%3Adefault%2Fstorefront',
    );
    expect(
      screen.queryByTestId('fleet-row-payments-api'),
    ).not.toBeInTheDocument();
    expect(screen.getByTestId('fleet-row-checkout-web')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: /Environment/ }));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByRole('option', { name: 'prod' }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      'environment=prod',
    );
    expect(
      within(screen.getByRole('table'))
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual(['Service', 'prod']);
  });

  it('reads filters from the URL', async () => {
    await render(
      { getFleet: async () => fleetPage() },
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

  it('has no serious accessibility violations', async () => {
    const { container } = await render({ getFleet: async () => fleetPage() });
    await screen.findByRole('table');
    expect(await seriousViolations(container)).toEqual([]);
    // axe takes seconds on a loaded 2-core machine.
  }, 60_000);
});
