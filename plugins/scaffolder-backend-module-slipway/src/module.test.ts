import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleSlipway } from './module';

// Starts a test backend.
jest.setTimeout(60_000);

describe('scaffolderModuleSlipway', () => {
  it('registers the Slipway actions with the scaffolder', async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    const scaffolderStandIn = createBackendPlugin({
      pluginId: 'scaffolder',
      register({ registerExtensionPoint, registerInit }) {
        registerExtensionPoint(scaffolderActionsExtensionPoint, {
          addActions: (...added) => {
            actions.push(...added);
          },
        });
        registerInit({ deps: {}, async init() {} });
      },
    });
    await startTestBackend({
      features: [
        scaffolderStandIn,
        scaffolderModuleSlipway,
        mockServices.rootConfig.factory({
          data: {
            slipway: {
              scaffolder: {
                argocd: { allowedSourceRepos: ['https://github.com/acme/*'] },
              },
            },
          },
        }),
      ],
    });
    expect(actions.map(a => a.id).sort()).toEqual([
      'slipway:argocd:app:create',
      'slipway:flux:app:create',
      'slipway:gitops:app:create',
      'slipway:gitops:commit',
      'slipway:harbor:retention:ensure',
      'slipway:kustomize:image:set',
      'slipway:secrets:create',
      'slipway:terraform:create',
    ]);
    expect(actions.every(a => a.supportsDryRun)).toBe(true);
  });
});
