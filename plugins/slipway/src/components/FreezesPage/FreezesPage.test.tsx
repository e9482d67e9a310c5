import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { Freeze, SlipwayApi } from '@slipway/plugin-slipway-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
// usePermission caches answers in SWR; each render gets its own cache.
// eslint-disable-next-line import/no-extraneous-dependencies
import { SWRConfig } from 'swr';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { seriousViolations } from '../../__testUtils__/axe';
import { ago, NOW } from '../../__testUtils__/fixtures';
import { FreezesContent } from './FreezesContent';

// MUI, Autocomplete and axe take seconds on a loaded 2-core machine.
jest.setTimeout(60_000);

const stagingFreeze: Freeze = {
  id: '0b4f5e38-6a57-4c3e-9a39-3f1a4c0a1111',
  scope: 'environment',
  target: 'staging',
  reason: 'Load test in progress',
  createdBy: 'user:default/alice',
  createdAt: ago(600),
};

function fakeApi(overrides: Partial<SlipwayApi> = {}): Partial<SlipwayApi> {
  return {
    listFreezes: jest.fn(async () => [stagingFreeze]),
    getEnvironments: jest.fn(async () => [
      { name: 'dev', syncMode: 'auto' as const },
      { name: 'staging', syncMode: 'manual' as const },
      { name: 'prod', syncMode: 'manual' as const },
    ]),
    createFreeze: jest.fn(async body => ({
      ...body,
      id: 'new',
      createdBy: 'user:default/alice',
      createdAt: new Date(NOW).toISOString(),
    })),
    liftFreeze: jest.fn(async id => ({
      ...stagingFreeze,
      id,
      liftedBy: 'user:default/alice',
      liftedAt: new Date(NOW).toISOString(),
    })),
    ...overrides,
  };
}

function render(api: Partial<SlipwayApi>, manage: boolean) {
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [slipwayApiRef, api],
          [
            catalogApiRef,
            {
              getEntities: async () => ({
                items: [
                  {
                    apiVersion: 'backstage.io/v1alpha1',
                    kind: 'System',
                    metadata: { name: 'commerce', namespace: 'default' },
                  },
                ],
              }),
            },
          ],
          [
            permissionApiRef,
            mockApis.permission({
              authorize: manage ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            }),
          ],
        ]}
      >
        <FreezesContent />
      </TestApiProvider>
    </SWRConfig>,
  );
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('freezes', () => {
  it('lists freezes read-only for users who may not manage them', async () => {
    await render(fakeApi(), false);
    const table = await screen.findByRole('table', {
      name: 'Freezes in force',
    });
    expect(table).toHaveTextContent('Environment staging');
    expect(table).toHaveTextContent('Load test in progress');
    expect(table).toHaveTextContent('alice');
    expect(table).toHaveTextContent('Until lifted');
    expect(
      screen.getByText(/Platform admins set and lift/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Lift/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('form', { name: 'Set a freeze' }),
    ).not.toBeInTheDocument();
  });

  it('shows loading, then empty', async () => {
    let resolve: (value: Freeze[]) => void = () => undefined;
    const api = fakeApi({
      listFreezes: () =>
        new Promise<Freeze[]>(r => {
          resolve = r;
        }),
    });
    await render(api, false);
    expect(
      screen.getByRole('progressbar', { name: 'Loading freezes' }),
    ).toBeInTheDocument();
    resolve([]);
    expect(await screen.findByText(/Nothing is frozen/)).toBeInTheDocument();
  });

  it('says a freeze may hold promotions when the list fails', async () => {
    await render(
      fakeApi({
        listFreezes: async () => {
          throw new Error('backend down');
        },
      }),
      true,
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the freezes: backend down',
    );
  });

  it('sets a freeze on an environment with a required reason and an optional end', async () => {
    const api = fakeApi({ listFreezes: jest.fn(async () => []) });
    await render(api, true);
    const form = await screen.findByRole('form', { name: 'Set a freeze' });
    const submit = within(form).getByRole('button', { name: 'Set freeze' });
    expect(submit).toBeDisabled();
    await userEvent.click(
      within(form).getByRole('textbox', { name: /Target/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'staging' }),
    );
    expect(submit).toBeDisabled();
    await userEvent.type(
      within(form).getByRole('textbox', { name: /Reason/ }),
      'Release train',
    );
    expect(await seriousViolations(form)).toEqual([]);
    await userEvent.click(submit);
    await waitFor(() =>
      expect(api.createFreeze).toHaveBeenCalledWith({
        scope: 'environment',
        target: 'staging',
        reason: 'Release train',
        until: undefined,
      }),
    );
    expect(api.listFreezes).toHaveBeenCalledTimes(2);
  });

  it('stops the line (global, no target) and picks systems from the catalog', async () => {
    const api = fakeApi({ listFreezes: jest.fn(async () => []) });
    await render(api, true);
    const form = await screen.findByRole('form', { name: 'Set a freeze' });
    const scope = within(form).getByRole('combobox', { name: 'Scope' });
    await userEvent.selectOptions(scope, 'system');
    await userEvent.click(
      within(form).getByRole('textbox', { name: /Target/ }),
    );
    expect(
      await screen.findByRole('option', {
        name: 'commerce (system:default/commerce)',
      }),
    ).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    await userEvent.selectOptions(scope, 'global');
    expect(
      within(form).queryByRole('textbox', { name: /Target/ }),
    ).not.toBeInTheDocument();
    expect(form).toHaveTextContent('Stop the line holds every promotion');
    await userEvent.type(
      within(form).getByRole('textbox', { name: /Reason/ }),
      'Incident 42',
    );
    await userEvent.click(
      within(form).getByRole('button', { name: 'Stop the line' }),
    );
    await waitFor(() =>
      expect(api.createFreeze).toHaveBeenCalledWith({
        scope: 'global',
        target: undefined,
        reason: 'Incident 42',
        until: undefined,
      }),
    );
  });

  it('lifts a freeze after confirmation', async () => {
    const api = fakeApi();
    await render(api, true);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Lift freeze: Environment staging',
      }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Lift this freeze?' });
    expect(dialog).toHaveTextContent('Load test in progress');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Lift freeze' }),
    );
    await waitFor(() =>
      expect(api.liftFreeze).toHaveBeenCalledWith(stagingFreeze.id),
    );
  });

  it('has no serious accessibility violations', async () => {
    const { container } = await render(fakeApi(), true);
    await screen.findByRole('table', { name: 'Freezes in force' });
    expect(await seriousViolations(container)).toEqual([]);
  });
});
