import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_ENVIRONMENTS } from '@slipway/plugin-slipway-node';
import {
  FakeWorld,
  HEAD_COMMIT,
  memoryCache,
  OLDER_COMMIT,
  serviceEntity,
} from '../__testUtils__/fakeProviders';
import { groupProviders } from '../providers/createDefaultProviders';
import { FluxProvider } from '../providers/FluxProvider';
import { DeployStateService, StateProviders } from './DeployStateService';
import { FleetService } from './FleetService';
import { SourceCache } from './SourceCache';

jest.setTimeout(60_000);

// The image the fake GitOps overlays set (see fakeProviders).
const IMAGE = `registry.example.com/acme/payments-api:${'d'.repeat(
  40,
)}@sha256:${'e'.repeat(64)}`;
const T = '2026-01-01T00:05:00Z';

/** What the fake cluster's Kustomizations of `ledger-api` report. */
interface ClusterState {
  applied: string;
  source: string;
  ready: { status: string; reason: string; message?: string };
  reconciling?: boolean;
  suspend?: boolean;
  image: string;
}

function fluxCluster(state: ClusterState) {
  const requests: string[] = [];
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), {
      headers: { 'content-type': 'application/json' },
    });
  const fetchImpl = (async (input: string) => {
    const url = new URL(input);
    requests.push(`${url.pathname}${url.search}`);
    if (url.pathname.endsWith('/kustomizations')) {
      return json({
        kind: 'KustomizationList',
        items: ['dev', 'staging', 'prod'].map(env => ({
          metadata: {
            name: `ledger-api-${env}`,
            namespace: 'team-payments',
            labels: {
              'slipway.dev/app': 'ledger-api',
              'slipway.dev/environment': env,
            },
          },
          spec: {
            sourceRef: { kind: 'GitRepository', name: 'gitops' },
            suspend: state.suspend,
          },
          status: {
            lastAppliedRevision: `main@sha1:${state.applied}`,
            lastAttemptedRevision: `main@sha1:${state.source}`,
            conditions: [
              { type: 'Ready', lastTransitionTime: T, ...state.ready },
              ...(state.reconciling
                ? [
                    {
                      type: 'Reconciling',
                      status: 'True',
                      reason: 'Progressing',
                      lastTransitionTime: T,
                    },
                  ]
                : []),
            ],
            inventory: {
              entries: [{ id: `ledger-api-${env}_ledger-api_apps_Deployment` }],
            },
          },
        })),
      });
    }
    if (url.pathname.endsWith('/helmreleases')) return json({ items: [] });
    if (url.pathname.endsWith('/gitrepositories/gitops')) {
      return json({
        status: { artifact: { revision: `main@sha1:${state.source}` } },
      });
    }
    if (url.pathname.endsWith('/deployments/ledger-api')) {
      return json({
        spec: {
          template: { spec: { containers: [{ image: state.image }] } },
        },
      });
    }
    return new Response('{}', { status: 404 });
  }) as typeof fetch;
  return { fetch: fetchImpl, requests };
}

const ENTITY = serviceEntity('ledger-api', {
  'slipway.dev/flux-selector': 'slipway.dev/app=ledger-api',
  'slipway.dev/flux-cluster': 'main',
});
const REF = { kind: 'component', namespace: 'default', name: 'ledger-api' };

function services(state: ClusterState) {
  const world = new FakeWorld();
  const cluster = fluxCluster(state);
  // A Flux cluster named like the Argo CD instance ("main"): the entity's
  // annotation, not the name, picks the provider.
  const flux = FluxProvider.create({
    name: 'main',
    url: 'http://k8s.test',
    serviceAccountToken: 'read',
    fetch: cluster.fetch,
  });
  const providers = groupProviders([
    ...world.providers(),
    flux,
  ]) as StateProviders;
  const cache = () =>
    SourceCache.create({ cache: memoryCache(), timeoutMs: 2_000, ttlMs: 0 });
  const options = {
    catalog: catalogServiceMock({ entities: [ENTITY] }),
    environments: DEFAULT_ENVIRONMENTS,
    providers,
  };
  return {
    world,
    cluster,
    deployState: DeployStateService.create({ ...options, sources: cache() }),
    fleet: FleetService.create({ ...options, sources: cache() }),
  };
}

const deployed: ClusterState = {
  applied: HEAD_COMMIT,
  source: HEAD_COMMIT,
  ready: { status: 'True', reason: 'ReconciliationSucceeded' },
  image: IMAGE,
};

async function stateOf(state: ClusterState) {
  const { deployState, world, cluster } = services(state);
  const entity = await deployState.getEntityState(REF, mockCredentials.user());
  return { entity, world, cluster };
}

describe('a Flux entity through the one "deployed" rule (issue 15)', () => {
  it('is deployed when the applied revision is the promoted commit and Ready is True', async () => {
    const { entity, world, cluster } = await stateOf(deployed);
    for (const env of entity.environments) {
      expect(env).toMatchObject({
        controller: 'flux',
        deployed: true,
        drift: { drifted: false, reasons: [] },
        live: {
          controller: 'flux',
          namespace: 'team-payments',
          application: `ledger-api-${env.environment}`,
          instance: 'main',
          revision: HEAD_COMMIT,
          syncStatus: 'Synced',
          healthStatus: 'Healthy',
        },
      });
    }
    expect(entity.sources.find(s => s.kind === 'delivery')).toMatchObject({
      source: 'flux:main',
      status: 'ok',
    });
    // Argo CD, though named like the cluster, is never asked.
    expect(world.calls.delivery).toBe(0);
    expect(cluster.requests).toContain(
      '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?labelSelector=slipway.dev%2Fapp%3Dledger-api',
    );
  });

  it('is drifted, not deployed, when the source moved past the applied revision', async () => {
    const { entity } = await stateOf({ ...deployed, applied: OLDER_COMMIT });
    const staging = entity.environments[1];
    expect(staging.deployed).toBe(false);
    expect(staging.live?.syncStatus).toBe('OutOfSync');
    expect(staging.drift.drifted).toBe(true);
    expect(staging.drift.reasons).toContain('Flux reports OutOfSync');
    expect(staging.deployedReason).toMatch(
      /does not carry the desired overlay/,
    );
  });

  it('is not deployed while reconciling', async () => {
    const { entity } = await stateOf({
      ...deployed,
      ready: { status: 'Unknown', reason: 'Progressing' },
      reconciling: true,
    });
    const staging = entity.environments[1];
    expect(staging.deployed).toBe(false);
    expect(staging.live?.healthStatus).toBe('Progressing');
    expect(staging.live?.operation?.phase).toBe('Running');
  });

  it('is not deployed, and says why, when Ready is False', async () => {
    const { entity } = await stateOf({
      ...deployed,
      ready: {
        status: 'False',
        reason: 'HealthCheckFailed',
        message:
          'timeout waiting for: [Deployment/ledger-api-staging/ledger-api]',
      },
    });
    const staging = entity.environments[1];
    expect(staging.deployed).toBe(false);
    expect(staging.live?.healthStatus).toBe('Degraded');
    expect(staging.deployedReason).toBe('The Kustomization is Degraded');
    expect(staging.live?.operation).toMatchObject({
      phase: 'Failed',
      message:
        'timeout waiting for: [Deployment/ledger-api-staging/ledger-api]',
    });
  });

  it('is not deployed when suspended', async () => {
    const { entity } = await stateOf({ ...deployed, suspend: true });
    expect(entity.environments.map(e => e.deployed)).toEqual([
      false,
      false,
      false,
    ]);
    expect(entity.environments[0].live?.healthStatus).toBe('Suspended');
  });

  it('is drifted when the cluster runs another image', async () => {
    const { entity } = await stateOf({
      ...deployed,
      image: 'registry.example.com/acme/payments-api:old',
    });
    const dev = entity.environments[0];
    expect(dev.deployed).toBe(false);
    expect(dev.drift.drifted).toBe(true);
  });

  it('shows on the fleet with its controller and the same verdict', async () => {
    const { fleet, world } = services(deployed);
    const page = await fleet.getFleet(mockCredentials.user(), {});
    const row = page.items.find(
      r => r.entityRef === 'component:default/ledger-api',
    );
    expect(row?.controller).toBe('flux');
    expect(Object.values(row?.cells ?? {}).map(cell => cell.deployed)).toEqual([
      true,
      true,
      true,
    ]);
    expect(world.calls.delivery).toBe(0);
  });
});
