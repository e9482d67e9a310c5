import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createArgoCdAppCreateAction } from './actions/argocdAppCreate';
import { createFluxAppCreateAction } from './actions/fluxAppCreate';
import { createGitOpsAppCreateAction } from './actions/gitopsAppCreate';
import { createGitOpsCommitAction } from './actions/gitopsCommit';
import { createHarborRetentionEnsureAction } from './actions/harborRetentionEnsure';
import { createKustomizeImageSetAction } from './actions/kustomizeImageSet';
import { createSecretsCreateAction } from './actions/secretsCreate';
import { createTerraformCreateAction } from './actions/terraformCreate';

/**
 * Scaffolder actions for Slipway.
 *
 * @public
 */
export const scaffolderModuleSlipway = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'slipway',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        const integrations = ScmIntegrations.fromConfig(config);
        scaffolder.addActions(
          createKustomizeImageSetAction(),
          createGitOpsAppCreateAction({ config }),
          createArgoCdAppCreateAction({ config }),
          createFluxAppCreateAction({ config }),
          createSecretsCreateAction({ config }),
          createTerraformCreateAction(),
          createHarborRetentionEnsureAction({ config }),
          createGitOpsCommitAction({ config, integrations }),
        );
      },
    });
  },
});
