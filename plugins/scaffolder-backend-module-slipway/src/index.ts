/**
 * Scaffolder actions for Slipway.
 *
 * @packageDocumentation
 */
export { scaffolderModuleSlipway as default } from './module';
export { createKustomizeImageSetAction } from './actions/kustomizeImageSet';
export { createGitOpsAppCreateAction } from './actions/gitopsAppCreate';
export {
  createArgoCdAppCreateAction,
  teamOfOwner,
} from './actions/argocdAppCreate';
export { createFluxAppCreateAction } from './actions/fluxAppCreate';
export { createSecretsCreateAction } from './actions/secretsCreate';
export { createTerraformCreateAction } from './actions/terraformCreate';
export { createGitOpsCommitAction } from './actions/gitopsCommit';
export { createHarborRetentionEnsureAction } from './actions/harborRetentionEnsure';
export {
  readSlipwayScaffolderConfig,
  type ScaffolderEnvironment,
  type SlipwayScaffolderConfig,
} from './actions/scaffolderConfig';
