import { Entity } from '@backstage/catalog-model';
import { configApiRef } from '@backstage/core-plugin-api';
import { ConfigReader } from '@backstage/config';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  readEntityDeployConfig,
  SlipwayApi,
} from '@slipway/plugin-slipway-common';
import { screen } from '@testing-library/react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { EntityDeployContent } from './EntityDeployContent';

const environments = [
  { name: 'dev', syncMode: 'auto' as const },
  { name: 'staging', syncMode: 'manual' as const },
  { name: 'prod', syncMode: 'manual' as const },
];

const annotated: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'github.com/project-slug': 'acme/payments-api',
      'argocd/app-selector': 'slipway.dev/app=payments-api',
      'slipway.dev/gitops-repo': 'https://git.example.com/acme/gitops.git',
      'slipway.dev/gitops-path': 'apps/payments-api',
      'slipway.dev/image': 'harbor.example.com/acme/payments-api',
    },
  },
  spec: {},
};

const bare: Entity = {
  ...annotated,
  metadata: { name: 'legacy-billing', namespace: 'default' },
};

function render(entity: Entity, api: Partial<SlipwayApi>, config: object = {}) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [slipwayApiRef, api],
        [configApiRef, new ConfigReader(config)],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityDeployContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityDeployContent', () => {
  it('shows the configuration found and says deploy state is not available', async () => {
    const getEntityConfig = jest.fn(async () =>
      readEntityDeployConfig(annotated, { environments }),
    );
    await render(annotated, { getEntityConfig });

    expect(
      await screen.findByText(/Deploy state is not available in this version/),
    ).toBeInTheDocument();
    expect(getEntityConfig).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'payments-api',
    });
    const envs = screen.getByRole('list', {
      name: 'Environments in promotion order',
    });
    expect(envs).toHaveTextContent('dev — Argo CD sync: automatic');
    expect(envs).toHaveTextContent('prod — Argo CD sync: manual');
    expect(
      screen.getByText(
        'https://git.example.com/acme/gitops.git → apps/payments-api',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Annotations missing/)).not.toBeInTheDocument();
    expect(screen.queryByText(/Sandbox/)).not.toBeInTheDocument();
  });

  it('names the missing annotations for an entity without them', async () => {
    await render(bare, {
      getEntityConfig: async () =>
        readEntityDeployConfig(bare, { environments }),
    });
    expect(await screen.findByText(/Annotations missing/)).toBeInTheDocument();
    expect(
      screen.getByText(
        /Add slipway.dev\/gitops-repo, slipway.dev\/gitops-path, slipway.dev\/image, argocd\/app-selector/,
      ),
    ).toBeInTheDocument();
  });

  it('shows a backend error instead of an empty tab', async () => {
    const error = Object.assign(new Error('Entity not found'), {
      name: 'NotFoundError',
    });
    await render(annotated, {
      getEntityConfig: async () => {
        throw error;
      },
    });
    expect(
      await screen.findByText('Error: Entity not found'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/Deploy state is not available/),
    ).not.toBeInTheDocument();
  });

  it('says plainly when the data comes from the sandbox', async () => {
    await render(
      annotated,
      {
        getEntityConfig: async () =>
          readEntityDeployConfig(annotated, { environments }),
      },
      { slipway: { sandbox: true } },
    );
    expect(
      await screen.findByText(/local stand-ins, not real services/),
    ).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await render(annotated, { getEntityConfig: () => new Promise(() => {}) });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });
});
