/**
 * Scaffolder actions for Slipway.
 *
 * @packageDocumentation
 */
export { scaffolderModuleSlipway as default } from './module';
export { createKustomizeImageSetAction } from './actions/kustomizeImageSet';
