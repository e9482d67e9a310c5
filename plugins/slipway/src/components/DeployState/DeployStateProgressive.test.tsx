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
import { EntityState, SlipwayApi } from '@slipway/plugin-slipway-common';
import { act, renderHook, screen, within } from '@testing-library/react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  annotatedEntity,
  healthyState,
  NOW,
  okSources,
} from '../../__testUtils__/fixtures';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { EntityDeployContent } from '../EntityDeployContent';

/** What the backend streams first when Argo CD is slow: Git, CI, registry and quality answered. */
function argoPendingState(): EntityState {
  const complete = healthyState();
  return {
    ...complete,
    environments: complete.environments.map(
      ({ live: _live, deployedReason: _reason, ...env }) => ({
        ...env,
        deployed: false,
        drift: { drifted: false, reasons: [] },
      }),
    ),
    sources: okSources().map(s =>
      s.kind === 'delivery'
        ? {
            source: s.source,
            kind: s.kind,
            status: 'pending' as const,
            message: 'Waiting for Argo CD to answer',
          }
        : s,
    ),
  };
}

function render(api: Partial<SlipwayApi>) {
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
      <EntityProvider entity={annotatedEntity}>
        <EntityDeployContent />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the Deploy tab paints each part as its sources answer', () => {
  it('shows Git and CI while Argo CD is pending, with skeletons for the live parts, then the complete state', async () => {
    let finish!: (state: EntityState) => void;
    const getEntityState = jest.fn(
      (_entity: unknown, options?: { onPartial?: (s: EntityState) => void }) =>
        new Promise<EntityState>(resolve => {
          finish = resolve;
          options?.onPartial?.(argoPendingState());
        }),
    );
    await render({ getEntityState } as Partial<SlipwayApi>);

    const dev = within(await screen.findByRole('region', { name: 'dev' }));
    // Git's part: the desired image and its commit.
    expect(dev.getByText('Promote payments-api to dev')).toBeInTheDocument();
    // Argo CD's part: loading, never unknown, failed or green.
    expect(
      dev.getByRole('progressbar', { name: 'Loading the state of dev' }),
    ).toBeInTheDocument();
    expect(
      dev.getByRole('progressbar', { name: 'Loading Argo CD state of dev' }),
    ).toBeInTheDocument();
    expect(dev.queryByText('Live state unknown')).not.toBeInTheDocument();
    expect(dev.queryByText('Deployed')).not.toBeInTheDocument();
    expect(screen.queryByText(/unreachable/)).not.toBeInTheDocument();
    expect(
      screen.queryByRole('group', { name: 'Sources with problems' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText('Argo CD: loading…')).toBeInTheDocument();
    const strip = within(
      screen.getByRole('list', { name: 'Delivery pipeline' }),
    );
    expect(
      strip.getByRole('listitem', { name: /^dev: Loading…/ }),
    ).toBeTruthy();
    // CI's part: the build.
    expect(strip.getByRole('listitem', { name: /^Build: / })).toBeTruthy();

    await act(async () => finish(healthyState()));
    expect(await dev.findByText('Deployed')).toBeInTheDocument();
    expect(
      screen.queryByRole('progressbar', { name: /^Loading/ }),
    ).not.toBeInTheDocument();
    expect(getEntityState).toHaveBeenCalledTimes(1);
  });
});

describe('useLiveQuery with parts', () => {
  it('shows parts on the first load, but never in place of a whole answer on refresh', async () => {
    const calls: {
      partial: (value: string) => void;
      resolve: (value: string) => void;
    }[] = [];
    const { result } = renderHook(() =>
      useLiveQuery<string>(
        'key',
        partial =>
          new Promise<string>(resolve => calls.push({ partial, resolve })),
      ),
    );
    await act(async () => calls[0].partial('part 1'));
    expect(result.current).toMatchObject({
      value: 'part 1',
      loading: false,
      refreshing: true,
    });
    await act(async () => calls[0].resolve('whole 1'));
    expect(result.current).toMatchObject({
      value: 'whole 1',
      refreshing: false,
    });
    await act(async () => result.current.refresh());
    await act(async () => calls[1].partial('part 2'));
    expect(result.current).toMatchObject({
      value: 'whole 1',
      refreshing: true,
    });
    await act(async () => calls[1].resolve('whole 2'));
    expect(result.current.value).toBe('whole 2');
  });
});
