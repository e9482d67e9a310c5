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
  SecretHealth,
} from '@slipway/plugin-slipway-common';
import { screen, within } from '@testing-library/react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  annotatedEntity,
  healthyEnv,
  healthyState,
  NOW,
  okSources,
} from '../../__testUtils__/fixtures';
import { EntityDeployContent } from '../EntityDeployContent';

// Rendering takes seconds on a loaded 2-core machine.
jest.setTimeout(30_000);

function render(state: EntityState) {
  return renderInTestApp(
    <TestApiProvider
      apis={
        [
          [
            slipwayApiRef,
            {
              listPromotions: async () => ({ items: [] }),
              listFreezes: async () => [],
              getEntityState: jest.fn(async () => state),
              getEntityConfig: jest.fn(),
              getEntityHistory: jest.fn(),
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

function withSecrets(
  environment: string,
  secrets: SecretHealth[] | undefined,
): EnvironmentState {
  const env = healthyEnv(environment);
  return { ...env, live: { ...env.live!, secrets } };
}

const dbCredentials = (
  health: SecretHealth['health'],
  message?: string,
): SecretHealth => ({
  kind: 'ExternalSecret',
  name: 'db-credentials',
  namespace: 'payments',
  health,
  message,
});
const apiToken: SecretHealth = {
  kind: 'SealedSecret',
  name: 'api-token',
  namespace: 'payments',
  health: 'Healthy',
};

async function card(environment: string) {
  return within(await screen.findByRole('region', { name: environment }));
}

/** The Secrets row's value: the `dd` after the `dt` "Secrets". */
function secretsRow(region: ReturnType<typeof within>) {
  return region.getByText('Secrets', { selector: 'dt' })
    .nextElementSibling as HTMLElement;
}

function tone(element: HTMLElement) {
  return element.closest('[data-tone]')?.getAttribute('data-tone');
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the Secrets row of an environment card (issue 16)', () => {
  it('says how many are healthy, names a failing one with its message in text, and is absent when none are reported', async () => {
    await render(
      healthyState({
        environments: [
          withSecrets('dev', [dbCredentials('Healthy'), apiToken]),
          withSecrets('staging', [
            dbCredentials(
              'Degraded',
              'could not get secret data from provider',
            ),
            apiToken,
          ]),
          withSecrets('prod', undefined),
        ],
      }),
    );

    const dev = secretsRow(await card('dev'));
    const healthy = within(dev).getByText('2 healthy');
    expect(tone(healthy)).toBe('ok');
    expect(dev).toHaveTextContent(/^2 healthy$/);

    const staging = secretsRow(await card('staging'));
    expect(tone(within(staging).getByText('1 of 2 healthy'))).toBe('error');
    expect(
      within(staging).getByText(
        'ExternalSecret db-credentials: Degraded — could not get secret data from provider',
      ),
    ).toBeInTheDocument();

    expect(
      (await card('prod')).queryByText('Secrets', { selector: 'dt' }),
    ).not.toBeInTheDocument();
  });

  it('shows a secret waiting for its operator as progress, and healthy secrets from a stale Argo CD answer as unknown, never green', async () => {
    await render(
      healthyState({
        environments: [
          withSecrets('dev', [
            {
              ...apiToken,
              health: 'Progressing',
              message: 'Waiting for Sealed Secret to be decrypted',
            },
          ]),
          withSecrets('staging', [apiToken]),
          withSecrets('prod', [dbCredentials('Unknown')]),
        ],
        sources: okSources().map(s =>
          s.kind === 'delivery'
            ? { ...s, status: 'stale', message: 'Argo CD timed out' }
            : s,
        ),
      }),
    );

    const dev = secretsRow(await card('dev'));
    expect(tone(within(dev).getByText('0 of 1 healthy'))).toBe('progress');
    expect(dev).toHaveTextContent(
      'SealedSecret api-token: Progressing — Waiting for Sealed Secret to be decrypted',
    );

    const staging = secretsRow(await card('staging'));
    expect(tone(within(staging).getByText('1 healthy'))).toBe('unknown');

    const prod = secretsRow(await card('prod'));
    expect(tone(within(prod).getByText('0 of 1 healthy'))).toBe('unknown');
    expect(prod).toHaveTextContent('ExternalSecret db-credentials: Unknown');
  });
});
