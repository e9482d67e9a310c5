import { configApiRef } from '@backstage/core-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntityState,
  EnvironmentState,
  SlipwayApi,
} from '@slipway/plugin-slipway-common';
import { screen, within } from '@testing-library/react';
import { ReactNode } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  annotatedEntity,
  fleetPage,
  healthyEnv,
  healthyState,
  okSources,
} from '../../__testUtils__/fixtures';
import { EntityDeployContent } from '../EntityDeployContent';
import { FleetContent } from '../FleetPage/FleetContent';

// Rendering takes seconds on a loaded 2-core machine.
jest.setTimeout(30_000);

function render(api: Partial<SlipwayApi>, children: ReactNode) {
  return renderInTestApp(
    <TestApiProvider
      apis={
        [
          [
            slipwayApiRef,
            {
              listPromotions: async () => ({ items: [] }),
              listFreezes: async () => [],
              ...api,
            },
          ],
          [configApiRef, new ConfigReader({})],
          [permissionApiRef, mockApis.permission()],
        ] as any
      }
    >
      <EntityProvider entity={annotatedEntity}>{children}</EntityProvider>
    </TestApiProvider>,
    {
      routeEntries: ['/slipway/fleet'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

/** An environment as the Flux provider reports it. */
function fluxEnv(environment: string, url?: string): EnvironmentState {
  const env = healthyEnv(environment);
  const { url: _argo, ...live } = env.live!;
  return {
    ...env,
    live: {
      ...live,
      controller: 'flux',
      namespace: 'team-payments',
      ...(url ? { url } : {}),
    },
  };
}

function fluxState(url?: (env: string) => string): EntityState {
  return healthyState({
    environments: ['dev', 'staging', 'prod'].map(e => fluxEnv(e, url?.(e))),
    sources: okSources().map(s =>
      s.kind === 'delivery' ? { ...s, source: 'flux:sandbox' } : s,
    ),
  });
}

function stateApi(state: EntityState) {
  return {
    getEntityState: jest.fn(async () => state),
    getEntityConfig: jest.fn(),
    getEntityHistory: jest.fn(async () => ({ items: [], sources: [] })),
  };
}

async function card(environment: string) {
  return within(await screen.findByRole('region', { name: environment }));
}

describe('the controller on the environment card (issue 15)', () => {
  it('shows a Flux badge and the Kustomization by namespace/name when no UI is configured', async () => {
    await render(stateApi(fluxState()), <EntityDeployContent />);
    const staging = await card('staging');
    expect(staging.getByTestId('controller-badge')).toHaveTextContent('Flux');
    expect(
      staging.getByText('reconcile: when a promotion lands'),
    ).toBeInTheDocument();
    expect(
      (await card('dev')).getByText('reconcile: on every commit'),
    ).toBeInTheDocument();
    // The object as text, never a dead link.
    const object = staging.getByText('team-payments/payments-api-staging');
    expect(object.tagName).toBe('CODE');
    expect(object.closest('a')).toBeNull();
    expect(staging.getByText('Kustomization')).toBeInTheDocument();
    expect(
      staging.queryByRole('link', { name: /^(Flux|Argo CD) \(staging\)/ }),
    ).toBeNull();
    expect(staging.getByText('Sync: Synced')).toBeInTheDocument();
    // The source is named after the controller too.
    expect(screen.getAllByText(/^Flux: /).length).toBeGreaterThan(0);
  });

  it('links the Kustomization in the configured Flux UI', async () => {
    await render(
      stateApi(
        fluxState(
          env =>
            `https://weave.example.com/kustomization/details?name=payments-api-${env}`,
        ),
      ),
      <EntityDeployContent />,
    );
    const prod = await card('prod');
    expect(prod.getByRole('link', { name: /^Flux \(prod\)/ })).toHaveAttribute(
      'href',
      'https://weave.example.com/kustomization/details?name=payments-api-prod',
    );
    expect(prod.queryByText('Kustomization')).toBeNull();
  });

  it('shows an Argo CD badge and keeps the Argo CD link and wording', async () => {
    await render(stateApi(healthyState()), <EntityDeployContent />);
    const prod = await card('prod');
    expect(prod.getByTestId('controller-badge')).toHaveTextContent('Argo CD');
    expect(prod.getByText('sync: manual')).toBeInTheDocument();
    expect(
      prod.getByRole('link', { name: /^Argo CD \(prod\)/ }),
    ).toHaveAttribute(
      'href',
      'https://argocd.example.com/applications/payments-api-prod',
    );
    expect(prod.queryByText('Kustomization')).toBeNull();
  });

  it('names Flux while its state is still loading', async () => {
    const state = fluxState();
    state.environments = state.environments.map(({ live: _, ...env }) => env);
    state.sources = state.sources.map(s =>
      s.kind === 'delivery' ? { ...s, status: 'pending' } : s,
    );
    await render(stateApi(state), <EntityDeployContent />);
    const dev = await card('dev');
    expect(
      dev.getByRole('progressbar', { name: 'Loading Flux state of dev' }),
    ).toBeInTheDocument();
    expect(dev.getByTestId('controller-badge')).toHaveTextContent('Flux');
  });
});

describe('the controller on the fleet row (issue 15)', () => {
  it('shows each service’s controller beside its name; none without one', async () => {
    const page = fleetPage();
    page.items[0].controller = 'flux';
    const getFleet = jest.fn(async () => page);
    await render({ getFleet }, <FleetContent />);
    const flux = await screen.findByTestId('fleet-row-payments-api');
    const badge = within(flux).getByTestId('controller-badge');
    expect(badge).toHaveTextContent('Flux');
    // Beside the name, in the row's header cell.
    expect(badge.closest('th')).toHaveTextContent(/^payments-api\s*Flux$/);
    expect(
      within(screen.getByTestId('fleet-row-checkout-web')).queryByTestId(
        'controller-badge',
      ),
    ).toBeNull();
  });

  it('shows Argo CD for a service on Argo CD', async () => {
    const page = fleetPage();
    page.items[1].controller = 'argocd';
    await render({ getFleet: jest.fn(async () => page) }, <FleetContent />);
    const argo = await screen.findByTestId('fleet-row-checkout-web');
    expect(within(argo).getByTestId('controller-badge')).toHaveTextContent(
      'Argo CD',
    );
  });
});
