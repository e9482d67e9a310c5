import { Entity } from '@backstage/catalog-model';
import { configApiRef } from '@backstage/core-plugin-api';
import { ConfigReader } from '@backstage/config';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntityState,
  readEntityDeployConfig,
  SlipwayApi,
} from '@slipway/plugin-slipway-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  ago,
  annotatedEntity,
  bareEntity,
  healthyEnv,
  healthyState,
  NOW,
  okSources,
  SHA_OLD,
  DIGEST_OLD,
  SHA_NEW,
  DIGEST_NEW,
} from '../../__testUtils__/fixtures';
import { seriousViolations } from '../../__testUtils__/axe';
import { EntityDeployContent } from './EntityDeployContent';

const environments = [
  { name: 'dev', syncMode: 'auto' as const },
  { name: 'staging', syncMode: 'manual' as const },
  { name: 'prod', syncMode: 'manual' as const },
];

type Listener = (message: object) => void;

function fakeSignals() {
  const listeners = new Map<string, Listener[]>();
  return {
    api: {
      subscribe(channel: string, onMessage: Listener) {
        listeners.set(channel, [...(listeners.get(channel) ?? []), onMessage]);
        return { unsubscribe: () => listeners.delete(channel) };
      },
    },
    publish(channel: string, message: object) {
      for (const listener of listeners.get(channel) ?? []) listener(message);
    },
    channels: () => [...listeners.keys()],
  };
}

function render(
  entity: Entity,
  api: Partial<SlipwayApi>,
  options: { config?: object; signals?: ReturnType<typeof fakeSignals> } = {},
) {
  const apis: any[] = [
    [
      slipwayApiRef,
      {
        listPromotions: async () => ({ items: [] }),
        listFreezes: async () => [],
        ...api,
      },
    ],
    [configApiRef, new ConfigReader(options.config ?? {})],
    [permissionApiRef, mockApis.permission()],
  ];
  if (options.signals) apis.push([signalApiRef, options.signals.api]);
  return renderInTestApp(
    <TestApiProvider apis={apis as any}>
      <EntityProvider entity={entity}>
        <EntityDeployContent />
      </EntityProvider>
    </TestApiProvider>,
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

function tones(element: HTMLElement) {
  return [...element.querySelectorAll('[data-tone]')].map(e => [
    e.textContent,
    e.getAttribute('data-tone'),
  ]);
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('EntityDeployContent', () => {
  it('shows skeletons while the state loads', async () => {
    await render(annotatedEntity, {
      getEntityState: () => new Promise(() => {}),
    });
    expect(
      screen.getByRole('progressbar', { name: 'Loading deploy state' }),
    ).toBeInTheDocument();
  });

  it('names the missing annotations for an entity without them, without asking for state', async () => {
    const getEntityState = jest.fn();
    await render(bareEntity, {
      getEntityState,
      getEntityConfig: async () =>
        readEntityDeployConfig(bareEntity, { environments }),
    });
    expect(await screen.findByText('Annotations missing')).toBeInTheDocument();
    expect(
      screen.getByText(
        /Add slipway.dev\/gitops-repo, slipway.dev\/gitops-path, slipway.dev\/image, argocd\/app-selector/,
      ),
    ).toBeInTheDocument();
    expect(getEntityState).not.toHaveBeenCalled();
  });

  it('renders a healthy entity from one request', async () => {
    const api = stateApi(healthyState());
    await render(annotatedEntity, api);

    const pipeline = await screen.findByRole('list', {
      name: 'Delivery pipeline',
    });
    const steps = within(pipeline).getAllByRole('listitem');
    expect(steps.map(s => s.getAttribute('aria-label'))).toEqual([
      'Commit: latest, a1b2c3d',
      'Build: passed, a1b2c3d',
      'Scan: no critical or high, a1b2c3d',
      'dev: Deployed, a1b2c3d',
      'staging: Deployed, a1b2c3d',
      'prod: Deployed, a1b2c3d',
    ]);
    const prod = await card('prod');
    expect(prod.getByText('Deployed')).toBeInTheDocument();
    expect(prod.getByText('sha256:111111111111')).toBeInTheDocument();
    expect(prod.getByText('Promote payments-api to prod')).toBeInTheDocument();
    expect(prod.getByText('c0ffee0').closest('a')).toHaveAttribute(
      'href',
      'https://git.example.com/acme/gitops/commit/c0ffee00prod',
    );
    expect(prod.getByText('1 hour ago')).toHaveAttribute(
      'title',
      '2026-05-04 11:00:00 UTC',
    );
    expect(prod.getByText('Sync: Synced')).toBeInTheDocument();
    expect(prod.getByText('Health: Healthy')).toBeInTheDocument();
    const links = prod.getByRole('list', { name: 'Links for prod' });
    expect(
      within(links).getByRole('link', { name: /^Argo CD \(prod\)/ }),
    ).toHaveAttribute(
      'href',
      'https://argocd.example.com/applications/payments-api-prod',
    );
    expect(
      within(links)
        .getAllByRole('link')
        .map(l => l.getAttribute('aria-label')?.split(',')[0]),
    ).toEqual([
      'Argo CD (prod)',
      'Build ci #42 (prod)',
      'Registry (prod)',
      'Scan report (prod)',
    ]);
    expect(screen.getByText('12 s ago')).toBeInTheDocument();
    const builds = screen.getByRole('table', { name: 'Recent builds' });
    expect(builds).toHaveTextContent('ci #42');
    expect(builds).toHaveTextContent('3 min 5 s');
    const images = screen.getByRole('table', {
      name: 'Images and their checks',
    });
    expect(images).toHaveTextContent('Signed (1 signature)');
    expect(images).toHaveTextContent('0 / 0 / 2 / 5');
    expect(api.getEntityState).toHaveBeenCalledTimes(1);
    expect(api.getEntityConfig).not.toHaveBeenCalled();
    expect(api.getEntityHistory).not.toHaveBeenCalled();
  });

  it('says Argo CD is unreachable and shows the Git state, never as green', async () => {
    const sources = okSources().map(s =>
      s.kind === 'delivery'
        ? {
            ...s,
            status: 'error' as const,
            message: 'connect ECONNREFUSED',
          }
        : { ...s, fetchedAt: s.kind === 'gitops' ? ago(120) : s.fetchedAt },
    );
    // Argo CD's last answer (cached) said healthy; it must not show green.
    await render(annotatedEntity, stateApi(healthyState({ sources })));
    const prod = await card('prod');
    // One notice for the failing source, above the cards, not one per card.
    expect(
      screen.getAllByText(
        /Argo CD unreachable; showing Git state from 2 minutes ago/,
      ),
    ).toHaveLength(1);
    expect(prod.getByText(/^Last known: deployed/)).toBeInTheDocument();
    expect(prod.getByText('Promote payments-api to prod')).toBeInTheDocument();
    const prodCard = screen.getByRole('region', { name: 'prod' });
    expect(tones(prodCard).filter(([, tone]) => tone === 'ok')).toEqual([]);
    const step = screen.getByTestId('pipeline-step-env-prod');
    expect(step.querySelector('[data-tone]')).not.toHaveAttribute(
      'data-tone',
      'ok',
    );
    expect(
      screen.getByText('Argo CD: unreachable').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'error');
  });

  it('shows drift with its reasons', async () => {
    const prod = healthyEnv('prod', {
      deployed: false,
      drift: {
        drifted: true,
        reasons: ['live image differs from Git', 'OutOfSync'],
      },
    });
    prod.live!.syncStatus = 'OutOfSync';
    await render(
      annotatedEntity,
      stateApi(
        healthyState({
          environments: [healthyEnv('dev'), healthyEnv('staging'), prod],
        }),
      ),
    );
    const card3 = await card('prod');
    expect(
      card3.getByText('Drift: Git and the cluster disagree'),
    ).toBeInTheDocument();
    const reasons = card3.getByRole('list', { name: 'Drift reasons in prod' });
    expect(reasons).toHaveTextContent('live image differs from Git');
    expect(card3.getByText('Drifted')).toBeInTheDocument();
    expect(card3.queryByText(/not yet deployed/i)).not.toBeInTheDocument();
    const sides = card3.getByLabelText('Git and cluster in prod');
    expect(sides).toHaveTextContent(
      `Git wants${'harbor.example.com/acme/payments-api'}:${SHA_NEW}@${DIGEST_NEW}`,
    );
    expect(sides).toHaveTextContent(
      `Cluster runsharbor.example.com/acme/payments-api@${DIGEST_NEW} (OutOfSync)`,
    );
    expect(
      card3.getByText('Sync: OutOfSync').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'warning');
    expect(
      screen.getByRole('listitem', { name: /^prod: Drifted/ }),
    ).toBeInTheDocument();
  });

  it('shows a canary mid-rollout: step 2 of 5, 25 % traffic, paused', async () => {
    const prod = healthyEnv('prod', { deployed: false });
    prod.live!.healthStatus = 'Progressing';
    prod.live!.rollout = {
      strategy: 'canary',
      phase: 'Paused',
      currentStep: 2,
      totalSteps: 5,
      weight: 25,
      paused: true,
      analysis: 'Running',
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
    expect(
      card3.getByText('Rollout: Canary, step 2 of 5 (Paused)'),
    ).toBeInTheDocument();
    const bar = card3.getByRole('progressbar', {
      name: 'Traffic to the new version in prod',
    });
    expect(bar).toHaveAttribute('aria-valuenow', '25');
    expect(card3.getByText('25% traffic')).toBeInTheDocument();
    expect(card3.getByText('Paused')).toBeInTheDocument();
    expect(card3.getByText('Analysis: Running')).toBeInTheDocument();
    expect(
      screen.getByRole('listitem', {
        name: 'prod: Rolling out 25%, a1b2c3d',
      }),
    ).toBeInTheDocument();
  });

  it('shows a degraded environment in red with text', async () => {
    const staging = healthyEnv('staging', { deployed: false });
    staging.live!.healthStatus = 'Degraded';
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
      card2.getByText('Health: Degraded').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'error');
    expect(
      screen.getByRole('listitem', { name: /^staging: Degraded/ }),
    ).toBeInTheDocument();
  });

  it('says until when a rate-limited source is limited', async () => {
    const sources = okSources().map(s =>
      s.kind === 'ci'
        ? {
            ...s,
            status: 'rate-limited' as const,
            retryAt: '2026-05-04T12:07:00Z',
          }
        : s,
    );
    await render(annotatedEntity, stateApi(healthyState({ sources })));
    const local = new Date('2026-05-04T12:07:00Z').toLocaleTimeString(
      undefined,
      { hour: '2-digit', minute: '2-digit' },
    );
    expect(
      await screen.findByText(
        `GitHub Actions rate limited until ${local} (in 7 minutes)`,
      ),
    ).toBeInTheDocument();
    for (const step of ['commit', 'build']) {
      expect(
        screen
          .getByTestId(`pipeline-step-${step}`)
          .querySelector('[data-tone]'),
      ).toHaveAttribute('data-tone', 'unknown');
    }
  });

  it('says how old stale data is', async () => {
    const sources = okSources().map(s =>
      s.kind === 'delivery'
        ? { ...s, status: 'stale' as const, fetchedAt: ago(300) }
        : s,
    );
    await render(annotatedEntity, stateApi(healthyState({ sources })));
    const dev = await card('dev');
    expect(
      screen.getAllByText(/Argo CD: data from 5 minutes ago/),
    ).toHaveLength(1);
    expect(
      dev.getByText('Health: Healthy').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'unknown');
  });

  it('shows a last-known verdict, never the green Deployed chip, when Argo CD is stale (issue 10)', async () => {
    const sources = okSources().map(s =>
      s.kind === 'delivery'
        ? { ...s, status: 'stale' as const, fetchedAt: ago(300) }
        : s,
    );
    const state = healthyState({ sources });
    state.environments = state.environments.map(env => ({
      ...env,
      deployed: false,
      deployedReason: 'Unknown: the Argo CD source is stale',
      lastKnown: {
        deployed: true,
        reason: 'The live revision carries the desired overlay',
        sources: ['Argo CD'],
        since: ago(300),
      },
    }));
    await render(annotatedEntity, stateApi(state));
    const dev = await card('dev');
    const chip = dev.getByText('Last known: deployed (5 minutes ago)');
    expect(chip.closest('[data-tone]')).toHaveAttribute('data-tone', 'unknown');
    expect(dev.queryByText('Deployed')).not.toBeInTheDocument();
  });

  it('says neutrally when a source is not configured', async () => {
    const sources = okSources().map(s =>
      s.kind === 'quality' ? { ...s, status: 'unconfigured' as const } : s,
    );
    await render(annotatedEntity, stateApi(healthyState({ sources })));
    expect(
      await screen.findByText('SonarQube not configured'),
    ).toBeInTheDocument();
  });

  it('refetches when the backend signals a change', async () => {
    const signals = fakeSignals();
    const api = stateApi(healthyState());
    await render(annotatedEntity, api, { signals });
    await screen.findByRole('list', { name: 'Delivery pipeline' });
    expect(signals.channels().sort()).toEqual([
      'slipway:entity:component:default/payments-api',
      'slipway:freezes',
      'slipway:promotions:component:default/payments-api',
    ]);
    const staging = healthyEnv('staging');
    staging.desired!.image = {
      ...staging.desired!.image!,
      tag: SHA_OLD,
      digest: DIGEST_OLD,
    };
    api.getEntityState.mockResolvedValue(
      healthyState({
        environments: [healthyEnv('dev'), staging, healthyEnv('prod')],
      }),
    );
    act(() => {
      signals.publish('slipway:entity:component:default/payments-api', {
        type: 'state-changed',
      });
      signals.publish('slipway:entity:component:default/payments-api', {
        type: 'state-changed',
      });
    });
    expect(
      await screen.findByRole(
        'listitem',
        { name: 'staging: Deployed, 0f1e2d3, behind dev' },
        { timeout: 3000 },
      ),
    ).toBeInTheDocument();
    expect(api.getEntityState).toHaveBeenCalledTimes(2);
    expect((await card('staging')).getByText('Behind dev')).toBeInTheDocument();
    expect((await card('prod')).queryByText(/Behind/)).not.toBeInTheDocument();
  });

  it('loads history of an environment on demand, newest first, with load more', async () => {
    const api = stateApi(healthyState());
    api.getEntityHistory
      .mockResolvedValueOnce({
        items: [
          {
            environment: 'prod',
            source: 'gitops',
            revision: 'aaaaaaa1111111',
            at: ago(7200),
            message: 'older',
          },
          {
            environment: 'prod',
            source: 'gitops',
            revision: 'bbbbbbb2222222',
            at: ago(60),
            message: 'newer',
          },
        ],
        nextCursor: 'page-2',
        sources: [],
      })
      .mockResolvedValueOnce({
        items: [
          {
            environment: 'prod',
            source: 'gitops',
            revision: 'ccccccc3333333',
            at: ago(86400 * 3),
            message: 'oldest',
          },
        ],
        sources: [],
      });
    await render(annotatedEntity, api);
    const prod = await card('prod');
    await userEvent.click(
      prod.getByRole('button', { name: 'History of prod' }),
    );
    const table = await screen.findByRole('table', {
      name: 'Deployment history of prod',
    });
    expect(api.getEntityHistory).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
      { environment: 'prod', limit: 10, cursor: undefined },
    );
    let rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[2].firstChild?.textContent),
    ).toEqual(['newer', 'older']);
    await userEvent.click(
      screen.getByRole('button', { name: 'Load more history of prod' }),
    );
    await waitFor(() =>
      expect(within(table).getAllByRole('row')).toHaveLength(4),
    );
    rows = within(table).getAllByRole('row').slice(1);
    expect(rows[2]).toHaveTextContent('oldest');
    expect(
      screen.queryByRole('button', { name: 'Load more history of prod' }),
    ).not.toBeInTheDocument();
  });

  it('shows a backend error instead of an empty tab', async () => {
    const error = Object.assign(new Error('Entity not found'), {
      name: 'NotFoundError',
    });
    await render(annotatedEntity, {
      getEntityState: async () => {
        throw error;
      },
    });
    expect(
      await screen.findByText('Error: Entity not found'),
    ).toBeInTheDocument();
  });

  it('says plainly when the data comes from the sandbox', async () => {
    await render(annotatedEntity, stateApi(healthyState()), {
      config: { slipway: { sandbox: true } },
    });
    expect(
      await screen.findByText(/local stand-ins, not real services/),
    ).toBeInTheDocument();
  });

  it('has no serious accessibility violations with a canary, drift, a failing source and history open', async () => {
    const prod = healthyEnv('prod', {
      deployed: false,
      drift: { drifted: true, reasons: ['live image differs from Git'] },
    });
    prod.live!.rollout = {
      strategy: 'canary',
      currentStep: 2,
      totalSteps: 5,
      weight: 25,
      paused: true,
      analysis: 'Running',
    };
    const sources = okSources().map(s =>
      s.kind === 'ci' ? { ...s, status: 'error' as const } : s,
    );
    const api = stateApi(
      healthyState({
        sources,
        environments: [healthyEnv('dev'), healthyEnv('staging'), prod],
      }),
    );
    api.getEntityHistory.mockResolvedValue({
      items: [
        {
          environment: 'prod',
          source: 'gitops',
          revision: 'bbbbbbb2222222',
          at: ago(60),
          message: 'newer',
        },
      ],
      nextCursor: 'more',
      sources: [],
    });
    const { container } = await render(annotatedEntity, api, {
      config: { slipway: { sandbox: true } },
    });
    const card3 = await card('prod');
    await userEvent.click(
      card3.getByRole('button', { name: 'History of prod' }),
    );
    await screen.findByRole('table', { name: 'Deployment history of prod' });
    expect(await seriousViolations(container)).toEqual([]);
    // axe over a full tab takes seconds on a loaded 2-core machine.
  }, 60_000);
});
