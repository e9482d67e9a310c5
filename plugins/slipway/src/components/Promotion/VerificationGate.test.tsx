import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { GateResult } from '@slipway/plugin-slipway-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
// usePermission caches answers in SWR; each render gets its own cache.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { SWRConfig } from 'swr';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { promotionsRouteRef } from '../../routes';
import {
  annotatedEntity,
  DIGEST_NEW,
  healthyState,
  NOW,
} from '../../__testUtils__/fixtures';
import { preview, promotion } from '../../__testUtils__/promotionFixtures';
import { DeployStateView } from '../DeployState/DeployStateView';
import { GateList } from './GateList';

// Rendering MUI tables and the Deploy tab takes seconds on a loaded 2-core machine.
jest.setTimeout(60_000);

const POLICY = { name: 'verified', version: 1 };
const pending: GateResult = {
  type: 'verification',
  status: 'pending',
  reason: 'Smoke verification in staging is running',
  policy: POLICY,
};
const unknown: GateResult = {
  type: 'verification',
  status: 'unknown',
  reason: `The newest smoke verification in staging is for sha256:eeeeeeeeeeee, not ${DIGEST_NEW.slice(
    0,
    19,
  )}`,
  policy: POLICY,
};
const passed: GateResult = {
  type: 'verification',
  status: 'pass',
  reason: 'K6 verification in staging passed',
  policy: POLICY,
};

function renderTab(api: Record<string, jest.Mock>) {
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={
          [
            [slipwayApiRef, api],
            [permissionApiRef, mockApis.permission()],
          ] as any
        }
      >
        <DeployStateView entity={annotatedEntity} />
      </TestApiProvider>
    </SWRConfig>,
    { mountedRoutes: { '/slipway/promotions': promotionsRouteRef } },
  );
}

function tabApi(overrides: Record<string, jest.Mock> = {}) {
  return {
    getEntityState: jest.fn(async () => healthyState()),
    getEntityHistory: jest.fn(async () => ({ items: [], sources: [] })),
    listPromotions: jest.fn(async () => ({ items: [] as any[] })),
    listFreezes: jest.fn(async () => [] as any[]),
    previewPromotion: jest.fn(async () => preview()),
    requestPromotion: jest.fn(),
    requestRollback: jest.fn(),
    getPromotion: jest.fn(async () => promotion()),
    ...overrides,
  };
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the verification gate in the UI', () => {
  it('is a gate row with its result and the reason, never green unless it passed', async () => {
    await renderInTestApp(
      <GateList gates={[passed, pending, unknown]} now={NOW} />,
    );
    const rows = within(screen.getByRole('table', { name: 'Gates' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows.map(row => row.textContent)).toEqual([
      'VerificationPassedK6 verification in staging passedverified v1—',
      'VerificationPendingSmoke verification in staging is runningverified v1—',
      `VerificationUnknown${unknown.reason}verified v1—`,
    ]);
    expect(
      within(rows[0]).getByText('Passed').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'ok');
    expect(
      within(rows[1]).getByText('Pending').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'progress');
    expect(
      within(rows[2]).getByText('Unknown').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'unknown');
  });

  it('the promote preview shows the verification row', async () => {
    const api = tabApi({
      previewPromotion: jest.fn(async () =>
        preview({ gates: [pending], verdict: 'pending' }),
      ),
    });
    await renderTab(api);
    const staging = within(
      await screen.findByRole('region', { name: 'staging' }),
    );
    await userEvent.click(
      await staging.findByRole('button', { name: 'Promote here' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Promote payments-api to staging',
    });
    const gates = await within(dialog).findByRole('table', { name: 'Gates' });
    const [row] = within(gates).getAllByRole('row').slice(1);
    expect(row).toHaveTextContent(
      'VerificationPendingSmoke verification in staging is running',
    );
    expect(within(dialog).getByText('Waiting on gates')).toBeInTheDocument();
  });

  it('the Deploy tab says what a waiting or blocked promotion waits for', async () => {
    const waiting = promotion({
      id: 'p-prod',
      environment: 'prod',
      state: 'blocked',
      verdict: 'pending',
      gates: [pending],
    });
    const api = tabApi({
      listPromotions: jest.fn(async () => ({ items: [waiting] })),
    });
    const { unmount } = await renderTab(api);
    const prod = within(await screen.findByRole('region', { name: 'prod' }));
    expect(
      await prod.findByText('Waiting on Verification'),
    ).toBeInTheDocument();
    unmount();

    await renderTab(
      tabApi({
        listPromotions: jest.fn(async () => ({
          items: [{ ...waiting, verdict: 'blocked', gates: [unknown] }],
        })),
      }),
    );
    const blocked = within(await screen.findByRole('region', { name: 'prod' }));
    expect(
      await blocked.findByText(`Blocked by Verification (${unknown.reason})`),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('listitem', {
        name: /prod: .*promotion blocked by Verification/,
      }),
    ).toBeInTheDocument();
  });
});
