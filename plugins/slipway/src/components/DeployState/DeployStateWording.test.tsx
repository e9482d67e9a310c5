import { Entity } from '@backstage/catalog-model';
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
  readEntityDeployConfig,
  SlipwayApi,
} from '@slipway/plugin-slipway-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ReactNode } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  ago,
  annotatedEntity,
  bareEntity,
  healthyEnv,
  healthyState,
  NOW,
  okSources,
  SHA_NEW,
  SHA_OLD,
} from '../../__testUtils__/fixtures';
import { EntityDeployContent } from '../EntityDeployContent';
import { EntityDeployCard } from '../EntityDeployContent/EntityDeployCard';
import { isSlipwayAvailable } from '../EntityDeployContent/isSlipwayAvailable';

const IMAGE = 'harbor.example.com/acme/payments-api';

function render(
  entity: Entity,
  api: Partial<SlipwayApi>,
  children: ReactNode = <EntityDeployContent />,
) {
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
      <EntityProvider entity={entity}>{children}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

function stateApi(state: EntityState) {
  return {
    getEntityState: jest.fn(async () => state),
    getEntityConfig: jest.fn(),
    getEntityHistory: jest.fn(),
  };
}

async function card(environment: string) {
  return within(await screen.findByRole('region', { name: environment }));
}

function tone(element: HTMLElement) {
  return element.closest('[data-tone]')?.getAttribute('data-tone');
}

function stepLabels() {
  return within(screen.getByRole('list', { name: 'Delivery pipeline' }))
    .getAllByRole('listitem')
    .map(step => step.getAttribute('aria-label'));
}

/** A new service: the overlay still has the scaffolded tag, nothing runs. */
function scaffoldedEnv(environment: string): EnvironmentState {
  return {
    environment,
    syncMode: environment === 'dev' ? 'auto' : 'manual',
    desired: {
      path: `apps/payments-api/overlays/${environment}`,
      image: { repository: IMAGE, tag: 'scaffolded' },
    },
    live: {
      application: `payments-api-${environment}`,
      instance: 'sandbox',
      syncStatus: 'OutOfSync',
      healthStatus: 'Missing',
      images: [],
    },
    drift: {
      drifted: true,
      reasons: [
        'Argo CD reports OutOfSync',
        `Git wants ${IMAGE}:scaffolded; the cluster reports no images`,
      ],
    },
    deployed: false,
    deployedReason: 'Argo CD reports no synced revision',
    artifact: { image: { repository: IMAGE, tag: 'scaffolded' } },
  };
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('one verdict per environment', () => {
  it('a never-promoted service is a calm "Awaiting first deploy", behind its passed build, without drift or a red Missing', async () => {
    const state = healthyState({
      environments: ['dev', 'staging', 'prod'].map(scaffoldedEnv),
    });
    await render(annotatedEntity, stateApi(state));
    const dev = await card('dev');
    const chip = dev.getByText('Awaiting first deploy');
    expect(tone(chip)).toBe('unknown');
    expect(dev.queryByText(/Drift/)).not.toBeInTheDocument();
    expect(tone(dev.getByText('Health: Missing'))).toBe('unknown');
    expect(tone(dev.getByText('Sync: OutOfSync'))).toBe('unknown');
    expect(dev.getByRole('status')).toHaveTextContent(
      /still has the scaffolded placeholder tag/,
    );
    expect(dev.getByText('Behind ci #42')).toBeInTheDocument();
    expect(stepLabels().slice(3)).toEqual([
      'dev: Awaiting first deploy, scaffolded, behind ci #42',
      'staging: Awaiting first deploy, scaffolded',
      'prod: Awaiting first deploy, scaffolded',
    ]);
    for (const step of ['dev', 'staging', 'prod']) {
      const box = screen.getByTestId(`pipeline-step-env-${step}`);
      expect(
        [...box.querySelectorAll('[data-tone]')].map(e =>
          e.getAttribute('data-tone'),
        ),
      ).not.toContain('error');
    }
  });

  it('a canary at 25% reads "Rolling out 25%" on the card and the strip, never "Not yet deployed", with readable pause text', async () => {
    const prod = healthyEnv('prod', { deployed: false });
    prod.live!.healthStatus = 'Suspended';
    prod.live!.rollout = {
      strategy: 'canary',
      phase: 'Paused',
      currentStep: 2,
      totalSteps: 5,
      weight: 25,
      paused: true,
      pauseReason: 'CanaryPauseStep',
      message: 'CanaryPauseStep',
    };
    await render(
      annotatedEntity,
      stateApi(
        healthyState({
          environments: [healthyEnv('dev'), healthyEnv('staging'), prod],
        }),
      ),
    );
    const card3 = await card('prod');
    expect(tone(card3.getByText('Rolling out 25%'))).toBe('progress');
    expect(card3.getByText('Paused at a canary step')).toBeInTheDocument();
    expect(screen.queryByText(/not yet deployed/i)).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain('CanaryPauseStep');
    expect(stepLabels()[5]).toBe('prod: Rolling out 25%, a1b2c3d');
  });

  it('a blue-green rollout shows active and preview and the promotion state, never canary steps or traffic', async () => {
    const prod = healthyEnv('prod', { deployed: false });
    prod.live!.healthStatus = 'Suspended';
    prod.live!.rollout = {
      strategy: 'blueGreen',
      phase: 'Paused',
      paused: true,
      pauseReason: 'BlueGreenPause',
      message: 'BlueGreenPause',
      blueGreen: {
        activeService: 'payments-api-active',
        previewService: 'payments-api-preview',
        activeSelector: '5d8b7c9f44',
        previewSelector: '6f7c9d5b88',
        currentPodHash: '6f7c9d5b88',
        autoPromotionEnabled: false,
      },
    };
    await render(
      annotatedEntity,
      stateApi(
        healthyState({
          environments: [healthyEnv('dev'), healthyEnv('staging'), prod],
        }),
      ),
    );
    const card3 = await card('prod');
    const rollout = within(
      card3.getByRole('region', { name: 'Rollout in prod' }),
    );
    expect(
      rollout.getByText('Rollout: Blue-green, awaiting promotion'),
    ).toBeInTheDocument();
    const services = rollout.getByLabelText('Blue-green services in prod');
    expect(services).toHaveTextContent(
      'Activepayments-api-active serves the previous version (5d8b7c9f44)',
    );
    expect(services).toHaveTextContent(
      'Previewpayments-api-preview serves the new version (6f7c9d5b88)',
    );
    expect(services).toHaveTextContent(
      'PromotionAwaiting promotion (manual promotion)',
    );
    expect(rollout.getByText('Waiting for promotion')).toBeInTheDocument();
    expect(
      rollout.queryByRole('progressbar', { name: /Traffic/ }),
    ).not.toBeInTheDocument();
    expect(
      card3.getByRole('region', { name: 'Rollout in prod' }),
    ).not.toHaveTextContent(/step|traffic|BlueGreenPause/);
    expect(card3.getByText('Awaiting promotion')).toBeInTheDocument();
    expect(stepLabels()[5]).toBe('prod: Awaiting promotion, a1b2c3d');
  });

  it('a Deployment shows its rollout status', async () => {
    const staging = healthyEnv('staging', { deployed: false });
    staging.live!.healthStatus = 'Progressing';
    staging.live!.rollout = {
      strategy: 'deployment',
      phase: 'Progressing',
      message:
        'Waiting for rollout to finish: 1 of 3 updated replicas are available...',
    };
    await render(
      annotatedEntity,
      stateApi(
        healthyState({
          environments: [healthyEnv('dev'), staging, healthyEnv('prod')],
        }),
      ),
    );
    const card2 = await card('staging');
    expect(
      card2.getByText('Rollout: Deployment, rolling out'),
    ).toBeInTheDocument();
    expect(
      card2.getByText(
        'Deployment rolling out: Waiting for rollout to finish: 1 of 3 updated replicas are available...',
      ),
    ).toBeInTheDocument();
    expect(tone(card2.getByText('Rolling out'))).toBe('progress');
  });

  it.each([
    ['Degraded', { healthStatus: 'Degraded' as const }, 'error'],
    [
      'Sync failed',
      { operation: { phase: 'Failed' as const, message: 'hook failed' } },
      'error',
    ],
  ])('says "%s"', async (label, live, expectedTone) => {
    const staging = healthyEnv('staging', { deployed: false });
    Object.assign(staging.live!, live);
    await render(
      annotatedEntity,
      stateApi(
        healthyState({
          environments: [healthyEnv('dev'), staging, healthyEnv('prod')],
        }),
      ),
    );
    const card2 = await card('staging');
    expect(card2.getAllByText(label)[0].closest('[data-tone]')).toHaveAttribute(
      'data-tone',
      expectedTone,
    );
    expect(stepLabels()[4]).toBe(`staging: ${label}, a1b2c3d`);
  });

  it('a manual environment whose Git changed after its last sync is "Awaiting sync", not drift', async () => {
    const prod = healthyEnv('prod', {
      deployed: false,
      drift: {
        drifted: true,
        reasons: [`Git wants ${IMAGE}:new; the cluster runs ${IMAGE}:old`],
      },
    });
    prod.live!.syncStatus = 'OutOfSync';
    prod.live!.lastSyncedAt = ago(86_400);
    await render(
      annotatedEntity,
      stateApi(
        healthyState({
          environments: [healthyEnv('dev'), healthyEnv('staging'), prod],
        }),
      ),
    );
    const card3 = await card('prod');
    expect(tone(card3.getByText('Awaiting sync'))).toBe('warning');
    expect(card3.queryByText(/Drift/)).not.toBeInTheDocument();
  });
});

describe('sources and their notices', () => {
  it('nothing from a rate-limited registry is green; one readable notice per failing source', async () => {
    const sources = okSources().map(s => {
      if (s.kind === 'artifacts') {
        return {
          ...s,
          status: 'rate-limited' as const,
          retryAt: new Date(NOW + 5 * 60_000).toISOString(),
          message: 'harbor answered 429 at 2026-05-04T11:58:00Z',
        };
      }
      if (s.kind === 'delivery') {
        return {
          ...s,
          status: 'error' as const,
          message: 'argocd:sandbox timed out',
        };
      }
      return s;
    });
    await render(annotatedEntity, stateApi(healthyState({ sources })));
    await card('dev');
    const images = screen.getByRole('table', {
      name: 'Images and their checks',
    });
    expect(tone(within(images).getByText('Signed (1 signature)'))).toBe(
      'unknown',
    );
    expect(tone(within(images).getByText('no critical or high'))).toBe(
      'unknown',
    );
    const notices = within(
      screen.getByRole('group', { name: 'Sources with problems' }),
    ).getAllByRole('status');
    expect(notices).toHaveLength(2);
    expect(notices[0]).toHaveTextContent(
      'Argo CD unreachable; showing Git state from 5 s ago. Argo CD timed out',
    );
    expect(notices[1]).toHaveTextContent(
      /^Harbor rate limited until .+ \(in 5 minutes\)\. Harbor answered 429 at /,
    );
    const text = document.body.textContent ?? '';
    expect(text).not.toContain('argocd:sandbox');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    // Every environment is last-known, grey.
    for (const env of ['dev', 'staging', 'prod']) {
      expect(tone((await card(env)).getByText(/^Last known: deployed/))).toBe(
        'unknown',
      );
    }
  });
});

describe('behind and the build', () => {
  it('explains when the scan and the latest build are of different commits, and marks dev behind the newer build', async () => {
    const state = healthyState();
    state.builds = [
      {
        id: '43',
        name: 'CI',
        number: 43,
        status: 'completed',
        conclusion: 'success',
        commit: SHA_OLD,
        branch: 'main',
      },
      ...state.builds.map(b => ({ ...b, branch: 'main' })),
    ];
    await render(annotatedEntity, stateApi(state));
    const dev = await card('dev');
    expect(dev.getByText('Behind CI #43')).toBeInTheDocument();
    expect(screen.getByTestId('pipeline-step-scan')).toHaveTextContent(
      'Scan of a1b2c3d, the image Git sets for dev; the latest build (CI #43) is of 0f1e2d3',
    );
    expect(stepLabels()[3]).toBe('dev: Deployed, a1b2c3d, behind ci #43');
    const builds = screen.getByRole('table', { name: 'Recent builds' });
    expect(within(builds).getByText('CI #43')).toBeInTheDocument();
    expect(within(builds).getByText('ci #42').closest('a')).toHaveAttribute(
      'href',
      'https://github.example.com/acme/payments-api/actions/runs/42',
    );
  });
});

describe('history', () => {
  it('is full width under the cards, one row per deploy with the sync merged into its commit', async () => {
    const api = stateApi(healthyState());
    api.getEntityHistory.mockResolvedValue({
      items: [
        {
          environment: 'prod',
          source: 'argocd',
          revision: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
          at: ago(3500),
        },
        {
          environment: 'prod',
          source: 'gitops',
          revision: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
          at: ago(3600),
          message: 'Promote payments-api to prod',
          author: 'Ada Lovelace',
          image: { repository: IMAGE, tag: SHA_NEW },
        },
        {
          environment: 'prod',
          source: 'gitops',
          revision: 'beefbeefbeefbeefbeefbeefbeefbeefbeefbeef',
          at: ago(60),
          message: 'Promote a newer build',
        },
      ],
      sources: [],
    });
    await render(annotatedEntity, api);
    const prod = await card('prod');
    await userEvent.click(
      prod.getByRole('button', { name: 'History of prod' }),
    );
    const section = await screen.findByRole('region', {
      name: 'History of prod, newest first',
    });
    // Not inside the card.
    expect(
      within(screen.getByRole('region', { name: 'prod' })).queryByRole('table'),
    ).not.toBeInTheDocument();
    const table = within(section).getByRole('table', {
      name: 'Deployment history of prod',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Promote a newer build');
    expect(rows[0]).toHaveTextContent('not synced yet');
    expect(rows[1]).toHaveTextContent('Promote payments-api to prod');
    expect(rows[1]).toHaveTextContent('synced 58 minutes ago');
    expect(rows[1]).toHaveTextContent('by Ada Lovelace');
    expect(prod.getByRole('button', { name: 'Hide history' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    // Switch environment from the section.
    api.getEntityHistory.mockResolvedValue({ items: [], sources: [] });
    await userEvent.click(within(section).getByRole('button', { name: 'dev' }));
    expect(
      await screen.findByText('No deployments recorded for dev.'),
    ).toBeInTheDocument();
  });
});

describe('EntityDeployCard (Overview tab)', () => {
  it('shows one line per environment with version, verdict and age, linking to the Deploy tab', async () => {
    const prod = healthyEnv('prod', { deployed: false });
    prod.live!.rollout = {
      strategy: 'canary',
      weight: 25,
      paused: true,
      phase: 'Paused',
    };
    const api = stateApi(
      healthyState({
        environments: [healthyEnv('dev'), scaffoldedEnv('staging'), prod],
      }),
    );
    await render(annotatedEntity, api, <EntityDeployCard />);
    const table = await screen.findByRole('table', {
      name: 'Deployments by environment',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      'deva1b2c3dDeployed58 minutes ago',
      'stagingscaffoldedAwaiting first deployat an unknown time',
      'proda1b2c3dRolling out 25%58 minutes ago',
    ]);
    expect(
      within(rows[0]).getByRole('link', { name: 'dev on the Deploy tab' }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api/deploy');
    expect(api.getEntityState).toHaveBeenCalledTimes(1);
  });

  it('asks for nothing for an entity without annotations, and points to the setup card', async () => {
    const api = stateApi(healthyState());
    await render(bareEntity, api, <EntityDeployCard />);
    expect(
      await screen.findByText(/Slipway is not set up for this entity/),
    ).toBeInTheDocument();
    expect(api.getEntityState).not.toHaveBeenCalled();
  });
});

describe('setup card', () => {
  const environments = [{ name: 'dev', syncMode: 'auto' as const }];

  it('offers a catalog-info.yaml with the entity’s own values to copy', async () => {
    const entity: Entity = {
      ...bareEntity,
      metadata: {
        ...bareEntity.metadata,
        namespace: 'billing',
        annotations: { 'github.com/project-slug': 'acme/legacy-billing' },
      },
    };
    await render(entity, {
      getEntityState: jest.fn(),
      getEntityConfig: async () =>
        readEntityDeployConfig(entity, { environments }),
    });
    const snippet = await screen.findByRole('region', {
      name: 'catalog-info.yaml to copy',
    });
    const text = snippet.textContent ?? '';
    for (const line of [
      'kind: Component',
      'name: legacy-billing',
      'namespace: billing',
      'github.com/project-slug: acme/legacy-billing',
      'argocd/app-selector: slipway.dev/app=legacy-billing',
      'slipway.dev/gitops-path: apps/legacy-billing',
      'slipway.dev/image: <registry>/<org>/legacy-billing',
    ]) {
      expect(text).toContain(line);
    }
    expect(
      screen.getByText(/argocd\/app-selector \(or argocd\/app-name\)/),
    ).toBeInTheDocument();
  });

  it('accepts argocd/app-name: the tab opens, and the snippet keeps it', async () => {
    const entity: Entity = {
      ...bareEntity,
      metadata: {
        ...bareEntity.metadata,
        annotations: { 'argocd/app-name': 'legacy-billing-dev' },
      },
    };
    expect(isSlipwayAvailable(entity)).toBe(true);
    expect(isSlipwayAvailable(bareEntity)).toBe(false);
    const { setupSnippet } = await import(
      '../EntityDeployContent/setupSnippet'
    );
    const snippet = setupSnippet(
      entity,
      readEntityDeployConfig(entity, { environments }),
    );
    expect(snippet).toContain('argocd/app-name: legacy-billing-dev');
    expect(snippet).not.toContain('argocd/app-selector');
  });
});
