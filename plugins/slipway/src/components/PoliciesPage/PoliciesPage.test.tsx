import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  PromotionPolicyVersion,
  SlipwayApi,
} from '@slipway/plugin-slipway-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router-dom';
// usePermission caches answers in SWR; each render gets its own cache.
// eslint-disable-next-line import/no-extraneous-dependencies
import { SWRConfig } from 'swr';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { seriousViolations } from '../../__testUtils__/axe';
import { ago, NOW } from '../../__testUtils__/fixtures';
import { PoliciesRoutes } from './PoliciesPage';

// Rendering MUI forms and axe take seconds on a loaded 2-core machine.
jest.setTimeout(60_000);

function component(name: string, owner: string, system?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { owner, ...(system ? { system } : {}) },
  };
}

const entities = [
  component('payments-api', 'team-payments', 'commerce'),
  component('orders-service', 'team-payments', 'commerce'),
  component('checkout-web', 'team-storefront', 'commerce'),
  component('inventory-api', 'team-storefront'),
];

const version1: PromotionPolicyVersion = {
  name: 'payments',
  version: 1,
  policy: {
    description: 'Gates for the payments team',
    selector: { owners: ['group:default/team-payments'] },
    environments: {
      staging: { mode: 'direct', gates: [{ type: 'ci-passed' }] },
    },
  },
  comment: 'First rules',
  createdBy: 'user:default/alice',
  createdAt: ago(7200),
};

const version2: PromotionPolicyVersion = {
  ...version1,
  version: 2,
  policy: {
    ...version1.policy,
    environments: {
      staging: { mode: 'direct', gates: [{ type: 'ci-passed' }] },
      prod: {
        mode: 'pull-request',
        gates: [
          {
            type: 'approvals',
            count: 2,
            groups: ['group:default/platform-admins'],
          },
        ],
      },
    },
  },
  comment: 'Prod needs two approvals',
  createdBy: 'user:default/bob',
  createdAt: ago(600),
};

const everything: PromotionPolicyVersion = {
  name: 'baseline',
  version: 1,
  policy: {
    selector: { kinds: ['component'] },
    environments: { prod: { mode: 'direct', gates: [] } },
  },
  createdBy: 'user:default/alice',
  createdAt: ago(86400),
};

function fakeApi(overrides: Partial<SlipwayApi> = {}): Partial<SlipwayApi> {
  return {
    listPolicies: jest.fn(async () => [everything, version2]),
    getPolicy: jest.fn(async (name: string) =>
      name === 'payments' ? version2 : everything,
    ),
    getPolicyHistory: jest.fn(async (name: string) =>
      name === 'payments' ? [version1, version2] : [everything],
    ),
    getEnvironments: jest.fn(async () => [
      { name: 'dev', syncMode: 'auto' as const },
      { name: 'staging', syncMode: 'manual' as const },
      { name: 'prod', syncMode: 'manual' as const },
    ]),
    savePolicy: jest.fn(async (name: string, body) => ({
      name,
      version: body.expectedVersion + 1,
      policy: body.policy,
      comment: body.comment,
      createdBy: 'user:default/alice',
      createdAt: new Date(NOW).toISOString(),
    })),
    ...overrides,
  };
}

function LocationSpy() {
  const location = useLocation();
  return (
    <div data-testid="location">
      {location.pathname}
      {location.search}
    </div>
  );
}

function render(
  options: {
    api?: Partial<SlipwayApi>;
    admin?: boolean;
    url?: string;
    catalog?: { getEntities: () => Promise<{ items: Entity[] }> };
  } = {},
) {
  const api = options.api ?? fakeApi();
  const catalog = options.catalog ?? {
    getEntities: jest.fn(async () => ({ items: entities })),
  };
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [slipwayApiRef, api],
          [catalogApiRef, catalog],
          [
            permissionApiRef,
            mockApis.permission({
              authorize: options.admin
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
            }),
          ],
        ]}
      >
        <Routes>
          <Route path="/slipway/policies/*" element={<PoliciesRoutes />} />
        </Routes>
        <LocationSpy />
      </TestApiProvider>
    </SWRConfig>,
    { routeEntries: [options.url ?? '/slipway/policies'] },
  );
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('policies list', () => {
  it('shows each policy with its live matches, environments and gates, read-only for non-admins', async () => {
    await render();
    const table = await screen.findByRole('table', {
      name: 'Promotion policies',
    });
    const payments = within(table).getByRole('row', { name: /^payments/ });
    expect(await within(payments).findByText('2 entities')).toBeInTheDocument();
    expect(payments).toHaveTextContent('payments-api, orders-service');
    expect(payments).toHaveTextContent(
      'prod (pull-request): 2 approvals from platform-admins',
    );
    expect(payments).toHaveTextContent('v2 by bob');
    const baseline = within(table).getByRole('row', { name: /^baseline/ });
    expect(within(baseline).getByText('4 entities')).toBeInTheDocument();
    expect(screen.getByText(/You can read them/)).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'New policy' }),
    ).not.toBeInTheDocument();
  });

  it('offers "New policy" to admins', async () => {
    await render({ admin: true });
    expect(
      await screen.findByRole('button', { name: 'New policy' }),
    ).toBeInTheDocument();
  });

  it('says so when there are no policies', async () => {
    await render({ api: fakeApi({ listPolicies: async () => [] }) });
    expect(
      await screen.findByText(/No promotion policies yet/),
    ).toBeInTheDocument();
  });

  it('shows a loading state while the policies load', async () => {
    await render({
      api: fakeApi({ listPolicies: () => new Promise(() => undefined) }),
    });
    expect(
      screen.getByRole('progressbar', { name: 'Loading policies' }),
    ).toBeInTheDocument();
  });

  it('shows an error with a retry', async () => {
    let fail = true;
    const listPolicies = jest.fn(async () => {
      if (fail) throw new Error('backend down');
      return [version2];
    });
    await render({ api: fakeApi({ listPolicies }) });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the promotion policies: backend down',
    );
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('table', { name: 'Promotion policies' }),
    ).toBeInTheDocument();
  });

  it('still lists policies when the catalog fails, with matches unknown', async () => {
    await render({
      catalog: {
        getEntities: async () => {
          throw new Error('catalog timeout');
        },
      },
    });
    expect(
      await screen.findByText(/Could not read the catalog \(catalog timeout\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Promotion policies' }),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/^Unknown/)).toHaveLength(2);
  });

  it('has no serious accessibility violations', async () => {
    const { container } = await render({ admin: true });
    await screen.findByText('2 entities');
    expect(await seriousViolations(container)).toEqual([]);
  });
});

describe('policy details', () => {
  it('shows matches, environments, history and a side-by-side diff', async () => {
    await render({ url: '/slipway/policies/payments' });
    expect(
      await screen.findByRole('heading', { name: 'Policy payments' }),
    ).toBeInTheDocument();
    const matches = await screen.findByRole('list', {
      name: 'Matching entities',
    });
    expect(
      within(matches)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual(['payments-api', 'orders-service']);
    expect(
      screen.getByRole('table', { name: 'Environments and gates' }),
    ).toHaveTextContent('prodPull request2 approvals from platform-admins');
    const history = screen.getByRole('table', { name: 'Version history' });
    expect(within(history).getAllByRole('row')).toHaveLength(3);
    expect(history).toHaveTextContent('Prod needs two approvals');
    expect(history).toHaveTextContent('bob');
    const diff = screen.getByRole('table', {
      name: 'Changes from version 1 to version 2',
    });
    expect(diff).toHaveTextContent('added: prod:');
    expect(diff).toHaveTextContent('added: - group:default/platform-admins');
    expect(diff).not.toHaveTextContent('removed:');
    // Non-admins never see edit controls.
    expect(
      screen.queryByRole('button', { name: 'Edit' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Retire' }),
    ).not.toBeInTheDocument();
  });

  it('says when the policy does not exist', async () => {
    const notFound = Object.assign(new Error('no such policy'), {
      name: 'NotFoundError',
    });
    await render({
      url: '/slipway/policies/nope',
      api: fakeApi({
        getPolicy: async () => {
          throw notFound;
        },
      }),
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No such policy',
    );
  });

  it('retires a policy by saving a version with no environments and a note', async () => {
    const api = fakeApi();
    await render({ api, admin: true, url: '/slipway/policies/payments' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Retire' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Retire payments' });
    expect(dialog).toHaveTextContent(
      'Retiring saves version 3 with no environments',
    );
    const confirm = within(dialog).getByRole('button', {
      name: 'Retire policy',
    });
    expect(confirm).toBeDisabled();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Change note/ }),
      'Replaced by baseline',
    );
    expect(await seriousViolations(dialog)).toEqual([]);
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(api.savePolicy).toHaveBeenCalledWith('payments', {
        policy: { ...version2.policy, environments: {} },
        expectedVersion: 2,
        comment: 'Replaced by baseline',
      }),
    );
  });
});

describe('policy editor', () => {
  it('validates as you type, at the field, and saves a new version with a note', async () => {
    const api = fakeApi();
    await render({ api, admin: true, url: '/slipway/policies/payments/edit' });
    const form = await screen.findByRole('form', {
      name: 'Edit policy payments',
    });
    const prod = within(form).getByRole('group', { name: 'Environment prod' });
    await userEvent.click(
      within(prod).getByRole('button', { name: 'Add gate to prod' }),
    );
    const gate = within(prod).getByRole('group', { name: 'Gate 2 of prod' });
    await userEvent.selectOptions(
      within(gate).getByRole('combobox', { name: 'Gate 2 type' }),
      'soak',
    );
    const minutes = within(gate).getByRole('textbox', {
      name: 'Minutes healthy',
    });
    await userEvent.clear(minutes);
    await userEvent.type(minutes, '0');
    // The schema's own message, at the field.
    expect(minutes).toHaveAttribute('aria-invalid', 'true');
    expect(
      within(gate).getByText(/Too small|must be >=|greater than or equal/i),
    ).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('1 problem to fix');
    const save = screen.getByRole('button', { name: 'Save new version' });
    expect(save).toBeDisabled();

    await userEvent.clear(minutes);
    await userEvent.type(minutes, '45');
    expect(minutes).toHaveAttribute('aria-invalid', 'false');
    // Still disabled: a change note is required.
    expect(save).toBeDisabled();
    await userEvent.type(
      screen.getByRole('textbox', { name: /Change note/ }),
      'Soak prod for 45 minutes',
    );
    expect(save).toBeEnabled();
    await userEvent.click(save);
    await waitFor(() => expect(api.savePolicy).toHaveBeenCalled());
    const [name, body] = (api.savePolicy as jest.Mock).mock.calls[0];
    expect(name).toBe('payments');
    expect(body.expectedVersion).toBe(2);
    expect(body.comment).toBe('Soak prod for 45 minutes');
    expect(body.policy.environments.prod.gates).toEqual([
      {
        type: 'approvals',
        count: 2,
        groups: ['group:default/platform-admins'],
      },
      { type: 'soak', upstream: 'staging', minutes: 45 },
    ]);
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        /^\/slipway\/policies\/payments$/,
      ),
    );
  });

  it('offers the verification gate: a check name checked at the field, an optional upstream environment', async () => {
    const api = fakeApi();
    await render({ api, admin: true, url: '/slipway/policies/payments/edit' });
    const form = await screen.findByRole('form', {
      name: 'Edit policy payments',
    });
    const prod = within(form).getByRole('group', { name: 'Environment prod' });
    await userEvent.click(
      within(prod).getByRole('button', { name: 'Add gate to prod' }),
    );
    const gate = within(prod).getByRole('group', { name: 'Gate 2 of prod' });
    const type = within(gate).getByRole('combobox', { name: 'Gate 2 type' });
    expect(
      within(type).getByRole('option', {
        name: 'Verification passed upstream',
      }),
    ).toBeInTheDocument();
    await userEvent.selectOptions(type, 'verification');
    const check = within(gate).getByRole('textbox', { name: 'Check' });
    expect(check).toHaveValue('smoke');
    await userEvent.clear(check);
    await userEvent.type(check, 'K6 load');
    expect(check).toHaveAttribute('aria-invalid', 'true');
    expect(
      within(gate).getByText(/must be a lower-case name/),
    ).toBeInTheDocument();
    await userEvent.clear(check);
    await userEvent.type(check, 'k6');
    expect(check).toHaveAttribute('aria-invalid', 'false');
    await userEvent.type(
      within(gate).getByRole('textbox', { name: 'Passed in environment' }),
      'staging',
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: /Change note/ }),
      'K6 green in staging before prod',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Save new version' }),
    );
    await waitFor(() => expect(api.savePolicy).toHaveBeenCalled());
    const [, body] = (api.savePolicy as jest.Mock).mock.calls[0];
    expect(body.policy.environments.prod.gates[1]).toEqual({
      type: 'verification',
      check: 'k6',
      environment: 'staging',
    });
  });

  it('says "someone else saved first" on a conflict and reloads', async () => {
    const conflict = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'ConflictError', message: 'version 3 exists' },
        }),
        { status: 409, headers: { 'Content-Type': 'application/json' } },
      ) as any,
    );
    const api = fakeApi({
      savePolicy: jest.fn(async () => {
        throw conflict;
      }),
    });
    await render({ api, admin: true, url: '/slipway/policies/payments/edit' });
    await userEvent.type(
      await screen.findByRole('textbox', { name: /Change note/ }),
      'Tweak',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Save new version' }),
    );
    const alert = await screen.findByText(
      /Someone else saved this policy first/,
    );
    expect(alert).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(api.getPolicy).toHaveBeenCalledTimes(2));
  });

  it('creates a policy: the name must be a DNS label; the YAML view edits the same policy', async () => {
    const api = fakeApi();
    await render({ api, admin: true, url: '/slipway/policies?create=true' });
    const name = await screen.findByRole('textbox', { name: 'Name' });
    await userEvent.type(name, 'Bad_Name');
    expect(screen.getByText(/must be a DNS-1123 label/)).toBeInTheDocument();
    await userEvent.clear(name);
    await userEvent.type(name, 'storefront');
    await userEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    const yamlBox = screen.getByRole('textbox', { name: 'Policy as YAML' });
    await userEvent.clear(yamlBox);
    await userEvent.click(yamlBox);
    await userEvent.paste(
      'selector:\n  owners: [group:default/team-storefront]\nenvironments:\n  prod:\n    mode: pull-request\n    gates:\n      - type: quality-gate\n',
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Form' }));
    expect(
      screen.getByRole('group', { name: 'Environment prod' }),
    ).toBeInTheDocument();
    expect(await screen.findByText(/Matches now/)).toBeInTheDocument();
    await userEvent.type(
      screen.getByRole('textbox', { name: /Change note/ }),
      'Storefront prod rules',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Save new version' }),
    );
    await waitFor(() =>
      expect(api.savePolicy).toHaveBeenCalledWith('storefront', {
        policy: {
          selector: { owners: ['group:default/team-storefront'] },
          environments: {
            prod: { mode: 'pull-request', gates: [{ type: 'quality-gate' }] },
          },
        },
        expectedVersion: 0,
        comment: 'Storefront prod rules',
      }),
    );
  });

  it('refuses non-admins the editor', async () => {
    await render({ url: '/slipway/policies/payments/edit' });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Only platform admins change policies',
    );
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
  });

  it('has no serious accessibility violations', async () => {
    const { container } = await render({
      admin: true,
      url: '/slipway/policies/payments/edit',
    });
    await screen.findByRole('form', { name: 'Edit policy payments' });
    expect(await seriousViolations(container)).toEqual([]);
  });
});
